"""Stopping advice against the learning curves: where does the advice first say "stop", and how far
is the accuracy there from the accuracy at the end of a run that labels well past the plateau?

Each run is ``simulate``'s own replay (``simulation.runner.run_one``: a real project, an oracle,
``Project.train`` every round) with the loop's default strategy. The per-round signals
(kappa between successive versions on the stop set, mean pool uncertainty) and the metric on
the held-out split go to a trace; the advice rule of ``strategies/stopping.py`` is then applied
to the trace round by round, so other thresholds can be compared on the same runs
(``--from-trace``) without replaying them. Printed, never asserted:

    python benchmarks/stopping_advice.py --sms ../shared/data/sms_spam/SMSSpamCollection.tsv \\
        --seeds 3 --trace /tmp/stop_trace.csv
    python benchmarks/stopping_advice.py --from-trace /tmp/stop_trace.csv
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from activelabel.config import LoopConfig
from activelabel.simulation.runner import Settings, run_one
from activelabel.simulation.tasks.classification import load
from activelabel.strategies.stopping import (
    KAPPA_THRESHOLD,
    KAPPA_WINDOW,
    SELECTED_THRESHOLD,
    SELECTED_WINDOW,
    advise,
    pooled_accuracy,
)

MARGIN = 0.01  # "where it fires, the accuracy is within this of the final"
Trace = dict[tuple[str, int], list[dict[str, Any]]]
Rule = Callable[[list[dict[str, Any]]], bool]  # the trace rows so far -> stop


def old_rule(rows: list[dict[str, Any]]) -> bool:
    """The rule before issue 16's second part: mean kappa >= 0.99 over 3 comparisons, or uncertainty < 0.05."""
    recent = [r["kappa"] for r in rows[-3:] if r["kappa"] is not None]
    uncertainty = rows[-1]["mean_uncertainty"]
    return (len(recent) == 3 and sum(recent) / 3 >= 0.99) or (uncertainty is not None and uncertainty < 0.05)


def uncertainty_rule(rows: list[dict[str, Any]]) -> bool:
    """A first draft of the new rule: kappa >= 0.99 in each of the last 3 comparisons and uncertainty < 0.02."""
    recent = [r["kappa"] for r in rows[-3:] if r["kappa"] is not None]
    uncertainty = rows[-1]["mean_uncertainty"]
    return len(recent) == 3 and min(recent) >= 0.99 and uncertainty is not None and uncertainty < 0.02


def current_rule(rows: list[dict[str, Any]]) -> bool:
    """``strategies/stopping.advise`` with its defaults (what ``status`` and the dashboard say). Every round
    has the same number of answers, so the per-round selected accuracies pool as (hits, 10) each."""
    per_round = [None if r["selected_accuracy"] is None else (round(r["selected_accuracy"] * 10), 10) for r in rows]
    return advise([r["kappa"] for r in rows], selected_accuracy=pooled_accuracy(per_round),
                  mean_uncertainty=rows[-1]["mean_uncertainty"]).stop


def collect(datasets: Sequence[tuple[str, str, int, int]], seeds: range, init: int, batch: int) -> Trace:
    """Replay every (data set, seed) with the default strategy; one trace row per round."""
    strategy = LoopConfig().strategy
    trace: Trace = {}
    with tempfile.TemporaryDirectory(prefix="stopping-bench-") as tmp:
        for name, path, budget, subsample in datasets:
            for seed in seeds:
                data = load(path, eval_path=None, seed=seed, options={})
                settings = Settings(strategies=(strategy,), seeds=1, init=init, batch=batch, budget=budget,
                                    pool_subsample=subsample)
                start = time.perf_counter()
                rows = run_one(data, Path(tmp) / f"{name}-{seed}" / "files", Path(tmp) / f"{name}-{seed}", settings,
                               strategy, seed)
                trace[(name, seed)] = [{"labels": r.labels, "metric": r.metric, "kappa": r.kappa,
                                        "mean_uncertainty": r.mean_uncertainty,
                                        "selected_accuracy": r.selected_accuracy} for r in rows]
                print(f"# {name} seed {seed}: {len(rows)} rounds to {rows[-1].labels} labels in "
                      f"{time.perf_counter() - start:.0f} s", flush=True)
    return trace


def write_trace(trace: Trace, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["dataset", "seed", "labels", "metric", "kappa", "mean_uncertainty", "selected_accuracy"])
        for (name, seed), rows in trace.items():
            for r in rows:
                w.writerow([name, seed, r["labels"], r["metric"], _blank(r["kappa"]), _blank(r["mean_uncertainty"]),
                            _blank(r["selected_accuracy"])])


def read_trace(path: Path) -> Trace:
    trace: Trace = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            trace.setdefault((row["dataset"], int(row["seed"])), []).append(
                {"labels": int(row["labels"]), "metric": float(row["metric"]), "kappa": _num(row["kappa"]),
                 "mean_uncertainty": _num(row["mean_uncertainty"]),
                 "selected_accuracy": _num(row.get("selected_accuracy") or "")})
    return trace


def first_stop(rows: list[dict[str, Any]], rule: Rule) -> int | None:
    """The index of the first round whose advice says stop (None: never)."""
    for n in range(len(rows)):
        if rule(rows[: n + 1]):
            return n
    return None


def table(trace: Trace, rule: Rule, title: str) -> int:
    """Print one rule's table; returns how many runs it stopped outside the margin (or never)."""
    print(f"\n{title}")
    print("| data set | seed | advice says stop at (labels) | accuracy there | final (labels) | best | final - there |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    misses = 0
    for (name, seed), rows in trace.items():
        final = rows[-1]
        best = max(r["metric"] for r in rows if not math.isnan(r["metric"]))
        at = first_stop(rows, rule)
        if at is None:
            misses += 1
            print(f"| {name} | {seed} | never | - | {final['metric']:.3f} ({final['labels']}) | {best:.3f} | - |")
            continue
        gap = final["metric"] - rows[at]["metric"]
        misses += gap > MARGIN
        print(f"| {name} | {seed} | {rows[at]['labels']} | {rows[at]['metric']:.3f} | {final['metric']:.3f} "
              f"({final['labels']}) | {best:.3f} | {gap:+.3f} |")
    print(f"runs where the advice fired more than {MARGIN} below the final accuracy, or never: {misses}")
    return misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sms", help="the SMS spam TSV (label<TAB>text); without it, digits only")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    parser.add_argument("--init", type=int, default=20)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--digits-budget", type=int, default=400)
    parser.add_argument("--sms-budget", type=int, default=300)
    parser.add_argument("--sms-subsample", type=int, default=1000, help="pool items scored per round on SMS")
    parser.add_argument("--trace", type=Path, help="write the per-round trace here")
    parser.add_argument("--from-trace", type=Path, help="re-evaluate the rules on a written trace")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.from_trace:
        trace = read_trace(args.from_trace)
    else:
        datasets = [("digits", "digits", args.digits_budget, 0)]
        if args.sms:
            datasets.append(("sms_spam", args.sms, args.sms_budget, args.sms_subsample))
        trace = collect(datasets, range(args.first_seed, args.first_seed + args.seeds), args.init, args.batch)
        if args.trace:
            write_trace(trace, args.trace)
    table(trace, old_rule, "old rule: mean kappa >= 0.99 over 3 comparisons, or mean uncertainty < 0.05")
    table(trace, uncertainty_rule, "draft: kappa >= 0.99 in each of the last 3 comparisons and mean uncertainty < 0.02")
    table(trace, current_rule, f"current rule: kappa >= {KAPPA_THRESHOLD} in each of the last {KAPPA_WINDOW} "
          f"comparisons and selected accuracy >= {SELECTED_THRESHOLD} over the last {SELECTED_WINDOW} rounds")
    print(f"machine after: load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _blank(value: float | None) -> str:
    return "" if value is None else repr(value)


def _num(text: str) -> float | None:
    return float(text) if text else None


if __name__ == "__main__":
    main()
