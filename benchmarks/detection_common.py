"""Shared by the detection benchmarks: replay a labeled detection set through the real loop and print curves.

Every run goes through ``activelabel.simulation`` (real projects, real imports, real YOLO training
between rounds, warm-started from the previous version), so the figures are what a user gets.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("YOLO_CONFIG_DIR", str(Path(tempfile.gettempdir()) / "activelabel-bench-yolo-config"))


def add_common(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                    help="auto: CUDA when torch sees a GPU, else CPU")
    ap.add_argument("--strategies", default="random,least_confidence")
    ap.add_argument("--seeds", type=int, default=1, help="how many seeds")
    ap.add_argument("--first-seed", type=int, default=0, help="seeds run from this one (to add seeds to an earlier run)")
    ap.add_argument("--init", type=int, default=20, help="labels of the cold-start round (random)")
    ap.add_argument("--batch", type=int, default=20, help="labels per later round (one fine-tune each)")
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--epochs", type=epochs_arg, default="auto",
                    help="epochs per fine-tune (warm-started each round): a number, or 'auto' (the adapter's default: "
                         "at least min_steps optimiser steps a round)")
    ap.add_argument("--uncertainty", default="mean", help="image-level reduction: least_confident, mean_entropy, "
                                                           "ambiguous, flip, mean, max")
    ap.add_argument("--full-pool", action="store_true", help="also train the full-pool reference model")


def device_name(device: str) -> str:
    import torch

    from activelabel.models.yolo import resolve_device

    resolved = resolve_device(device)
    if resolved == "cpu":
        return f"CPU ({os.cpu_count()} cores visible, torch threads {torch.get_num_threads()})"
    return f"CUDA {torch.cuda.get_device_name(0)}"


def replay(dataset: Any, args: argparse.Namespace, target: float | None = None) -> dict[str, Any]:
    """Run every (strategy, seed) and print one line per round; returns curves and timings."""
    from activelabel.simulation.runner import Settings, check_settings, full_pool_metric, run_one

    settings = Settings(strategies=tuple(s for s in args.strategies.split(",") if s), seeds=args.seeds,
                        init=args.init, batch=args.batch, budget=args.budget)
    check_settings(settings, dataset)
    out: dict[str, Any] = {"curves": {}, "round_seconds": {}}
    with tempfile.TemporaryDirectory(prefix="activelabel-bench-") as tmp:
        root = Path(tmp)
        files = root / "data"
        if args.full_pool:
            t0 = time.perf_counter()
            full = full_pool_metric(dataset, files, root, settings)
            out["full_pool"] = full
            print(f"full-pool reference ({dataset.n_pool} labeled images): mAP50 {full:.3f} "
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)
        for strategy in settings.strategies:
            for seed in range(args.first_seed, args.first_seed + settings.seeds):
                stamps = [time.perf_counter()]
                rows: list[tuple[int, float, float]] = []

                def on_round(r: Any, stamps: list[float] = stamps, rows: list[tuple[int, float, float]] = rows,
                             strategy: str = strategy, seed: int = seed) -> None:
                    stamps.append(time.perf_counter())
                    rows.append((r.labels, r.metric, stamps[-1] - stamps[-2]))
                    print(f"  {strategy:>18} seed {seed} round {r.round:2d}: {r.labels:4d} labels  "
                          f"mAP50 {r.metric:.3f}  ({stamps[-1] - stamps[-2]:.0f} s)", flush=True)

                run_one(dataset, files, root, settings, strategy, seed, on_round=on_round)
                out["curves"][(strategy, seed)] = rows
    print_summary(out, target)
    return out


def print_summary(out: dict[str, Any], target: float | None) -> None:
    print("\ncurve (labels -> mAP50 on the held-out images):")
    for (strategy, seed), rows in out["curves"].items():
        curve = "  ".join(f"{n}:{m:.3f}" for n, m, _ in rows)
        reach = next((n for n, m, _ in rows if not math.isnan(m) and target is not None and m >= target), None)
        per_round = sum(s for _, _, s in rows) / max(len(rows), 1)
        where = "" if target is None else (f"; reaches {target:.2f} at {reach} labels" if reach is not None
                                           else f"; does not reach {target:.2f} within the budget")
        print(f"  {strategy} (seed {seed}): {curve}{where}; mean wall time per round {per_round:.0f} s")
    print_means(out["curves"])


def print_means(curves: dict[tuple[str, int], list[tuple[int, float, float]]]) -> None:
    """Mean +- sd over seeds at each label count, and where each strategy's mean is above random's."""
    means: dict[str, dict[int, list[float]]] = {}
    for (strategy, _seed), rows in curves.items():
        for n, m, _ in rows:
            means.setdefault(strategy, {}).setdefault(n, []).append(m)
    counts = sorted({n for per in means.values() for n in per})
    print("\nmAP50, mean +- sd over seeds, by labels:")
    print(f"  {'strategy':>18} " + "".join(f"{n:>14d}" for n in counts))
    for strategy, per in means.items():
        cells = "".join(f"  {np.mean(per[n]):.3f}+-{np.std(per[n]):.3f}" if n in per else f"{'-':>14}" for n in counts)
        print(f"  {strategy:>18} {cells}  ({len(next(iter(per.values())))} seeds)")
    if "random" not in means:
        return
    for strategy, per in means.items():
        if strategy == "random":
            continue
        gaps = {n: float(np.mean(per[n]) - np.mean(means["random"][n])) for n in counts if n in per and n in means["random"]}
        text = "  ".join(f"{n}:{g:+.3f}" for n, g in gaps.items())
        print(f"  {strategy} minus random: {text}")


def model_options(args: argparse.Namespace, imgsz: int | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"epochs": args.epochs, "device": args.device, "uncertainty": args.uncertainty}
    if imgsz:
        params["imgsz"] = imgsz
    return {"params": params}


def epochs_arg(text: str) -> int | str:
    """``--epochs``: a number, or "auto" (the YOLO adapters' default: at least ``min_steps`` steps a round)."""
    return text if text == "auto" else int(text)
