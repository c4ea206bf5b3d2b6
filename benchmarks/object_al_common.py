"""Shared by the AL-vs-random scripts of the object kinds trained with Ultralytics from scratch
(keypoints_al.py, segmentation_al.py): generate a pool and a held-out set from the kind's sample,
replay the real loop through ``activelabel.simulation`` for each strategy and seed, print each round
with the load average, then the curves. Each script gives its kind and its own ``--help`` text.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_common import device_name, epochs_arg  # noqa: E402  (also points YOLO_CONFIG_DIR at a temporary folder)


@dataclass(frozen=True)
class ObjectKind:
    task: str  # activelabel.samples.<task> and activelabel.simulation.tasks.<task>
    sample: str  # what the generated images are called in the output
    metric: str  # the adapter's evaluate()["metric"], as printed
    uncertainty_module: str  # where the --uncertainty components are documented


def main(kind: ObjectKind, doc: str) -> None:
    """Parse the command line and run every (strategy, seed), printing each round and the curves."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-pool", type=int, default=120)
    ap.add_argument("--n-eval", type=int, default=40)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--strategies", default="random,least_confidence")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--init", type=int, default=10)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--budget", type=int, default=50)
    ap.add_argument("--epochs", type=epochs_arg, default="auto", help="epochs per fine-tune (warm-started each round): a number, "
                    "or 'auto' (the adapter's default: at least 300 optimiser steps a round)")
    ap.add_argument("--uncertainty", default="mean", help=f"mean, max, or one component of models/{kind.uncertainty_module}")
    args = ap.parse_args()

    from activelabel.simulation.runner import Settings, check_settings, run_one

    make_sample = importlib.import_module(f"activelabel.samples.{kind.task}").make_sample
    load = importlib.import_module(f"activelabel.simulation.tasks.{kind.task}").load

    print(f"device: {device_name(args.device)}; load average at start {os.getloadavg()}")
    settings = Settings(strategies=tuple(s for s in args.strategies.split(",") if s), seeds=args.seeds,
                        init=args.init, batch=args.batch, budget=args.budget)
    params = {"epochs": args.epochs, "device": args.device, "uncertainty": args.uncertainty, "imgsz": args.size}
    curves: dict[tuple[str, int], list[tuple[int, float, float]]] = {}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"{kind.sample}-") as tmp:
        pool = make_sample(Path(tmp) / "pool", args.n_pool, seed=0, size=args.size)
        held = make_sample(Path(tmp) / "eval", args.n_eval, seed=1000, size=args.size)
        data = load(str(pool / "annotations.json"), eval_path=str(held / "annotations.json"), seed=0,
                    options={"params": params})
        check_settings(settings, data)
        print(f"{kind.sample}: {data.n_pool} pool images, {data.n_eval} held out, {args.size} px, {args.epochs} epochs "
              f"per round, strategies {args.strategies}", flush=True)
        root = Path(tmp) / "runs"
        for strategy in settings.strategies:
            for seed in range(settings.seeds):
                rows: list[tuple[int, float, float]] = []
                stamp = [time.perf_counter()]

                def on_round(r: Any, rows: list[tuple[int, float, float]] = rows, stamp: list[float] = stamp,
                             strategy: str = strategy, seed: int = seed) -> None:
                    now = time.perf_counter()
                    rows.append((r.labels, r.metric, now - stamp[0]))
                    print(f"  {strategy:>16} seed {seed} round {r.round:2d}: {r.labels:4d} labels  {kind.metric} "
                          f"{r.metric:.3f}  ({now - stamp[0]:.0f} s, load {os.getloadavg()[0]:.1f})", flush=True)
                    stamp[0] = now

                run_one(data, root / "data", root, settings, strategy, seed, on_round=on_round)
                curves[(strategy, seed)] = rows
    print(f"\ncurve (labels -> {kind.metric} on the held-out images):")
    for (strategy, seed), rows in curves.items():
        print(f"  {strategy} (seed {seed}): " + "  ".join(f"{n}:{m:.3f}" for n, m, _ in rows))
    print(f"total wall time {time.perf_counter() - t_all:.0f} s; load average at the end {os.getloadavg()}")

