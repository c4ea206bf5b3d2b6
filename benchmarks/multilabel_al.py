"""Multi-label active learning against random on the generated ``topics`` set, through the real pipeline.

Every run is a real project (import, rounds, retrains) with the ``multilabel-logreg`` adapter. The
margin-like strategy for a multi-label model is ``margin`` on the item confidence (the adapter
gives no class distribution): run once with each item confidence the adapter offers, ``entropy``
(1 - mean binary entropy, the default) and ``closest`` (how far the least certain label is from
0.5), and ``random`` as the baseline (it ignores the confidence). Prints the summary tables and
the mean micro-F1 at a few label counts.

    python benchmarks/multilabel_al.py --seeds 3 --budget 200
"""

from __future__ import annotations

import argparse
import csv
import math
from collections import defaultdict
from dataclasses import replace
from pathlib import Path


def main() -> None:
    from activelabel.simulation.lab import simulate
    from activelabel.simulation.report import table
    from activelabel.simulation.runner import Settings
    from activelabel.simulation.tasks import load_dataset

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--init", type=int, default=20)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("multilabel-benchmark"))
    args = ap.parse_args()

    data = load_dataset("multilabel", "topics", seed=0)
    print(f"topics: {data.n_pool} pool, {data.n_eval} held out, labels {data.labels}")
    curves: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for confidence, strategies in (("entropy", ("random", "margin")), ("closest", ("margin",))):
        variant = replace(data, model={"params": {"confidence": confidence}})  # type: ignore[type-var]
        settings = Settings(strategies=strategies, seeds=args.seeds, init=args.init, batch=args.batch,
                            budget=args.budget)
        summary = simulate(variant, settings, args.out / confidence, jobs=args.jobs)
        print(f"\nitem confidence = {confidence}: full-pool micro-F1 {summary['full_metric']:.4f}")
        for line in table(summary):
            print(line)
        with (args.out / confidence / "curves.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                name = "random" if row["strategy"] == "random" else f"margin ({confidence})"
                if row["metric"]:
                    curves[name][int(row["labels"])].append(float(row["metric"]))
    marks = sorted({n for c in curves.values() for n in c})
    marks = [n for n in marks if n in (args.init, 50, 80, 100, 150, args.budget)]
    print("\nmean micro-F1 on the held-out set by labels:")
    print(f"{'strategy':<22}" + "".join(f"{n:>8}" for n in marks))
    for name, by in curves.items():
        cells = [sum(by[n]) / len(by[n]) if by.get(n) else math.nan for n in marks]
        print(f"{name:<22}" + "".join(f"{c:>8.3f}" for c in cells))


if __name__ == "__main__":
    main()
