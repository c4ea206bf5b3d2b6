"""Image-classification active learning against random on the digits images, through the real pipeline.

Every run is a real project (import, rounds, retrains) with the ``yolo-cls`` adapter built offline
from ``yolov8n-cls.yaml`` and trained at 32 px (the digits are scikit-learn's bundled 8x8 scans,
written as 32 px PNGs; 1,258 pool images, 539 held out, stratified). ``margin`` and ``entropy``
rank by the classifier's class probabilities (``results[i].probs``); ``random`` is the baseline.
Retraining continues from the current version (warm start). Prints the summary table, the mean
held-out accuracy at each label count, the run time and the machine's load average.

    python benchmarks/image_classification_al.py --seeds 2 --init 20 --batch 30 --budget 200
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import time
from collections import defaultdict
from pathlib import Path


def main() -> None:
    from activelabel.simulation.lab import simulate
    from activelabel.simulation.report import table
    from activelabel.simulation.runner import Settings
    from activelabel.simulation.tasks import load_dataset

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--init", type=int, default=20)
    ap.add_argument("--batch", type=int, default=30)
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--strategies", default="random,margin,entropy")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("image-classification-benchmark"))
    args = ap.parse_args()

    print(f"load average at start (1, 5, 15 min): {os.getloadavg()}, {os.cpu_count()} CPUs", flush=True)
    t0 = time.time()
    data = load_dataset("image_classification", "digits", seed=0, options={"params": {"epochs": args.epochs}})
    print(f"digits: {data.n_pool} pool, {data.n_eval} held out, labels {data.labels}, model {data.model}", flush=True)
    settings = Settings(strategies=tuple(args.strategies.split(",")), seeds=args.seeds, init=args.init,
                        batch=args.batch, budget=args.budget)
    summary = simulate(data, settings, args.out, jobs=args.jobs)
    print(f"\nfull-pool accuracy {summary['full_metric']:.4f}")
    for line in table(summary):
        print(line)
    curves: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    with (args.out / "curves.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["metric"]:
                curves[row["strategy"]][int(row["labels"])].append(float(row["metric"]))
    marks = sorted({n for c in curves.values() for n in c})
    print(f"\nmean held-out accuracy by labels ({args.seeds} seeds):")
    print(f"{'strategy':<10}" + "".join(f"{n:>8}" for n in marks))
    for name, by in curves.items():
        cells = [sum(by[n]) / len(by[n]) if by.get(n) else math.nan for n in marks]
        print(f"{name:<10}" + "".join(f"{c:>8.3f}" for c in cells))
    print(f"\n{time.time() - t0:.0f} s; load average at the end (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
