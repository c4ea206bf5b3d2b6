"""Strategy comparison through the real pipeline (``activelabel simulate``), printed as a table.

Runs the issue's figures: digits with random / least_confidence / margin / entropy and the lab's
strategies, and the same on the SMS spam file. Every run is a real project (import, rounds,
retrains), so this takes a while on a small machine; ``--jobs`` runs seeds in parallel.

    python benchmarks/simulate_strategies.py --dataset digits --seeds 5 --budget 400
    python benchmarks/simulate_strategies.py --dataset ../shared/data/sms_spam/SMSSpamCollection.tsv \\
        --strategies random,margin,class_balanced_margin --pool-subsample 1000
    python benchmarks/simulate_strategies.py --report OUT_A OUT_B   # merge finished runs, same seeds only
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

from activelabel.simulation.runner import RoundResult

DEFAULT_STRATEGIES = "random,least_confidence,margin,entropy,uncertainty_diversity,class_balanced_margin"


def load_runs(folders: list[Path]) -> tuple[list[RoundResult], dict[str, object]]:
    """Curves of finished runs, plus the first folder's summary (task, metric, full-pool metric)."""
    results: list[RoundResult] = []
    meta: dict[str, object] = {}
    for folder in folders:
        summary = json.loads((folder / "summary.json").read_text())
        if meta and abs(float(meta["full_metric"]) - float(summary["full_metric"])) > 1e-9:  # type: ignore[arg-type]
            raise SystemExit(f"{folder}: another held-out split or model (full metric differs); cannot merge")
        meta = meta or summary
        for row in csv.DictReader((folder / "curves.csv").open()):
            metric = float(row["metric"]) if row["metric"] else math.nan
            results.append(RoundResult(row["strategy"], int(row["seed"]), int(row["round"]), int(row["labels"]),
                                       metric, None, None, ""))
        for row in csv.DictReader((folder / "stopping.csv").open()):
            for i, r in enumerate(results):
                if (r.strategy, r.seed, r.round) == (row["strategy"], int(row["seed"]), int(row["round"])):
                    results[i] = RoundResult(r.strategy, r.seed, r.round, r.labels, r.metric, None, None,
                                             row["advice"])
    return results, meta


def report(folders: list[Path], plot: Path | None = None) -> None:
    from activelabel.simulation.report import plot_curves, summarize, table

    results, meta = load_runs(folders)
    seeds_by = {}
    for r in results:
        seeds_by.setdefault(r.strategy, set()).add(r.seed)
    common = set.intersection(*seeds_by.values())
    max_labels = min(max(r.labels for r in results if r.strategy == s) for s in seeds_by)
    kept = [r for r in results if r.seed in common and r.labels <= max_labels]
    summary = summarize(kept, task=str(meta["task"]), metric_name=str(meta["metric"]),
                        full_metric=float(meta["full_metric"]))  # type: ignore[arg-type]
    print(f"{meta.get('dataset')}: full-pool {meta['metric']} {summary['full_metric']:.4f}; "
          f"seeds {sorted(common)}; curves up to {max_labels} labels")
    for line in table(summary):
        print(line)
    if plot is not None:
        plot.mkdir(parents=True, exist_ok=True)
        summary["dataset"] = meta.get("dataset", "")
        print(f"plot: {plot_curves(kept, summary, plot)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="digits", help="digits, or a labeled CSV/TSV/JSONL file")
    ap.add_argument("--strategies", default=DEFAULT_STRATEGIES)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--init", type=int, default=20)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--budget", type=int, default=400)
    ap.add_argument("--pool-subsample", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1, help="runs at once (worker processes)")
    ap.add_argument("--out", type=Path, default=Path("simulation-benchmark"))
    ap.add_argument("--report", type=Path, nargs="+", help="only print the merged table of finished output folders")
    ap.add_argument("--plot", type=Path, help="with --report: write the merged curves.png into this folder")
    args = ap.parse_args()
    if args.report:
        report(args.report, args.plot)
        return
    from activelabel.simulation.lab import simulate
    from activelabel.simulation.runner import Settings
    from activelabel.simulation.tasks import load_dataset

    data = load_dataset("classification", args.dataset)
    settings = Settings(strategies=tuple(args.strategies.split(",")), seeds=args.seeds, init=args.init,
                        batch=args.batch, budget=args.budget, pool_subsample=args.pool_subsample)
    simulate(data, settings, args.out, jobs=args.jobs)
    report([args.out])


if __name__ == "__main__":
    main()
