"""The digit-classification head on Whisper encoder embeddings: accuracy vs labels, AL vs random.

Embeds every clip once with the tiny.en encoder, holds out a test split, then replays rounds:
start from ``--start`` random labels, add ``--step`` per round chosen by margin (active learning)
or at random, refit the scikit-learn head, and print test accuracy per round for both.

    python benchmarks/audio_classification.py --data ../shared/data/fsdd --limit 500 --device cpu
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audio_common import DEFAULT_DATA, Timer, fsdd_items  # noqa: E402

from activelabel.models.whisper_classifier import WhisperEmbeddingClassifier  # noqa: E402
from activelabel.strategies import PoolView, get_strategy  # noqa: E402
from activelabel.types import ClassLabel  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=0, help="a seeded subsample of this many clips (0: all)")
    ap.add_argument("--model", default="faster-whisper:tiny.en")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--start", type=int, default=20)
    ap.add_argument("--step", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--strategy", default="margin")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    items, _truth, digits = fsdd_items(args.data, args.limit or None, args.seed)
    labels = [str(d) for d in range(10)]
    clf = WhisperEmbeddingClassifier(labels, args.model, {"device": args.device})
    with Timer() as te:
        X = clf.embed(items)
    print(f"{len(items)} clips embedded in {te.seconds:.0f} s ({X.shape[1]} dimensions)")
    y = np.array(digits)
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(items))
    n_test = len(items) // 5
    test, pool = order[:n_test], order[n_test:]
    curves: dict[str, list[tuple[int, float]]] = {}
    for mode in (args.strategy, "random"):
        strategy = get_strategy(mode)
        r = np.random.default_rng(args.seed + 1)
        labeled = list(r.choice(pool, size=args.start, replace=False))
        curve = []
        for _ in range(args.rounds + 1):
            clf.fit([items[i] for i in labeled], [ClassLabel(y[i]) for i in labeled])
            acc = float((clf.predict_proba(X[test]).argmax(axis=1) == np.array([int(v) for v in y[test]])).mean())
            curve.append((len(labeled), acc))
            unl = np.setdiff1d(pool, labeled)
            proba = clf.predict_proba(X[unl])
            sel = strategy.fn(PoolView(confidence=proba.max(axis=1), proba=proba), args.step, r)
            labeled += [int(unl[i]) for i in sel.indices]
        curves[mode] = curve
    print(f"test accuracy on {n_test} held-out clips vs human labels:")
    print("labels  " + "  ".join(f"{m:>8}" for m in curves))
    for row in zip(*curves.values()):
        print(f"{row[0][0]:>6}  " + "  ".join(f"{acc:8.3f}" for _, acc in row))


if __name__ == "__main__":
    main()
