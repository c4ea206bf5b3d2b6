"""The promotion gate on digits, through the real pipeline: how often it refuses, what it costs,
and what the current version's accuracy on an outside test set does from round to round.

Each run is a project of the digits pool (no gold: the evaluation set is the answers'
validation share). An oracle answers ``--batch`` items per round; in the ``noisy`` scenario the
answers of rounds 4 and 5 have half their labels replaced by a wrong one (a careless batch).
Every round trains once with the gate (``gate``) or with ``--force`` (``force``: every version is
promoted, as before the gate). The current version is scored on the loader's 30% test split,
which the project never sees. Printed, never asserted:

    python benchmarks/promotion_gate.py [--seeds 3] [--rounds 10] [--batch 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.config import parse_config
from activelabel.loop import current_model
from activelabel.project import Project
from activelabel.simulation.tasks.classification import load
from activelabel.types import ClassLabel

NOISY_ROUNDS = (4, 5)


def _project(folder: Path, data: Any, seed: int, batch: int) -> Project:
    cfg = parse_config({"name": "gate-bench", "task": "classification", "labels": data.labels, "model": data.model,
                        "loop": {"strategy": "margin", "auto_accept_threshold": 1.0, "audit_rate": 0.0,
                                 "human_budget_per_round": batch, "retrain_every": 0, "seed": seed}})
    project = Project.init(folder, cfg)
    spec = data.write_pool(folder / "data")
    project.import_file(spec.path, **spec.options)
    project.prelabel()
    return project


def _test_set(folder: Path, data: Any) -> tuple[list[Any], list[Any]]:
    """The loader's test split as stored items, from a throwaway project that imports it as gold."""
    cfg = parse_config({"name": "holder", "task": "classification", "labels": data.labels})
    with Project.init(folder, cfg) as holder:
        spec = data.write_eval(folder / "data")
        holder.import_file(spec.path, as_gold=True, **spec.options)
        gold = holder.store.gold_items()
        return [g for g, _ in gold], [holder.spec.payload(v) for _, v in gold]


def run(data: Any, test: tuple[list[Any], list[Any]], root: Path, *, seed: int, rounds: int, batch: int,
        force: bool, noisy: bool) -> list[dict[str, Any]]:
    rng = np.random.default_rng([seed, 11])
    project = _project(root / f"{'force' if force else 'gate'}-{'noisy' if noisy else 'clean'}-{seed}", data, seed,
                       batch)
    out = []
    try:
        for rnd in range(rounds):
            for q in project.claim("oracle", batch):
                truth = data.answer(q.entry.item)
                if noisy and rnd in NOISY_ROUNDS and rng.random() < 0.5:
                    truth = ClassLabel(str(rng.choice([lab for lab in data.labels if lab != truth.label])))
                project.submit(q.entry.item.id, truth, annotator="oracle", trigger_retrain=False)
            start = time.perf_counter()
            version = project.train(wait=True, force=force)
            seconds = time.perf_counter() - start
            gate = project.store.get_version(version).metrics.get("gate", {})
            model, current = current_model(project)
            if model is None:
                raise SystemExit(f"round {rnd}: no current version after training {version}")
            out.append({"round": rnd, "labels": (rnd + 1) * batch, "outcome": gate.get("outcome"),
                        "held_out": gate.get("n_items"), "current": current,
                        "test": float(model.evaluate(*test)["metric"]), "train_s": seconds})
    finally:
        project.close()
    return out


def _gate_cost(data: Any, root: Path, *, seed: int, batch: int, rounds: int) -> tuple[float, float]:
    """Seconds to score the current version on the evaluation set (the gate's extra work), and to train."""
    from activelabel.evaluation_set import hold_out
    from activelabel.labels import resolve_labels
    from activelabel.promotion import score_version

    project = _project(root / f"cost-{seed}", data, seed, batch)
    try:
        for _ in range(rounds):
            for q in project.claim("oracle", batch):
                project.submit(q.entry.item.id, data.answer(q.entry.item), annotator="oracle", trigger_retrain=False)
        start = time.perf_counter()
        project.train(wait=True, force=True)
        train_s = time.perf_counter() - start
        rows = list(resolve_labels(project, include_auto=False).values())
        items = project.store.get_items([r.item_id for r in rows])
        held = hold_out(project, [items[r.item_id] for r in rows], [project.spec.payload(r.value) for r in rows], [])
        current = project.store.current_version()
        if current is None:
            raise SystemExit("no current version after a forced training")
        start = time.perf_counter()
        score_version(project, current, held.items, held.values)
        return time.perf_counter() - start, train_s
    finally:
        project.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("| scenario | mode | seed | refused | current's test accuracy per round | drops > 0.01 |")
        print("| --- | --- | --- | --- | --- | --- |")
        for noisy in (False, True):
            for seed in range(args.seeds):
                data = load("digits", eval_path=None, seed=seed, options={})
                test = _test_set(root / f"holder-{seed}-{int(noisy)}", data)
                for force in (False, True):
                    rows = run(data, test, root, seed=seed, rounds=args.rounds, batch=args.batch, force=force,
                               noisy=noisy)
                    curve = [r["test"] for r in rows]
                    drops = sum(1 for a, b in zip(curve, curve[1:]) if b < a - 0.01)
                    refused = sum(1 for r in rows if r["outcome"] == "refused")
                    print(f"| {'noisy' if noisy else 'clean'} | {'force' if force else 'gate'} | {seed} | {refused} | "
                          + " ".join(f"{x:.3f}" for x in curve) + f" | {drops} |", flush=True)
        costs = [_gate_cost(load("digits", eval_path=None, seed=s, options={}), root, seed=s, batch=args.batch,
                            rounds=args.rounds) for s in range(args.seeds)]
        print(f"\ngate cost at {args.rounds * args.batch} labels: scoring the current version on the evaluation set "
              f"{statistics.median(c[0] for c in costs) * 1000:.1f} ms (median of {len(costs)}), one training round "
              f"{statistics.median(c[1] for c in costs):.2f} s")


if __name__ == "__main__":
    main()
