"""Which fine-tuning schedule makes NER improve with more answers? Random sampling on WNUT-17.

    python benchmarks/ner_schedules.py [--seeds 0,1] [--sizes 100,200,300,500] [--configs all] [--jobs 2]

Every configuration labels the same random sentences in the same order (per seed), so the curves
differ only by how each round trains: warm from the previous round's model (the old default) or
again from the pretrained pipeline, the epochs a round, and the rehearsal share (pretrained texts
per answer). A schedule wins if F1 rises with the answers and ends highest at the last size.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from ner_common import DEFAULT_DATA, load_wnut
from ner_learning_curve import run_all

OLD = {"rehearse_taught": True}  # rehearsal as it was: the pretrained guesses of every type, taught or not
CONFIGS: dict[str, dict] = {
    "warm_5ep": {**OLD, "retrain_from": "current", "n_iter": 5},
    "warm_10ep": {**OLD, "retrain_from": "current", "n_iter": 10},  # the old default
    "pretrained_5ep": {**OLD, "retrain_from": "pretrained", "n_iter": 5},
    "pretrained_10ep": {**OLD, "retrain_from": "pretrained", "n_iter": 10},
    "pretrained_5ep_rehearse0.5": {**OLD, "retrain_from": "pretrained", "n_iter": 5, "rehearse_ratio": 0.5},
    "pretrained_5ep_no_rehearsal": {"retrain_from": "pretrained", "n_iter": 5, "rehearse": False},
    "pretrained_5ep_silver_only": {**OLD, "retrain_from": "pretrained", "n_iter": 5, "rehearse_ratio": 0.0},
    "pretrained_10ep_no_rehearsal": {"retrain_from": "pretrained", "n_iter": 10, "rehearse": False},
    "pretrained_10ep_rehearse0.5": {**OLD, "retrain_from": "pretrained", "n_iter": 10, "rehearse_ratio": 0.5},
    "pretrained_10ep_rehearse2": {**OLD, "retrain_from": "pretrained", "n_iter": 10, "rehearse_ratio": 2.0},
    # the adapter's defaults: from the pretrained pipeline, "auto" epochs, untaught types rehearsed
    "default": {},
    "warm_auto_untaught": {"retrain_from": "current"},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--sizes", default="100,200,300,500")
    ap.add_argument("--pool", type=int, default=1000)
    ap.add_argument("--eval", type=int, default=400)
    ap.add_argument("--configs", default="all", help=f"comma-separated, from {', '.join(CONFIGS)}")
    ap.add_argument("--jobs", type=int, default=2, help="runs in parallel processes")
    args = ap.parse_args()
    rows = load_wnut(args.data)
    sizes = [int(s) for s in args.sizes.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    names = list(CONFIGS) if args.configs == "all" else args.configs.split(",")
    unknown = set(names) - set(CONFIGS)
    if unknown:
        ap.error(f"unknown configs {sorted(unknown)}; known: {', '.join(CONFIGS)}")
    print(f"WNUT-17: {len(rows)} sentences; pool {args.pool}, eval {args.eval}; random sampling; seeds {seeds}")
    results = run_all(rows, [(name, "random", CONFIGS[name]) for name in names], seeds, sizes,
                      args.pool, args.eval, args.jobs)
    print("\nentity F1 (mean over seeds) by labeled sentences; worst round-to-round drop; CPU s a round")
    print(f"{'schedule':30s}" + "".join(f"{s:>8d}" for s in sizes) + "   drop   CPU s")
    for name, runs in results.items():
        f1 = np.array([[c[1] for c in r] for r in runs])
        cpu = np.array([[c[3] for c in r] for r in runs])
        drop = max(0.0, float(np.max(f1[:, :-1] - f1[:, 1:]))) if len(sizes) > 1 else 0.0
        print(f"{name:30s}" + "".join(f"{m:8.3f}" for m in f1.mean(0)) + f"  {drop:5.3f}  {cpu.mean():6.1f}")


if __name__ == "__main__":
    main()
