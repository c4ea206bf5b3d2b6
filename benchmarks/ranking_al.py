"""Active learning vs random for response ranking, through the real pipeline (``activelabel simulate``).

The data is the project-made ``preferences`` set (``activelabel.samples.ranking``: seeded prompts
with 2..4 responses and a hidden quality the reward model's features can learn), 30% held out as
gold. Each (strategy, seed) run is a real project: the oracle ranks the queue, every round retrains
the pairwise reward model and re-scores the pool. ``margin`` (like ``least_confidence``) ranks by
the item confidence, the probability of the item's least sure pair, so the items with a pair the
model cannot call go to people first. Prints the mean pairwise accuracy on the held-out set per
label count, and the simulate summary (labels to 95%/99% of the full-pool metric, AUC).

    python benchmarks/ranking_al.py                      # 3 seeds, 10 + 10 per round up to 100
    python benchmarks/ranking_al.py --seeds 5 --budget 150 --strategies random,margin,least_confidence
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strategies", default="random,margin")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--init", type=int, default=10)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()

    from activelabel.simulation.lab import simulate
    from activelabel.simulation.report import table
    from activelabel.simulation.runner import RoundResult, Settings, check_settings
    from activelabel.simulation.tasks import load_dataset

    data = load_dataset("ranking", "preferences", seed=0)
    settings = Settings(strategies=tuple(args.strategies.split(",")), seeds=args.seeds, init=args.init,
                        batch=args.batch, budget=args.budget)
    check_settings(settings, data)
    print(f"{data.name}: {data.n_pool} pool items, {data.n_eval} held out; strategies {args.strategies}, "
          f"{args.seeds} seeds, {args.init} + {args.batch}/round up to {args.budget} labels")
    results: list[RoundResult] = []

    def progress(result: RoundResult | None, _message: str) -> None:
        if result is not None:
            results.append(result)

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ranking-al-") as tmp:
        summary = simulate(data, settings, Path(tmp), progress=progress, jobs=args.jobs)
    curves: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        curves[r.strategy][r.labels].append(r.metric)
    names = list(settings.strategies)
    print(f"\nmean held-out pairwise accuracy over {args.seeds} seeds (full pool: {summary['full_metric']:.3f})")
    print("labels  " + "  ".join(f"{n:>16}" for n in names))
    for labels in sorted({lab for c in curves.values() for lab in c}):
        cells = []
        for n in names:
            vals = curves[n].get(labels, [])
            cells.append(f"{np.nanmean(vals):.3f} +- {np.nanstd(vals):.3f}" if vals else "-")
        print(f"{labels:>6}  " + "  ".join(f"{c:>16}" for c in cells))
    print()
    for line in table(summary):
        print(line)
    print(f"wall time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
