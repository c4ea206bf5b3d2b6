"""Learning curves out: curves.csv, stopping.csv, summary.json and curves.png.

``labels_to_X`` is, per strategy, the mean over seeds of the labels at which the metric first
reaches X% of the full-pool metric; it is null unless every seed reaches it (``seeds_to_X`` says
how many did). ``auc`` is the mean metric over the curve, averaged over seeds.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.simulation.runner import RoundResult

CURVE_COLUMNS = ("strategy", "seed", "round", "labels", "metric")
STOP_COLUMNS = ("strategy", "seed", "round", "labels", "kappa", "mean_uncertainty", "advice", "selected_accuracy")


def _fmt(x: float | None) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.10g}"


def write_curves(results: list[RoundResult], out: Path) -> None:
    with (out / "curves.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CURVE_COLUMNS)
        for r in results:
            w.writerow([r.strategy, r.seed, r.round, r.labels, _fmt(r.metric)])
    with (out / "stopping.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(STOP_COLUMNS)
        for r in results:
            w.writerow([r.strategy, r.seed, r.round, r.labels, _fmt(r.kappa), _fmt(r.mean_uncertainty), r.advice,
                        _fmt(r.selected_accuracy)])


def _first_reach(labels: list[int], metric: list[float], target: float) -> int | None:
    for n, m in zip(labels, metric, strict=True):
        if not math.isnan(m) and m >= target:
            return n
    return None


def summarize(results: list[RoundResult], *, task: str, metric_name: str, full_metric: float,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
    runs: dict[str, dict[int, list[RoundResult]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        runs[r.strategy][r.seed].append(r)
    strategies: dict[str, Any] = {}
    for name, by_seed in runs.items():
        per: dict[str, list[Any]] = defaultdict(list)
        for rows in by_seed.values():
            rows.sort(key=lambda r: r.round)
            labels = [r.labels for r in rows]
            metric = [r.metric for r in rows]
            for pct in (95, 99):
                per[f"to_{pct}"].append(_first_reach(labels, metric, full_metric * pct / 100))
            finite = [m for m in metric if not math.isnan(m)]
            per["auc"].append(float(np.mean(finite)) if finite else float("nan"))
            per["final"].append(metric[-1])
            stop = next((r.labels for r in rows if r.advice.startswith("stop")), None)
            per["stop"].append(stop)
        entry: dict[str, Any] = {}
        for pct in (95, 99):
            reached = [x for x in per[f"to_{pct}"] if x is not None]
            entry[f"labels_to_{pct}"] = float(np.mean(reached)) if len(reached) == len(by_seed) else None
            entry[f"seeds_to_{pct}"] = f"{len(reached)}/{len(by_seed)}"
        entry["auc"] = float(np.nanmean(per["auc"]))
        entry["final"] = float(np.nanmean(per["final"]))
        stops = [x for x in per["stop"] if x is not None]
        entry["stop_advised_at"] = float(np.mean(stops)) if stops else None
        strategies[name] = entry
    return {"task": task, "metric": metric_name, "full_metric": full_metric, "strategies": strategies,
            **(extra or {})}


def write_summary(summary: dict[str, Any], out: Path) -> None:
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


def plot_curves(results: list[RoundResult], summary: dict[str, Any], out: Path) -> Path:
    """Mean curve per strategy with a band from the lowest to the highest seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    grouped: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        grouped[r.strategy][r.labels].append(r.metric)
    for name, by_labels in grouped.items():
        xs = sorted(by_labels)
        vals = [np.array(by_labels[x], dtype=float) for x in xs]
        mean = np.array([np.nanmean(v) if np.isfinite(v).any() else np.nan for v in vals])
        lo = np.array([np.nanmin(v) if np.isfinite(v).any() else np.nan for v in vals])
        hi = np.array([np.nanmax(v) if np.isfinite(v).any() else np.nan for v in vals])
        (line,) = ax.plot(xs, mean, label=name, linewidth=1.6)
        ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.15, linewidth=0)
    full = summary["full_metric"]
    ax.axhline(full, color="black", linewidth=1, label=f"full pool ({full:.3f})")
    ax.axhline(0.99 * full, color="grey", linestyle=":", linewidth=1, label="99% of full")
    ax.axhline(0.95 * full, color="grey", linestyle="--", linewidth=1, label="95% of full")
    ax.set_xlabel("human labels")
    ax.set_ylabel(summary["metric"])
    ax.set_title(f"{summary.get('dataset', '')} ({summary['task']}): mean and min-max over seeds")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    path = out / "curves.png"
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def table(summary: dict[str, Any]) -> list[str]:
    """The summary as aligned text lines, for the terminal and the benchmarks."""
    lines = [f"{'strategy':<24}{'to 95%':>10}{'to 99%':>10}{'auc':>8}{'final':>8}{'stop at':>9}"]

    def num(x: Any, seeds: str) -> str:
        return f"{x:.0f}" if x is not None else f"- ({seeds})"

    for name, s in summary["strategies"].items():
        stop = f"{s['stop_advised_at']:.0f}" if s["stop_advised_at"] is not None else "-"
        lines.append(f"{name:<24}{num(s['labels_to_95'], s['seeds_to_95']):>10}{num(s['labels_to_99'], s['seeds_to_99']):>10}"
                     f"{s['auc']:>8.3f}{s['final']:>8.3f}{stop:>9}")
    return lines
