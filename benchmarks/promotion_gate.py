"""The promotion gate on digits, through the real pipeline: how often it refuses, what it costs,
and what the current version's accuracy on an outside test set does from round to round.

Each run is a project of the digits pool. Without gold the evaluation set is the answers'
validation share (4 items after the first round, 40 after the tenth); the ``+gold`` scenarios
import ``--gold`` items of the loader's test split as gold, so the gate compares on those (and
the outside test set is the rest of the split). An oracle answers ``--batch`` items per round; in the ``noisy`` scenarios the
answers of the 5th and 6th rounds have half their labels replaced by a wrong one (a careless batch).
Every round trains once with the gate as configured by default (``gate``: tolerance, paired sign
test, minimum set size), with the raw comparison of the first gate (``raw``: refuse whenever the
metric drops by more than the tolerance, however few the items; ``promotion_significance = 1``,
``promotion_min_items = 1``), or with ``--force`` (``force``: every version is promoted). The
current version is scored on the loader's 30% test split, which the project never sees. Printed,
never asserted:

    python benchmarks/promotion_gate.py [--seeds 3] [--rounds 10] [--batch 20] [--modes gate,raw,force]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.config import parse_config
from activelabel.loop import current_model
from activelabel.project import Project
from activelabel.simulation.tasks.classification import load
from activelabel.types import ClassLabel

NOISY_ROUNDS = (4, 5)
RAW = {"promotion_significance": 1.0, "promotion_min_items": 1}  # the first gate: the difference alone
MODES: dict[str, dict[str, Any]] = {"gate": {}, "raw": RAW, "force": {}}


def _project(folder: Path, data: Any, seed: int, batch: int, loop: dict[str, Any] | None = None,
             gold: Any = None) -> Project:
    cfg = parse_config({"name": "gate-bench", "task": "classification", "labels": data.labels, "model": data.model,
                        "loop": {"strategy": "margin", "auto_accept_threshold": 1.0, "audit_rate": 0.0,
                                 "human_budget_per_round": batch, "retrain_every": 0, "seed": seed,
                                 **(loop or {})}})
    project = Project.init(folder, cfg)
    if gold is not None:
        held = gold.write_eval(folder / "gold")
        project.import_file(held.path, as_gold=True, **held.options)
    spec = data.write_pool(folder / "data")
    project.import_file(spec.path, **spec.options)
    project.prelabel()
    return project


def _split_gold(data: Any, n: int, seed: int) -> tuple[Any, Any]:
    """(the data set whose eval rows are the ``n`` gold items, the one whose eval rows are the rest)."""
    order = np.random.default_rng([seed, 13]).permutation(len(data.eval))
    rows = [data.eval[i] for i in order]
    return replace(data, eval=rows[:n]), replace(data, eval=rows[n:])


def _test_set(folder: Path, data: Any) -> tuple[list[Any], list[Any]]:
    """The loader's test split as stored items, from a throwaway project that imports it as gold."""
    cfg = parse_config({"name": "holder", "task": "classification", "labels": data.labels})
    with Project.init(folder, cfg) as holder:
        spec = data.write_eval(folder / "data")
        holder.import_file(spec.path, as_gold=True, **spec.options)
        gold = holder.store.gold_items()
        return [g for g, _ in gold], [holder.spec.payload(v) for _, v in gold]


def run(data: Any, test: tuple[list[Any], list[Any]], root: Path, *, seed: int, rounds: int, batch: int,
        mode: str, noisy: bool, gold: Any = None) -> list[dict[str, Any]]:
    rng = np.random.default_rng([seed, 11])
    force = mode == "force"
    name = f"{mode}-{'noisy' if noisy else 'clean'}-{'gold' if gold is not None else 'share'}-{seed}"
    project = _project(root / name, data, seed, batch, MODES[mode], gold)
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
                        "held_out": gate.get("n_items"), "current": current, "p": gate.get("p_value"),
                        "worse": gate.get("worse"), "better": gate.get("better"),
                        "test": float(model.evaluate(*test)["metric"]), "train_s": seconds})
    finally:
        project.close()
    return out


def _gate_cost(data: Any, root: Path, *, seed: int, batch: int, rounds: int) -> tuple[float, float]:
    """Seconds for the gate's extra work (score the current version on the evaluation set, and both
versions per item), and to train."""
    from activelabel.evaluation_set import hold_out
    from activelabel.labels import resolve_labels
    from activelabel.promotion import item_scores, score_version

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
        score_version(project, current, held.items, held.values)  # the current version's metric
        model, _ = current_model(project)
        if model is None:
            raise SystemExit("no current model after a forced training")
        item_scores(project, model, held)  # per-item scores for the paired test, twice: new and current
        item_scores(project, model, held)
        return time.perf_counter() - start, train_s
    finally:
        project.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--modes", default="gate,raw,force", help=f"of {', '.join(MODES)}")
    parser.add_argument("--gold", type=int, default=150, help="gold items in the +gold scenarios (0: none)")
    parser.add_argument("--no-noisy", dest="noisy", action="store_false", help="clean answers only")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        raise SystemExit(f"--modes: unknown {unknown}; the modes are {', '.join(MODES)}")
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        details = []
        print("| scenario | mode | seed | refused (rounds) | current's test accuracy per round | drops > 0.01 | final |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for noisy, n_gold in ((False, 0), (True, 0), (False, args.gold), (True, args.gold)):
            if noisy and not args.noisy:
                continue
            for seed in range(args.seeds):
                data = load("digits", eval_path=None, seed=seed, options={})
                gold, outside = _split_gold(data, n_gold, seed) if n_gold else (None, data)
                test = _test_set(root / f"holder-{seed}-{int(noisy)}-{n_gold}", outside)
                for mode in modes:
                    rows = run(data, test, root, seed=seed, rounds=args.rounds, batch=args.batch, mode=mode,
                               noisy=noisy, gold=gold)
                    curve = [r["test"] for r in rows]
                    drops = sum(1 for a, b in zip(curve, curve[1:]) if b < a - 0.01)
                    refused = [r["round"] + 1 for r in rows if r["outcome"] == "refused"]
                    scenario = ("noisy" if noisy else "clean") + (f"+{n_gold} gold" if n_gold else "")
                    print(f"| {scenario} | {mode} | {seed} | {len(refused)} ({' '.join(map(str, refused)) or '-'}) | "
                          + " ".join(f"{x:.3f}" for x in curve) + f" | {drops} | {curve[-1]:.3f} |", flush=True)
                    details += [(scenario, mode, seed, r) for r in rows if mode != "force"]
        print("\ngate decisions (round: outcome, held-out items, worse/better items, sign test p)")
        for scenario, mode, seed, r in details:
            pair = "" if r["worse"] is None else f", {r['worse']}/{r['better']}, p={r['p']:.3f}"
            print(f"{scenario} {mode} seed {seed} round {r['round'] + 1}: {r['outcome']}, {r['held_out']}{pair}")
        costs = [_gate_cost(load("digits", eval_path=None, seed=s, options={}), root, seed=s, batch=args.batch,
                            rounds=args.rounds) for s in range(args.seeds)]
        print(f"\ngate cost at {args.rounds * args.batch} labels: scoring the current version on the evaluation set and both "
              "versions per item "
              f"{statistics.median(c[0] for c in costs) * 1000:.1f} ms (median of {len(costs)}), one training round "
              f"{statistics.median(c[1] for c in costs):.2f} s")


if __name__ == "__main__":
    main()
