"""Active learning vs random for audio segments (speaker turns on the made FSDD recordings).

The pool is 24 recordings of FSDD digits 0-6 (two to four speakers each), the held-out set 8
recordings of digits 7-9 (clips the pool never holds). Whisper tiny.en (int8, CPU) finds the
segments once per recording (cached in the adapter); each round the head is trained on the
answered recordings' true segments, and the next recordings are picked by the lowest item
confidence (least sure segment: margin or boundary) or at random. Printed: time-weighted accuracy
and segment accuracy on the held-out recordings at each label count, per strategy and seed, and
the load average. Run: ``PYTHONPATH=src python benchmarks/audio_segments_al.py [seeds]``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from activelabel.errors import NotEnoughAnswersError
from activelabel.models.whisper_segments import WhisperSegmenter
from activelabel.simulation.tasks.audio_segments import load
from activelabel.types import Item

COUNTS = (2, 4, 6, 8, 12)


def run(seed: int, strategy: str, model: WhisperSegmenter, pool: list[Item], truth: dict[str, object],
        held: list[Item], held_truth: list[object]) -> list[tuple[int, float, float]]:
    rng = np.random.default_rng(seed)
    chosen = [int(i) for i in rng.choice(len(pool), size=COUNTS[0], replace=False)]
    out = []
    for n in COUNTS:
        while len(chosen) < n:
            rest = [i for i in range(len(pool)) if i not in chosen]
            if strategy == "random" or not hasattr(model, "head_"):
                chosen.append(int(rng.choice(rest)))
            else:
                conf = [p.confidence for p in model.predict([pool[i] for i in rest])]
                chosen.append(rest[int(np.argmin(conf))])
        try:
            model.fit([pool[i] for i in chosen], [truth[pool[i].id] for i in chosen])  # type: ignore[misc]
        except NotEnoughAnswersError:
            out.append((n, float("nan"), float("nan")))
            continue
        m = model.evaluate(held, held_truth)  # type: ignore[arg-type]
        out.append((n, m["time_accuracy"], m["segment_accuracy"]))
    return out


def main(seeds: int = 3) -> None:
    start = time.time()
    data = load("fsdd-turns", seed=0, options={})
    pool = [Item(p.name, "audio", str(p), {}) for p, _ in data.pool]
    truth = {p.name: v for p, v in data.pool}
    held = [Item(p.name, "audio", str(p), {}) for p, _ in data.eval]
    held_truth = [v for _, v in data.eval]
    model = WhisperSegmenter(data.labels, "faster-whisper:tiny.en", {"device": "cpu"})
    model.find_segments(pool + held)  # Whisper once per recording; the runs share the cache
    print(f"pool {len(pool)} recordings, held out {len(held)}; labels {data.labels}")
    results: dict[str, list[list[tuple[int, float, float]]]] = {"least_confident": [], "random": []}
    for seed in range(seeds):
        for strategy in results:
            for name in [k for k in vars(model) if k.endswith("_") and not k.startswith("_")]:
                delattr(model, name)
            results[strategy].append(run(seed, strategy, model, pool, truth, held, held_truth))
    print("labeled recordings | " + " | ".join(f"{s} time-acc / seg-acc" for s in results))
    for k, n in enumerate(COUNTS):
        cells = []
        for runs in results.values():
            t = np.nanmean([r[k][1] for r in runs])
            s = np.nanmean([r[k][2] for r in runs])
            cells.append(f"{t:.3f} / {s:.3f}")
        print(f"{n:>18} | " + " | ".join(cells))
    print(f"seeds {seeds}; wall {time.time() - start:.0f} s; load average {os.getloadavg()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
