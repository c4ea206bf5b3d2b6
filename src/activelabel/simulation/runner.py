"""One simulated run: a real project folder, an oracle annotator, rounds until the label budget.

Every run goes through the same code as people do: ``Project.import_file`` for the pool and the
gold (held-out) set, ``Project.prelabel`` for the cold start, ``Project.claim`` + ``Project.submit``
for answers, ``Project.train(wait=True)`` to train, promote and re-score (which routes the next
round with the strategy under test). The metric is the one training stores for each version,
measured on the gold set. Driving the facade is the point, so this is a composition root
(allowed to import ``activelabel.project``), not a service.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ActiveLabelError
from activelabel.simulation.tasks import ImportSpec, SimDataset
from activelabel.strategies import StrategyInfo, get_strategy
from activelabel.strategies.stopping import advise, cohen_kappa, pooled_accuracy

ORACLE = "oracle"
STOP_SET_SIZE = 300
DRAW_MODELS = frozenset({"vectors-logreg"})  # models that return committee draws when asked


@dataclass(frozen=True)
class Settings:
    strategies: tuple[str, ...]
    seeds: int = 5
    init: int = 20
    batch: int = 10
    budget: int = 400
    pool_subsample: int = 0
    cold_start: str = "random"
    committee: int = 5  # bagged members for strategies that need draws ("proba_draws")

    @property
    def rounds(self) -> int:
        return 1 + math.ceil(max(0, self.budget - self.init) / self.batch)


@dataclass(frozen=True)
class RoundResult:
    strategy: str
    seed: int
    round: int
    labels: int
    metric: float  # nan when no model could be trained yet (one class among the answers)
    kappa: float | None
    mean_uncertainty: float | None
    advice: str
    # the share of this round's answers that the version which chose them had predicted (None: no version yet)
    selected_accuracy: float | None = None


def check_settings(settings: Settings, dataset: SimDataset) -> list[StrategyInfo]:
    """Every check that can fail, before any work starts; returns the resolved strategies."""
    if settings.seeds < 1:
        raise ActiveLabelError(f"--seeds must be at least 1, got {settings.seeds}")
    if settings.init < 1 or settings.batch < 1:
        raise ActiveLabelError(f"--init and --batch must be at least 1, got {settings.init} and {settings.batch}")
    if settings.budget < settings.init:
        raise ActiveLabelError(f"--budget ({settings.budget}) is smaller than --init ({settings.init}): "
                               "the first round alone would exceed it")
    if settings.budget > dataset.n_pool:
        raise ActiveLabelError(f"--budget ({settings.budget}) exceeds the pool ({dataset.n_pool} items "
                               f"after holding out {dataset.n_eval} for evaluation)")
    if not settings.strategies:
        raise ActiveLabelError("name at least one strategy (--strategies random,margin,...)")
    infos = [get_strategy(name) for name in settings.strategies]
    get_strategy(settings.cold_start)
    for info in infos:
        if "proba_draws" in info.needs and (dataset.model or {}).get("name") not in DRAW_MODELS:
            raise ActiveLabelError(f"strategy {info.name!r} needs probability draws (a committee or MC dropout); "
                                   f"of the models, {', '.join(sorted(DRAW_MODELS))} give them")
        _config(dataset, settings, info.name, 0, settings.batch)  # refuses a strategy the model cannot serve
    return infos


def _config(dataset: SimDataset, settings: Settings, strategy: str, seed: int, budget_per_round: int,
            cold_start: str | None = None) -> Any:
    from activelabel.config import parse_config

    model = json.loads(json.dumps(dataset.model or {}))
    if "proba_draws" in get_strategy(strategy).needs and settings.committee:
        model.setdefault("params", {})["committee"] = settings.committee
    return parse_config({
        "name": f"simulate-{strategy}-{seed}", "task": dataset.task, "labels": dataset.labels, "model": model,
        "extra": dict(dataset.extra),
        "loop": {"strategy": strategy, "cold_start": cold_start or settings.cold_start,
                 "auto_accept_threshold": 1.0, "audit_rate": 0.0, "human_budget_per_round": budget_per_round,
                 "retrain_every": 0, "validation_share": 0.0, "seed": seed,
                 "pool_subsample": settings.pool_subsample},
    }, source="simulate settings")


def _import(project: Any, spec: ImportSpec, *, as_gold: bool = False) -> None:
    report = project.import_file(spec.path, as_gold=as_gold, **spec.options)
    if report.imported == 0:
        raise ActiveLabelError(f"nothing imported from {spec.path}: {report.rejections[:3]}")


def full_pool_metric(dataset: SimDataset, files: Path, workdir: Path, settings: Settings) -> float:
    """The reference: the project's model fitted on the oracle's answer for every pool item, scored on gold.

    The items come from a real import (ids, stored content) and the metric from the adapter's own
    ``evaluate``, as training computes it; only the per-answer submits are skipped.
    """
    from activelabel.models.registry import create_model
    from activelabel.project import Project

    folder = workdir / "full-pool"
    shutil.rmtree(folder, ignore_errors=True)
    project = Project.init(folder, _config(dataset, settings, "random", 0, settings.batch))
    try:
        _import(project, dataset.write_eval(files), as_gold=True)
        _import(project, dataset.write_pool(files))
        items = [it for page in project.store.iter_pool() for it in page]
        model = create_model(project.config, project.dir)
        model.fit(items, [dataset.answer(it) for it in items])
        gold = project.store.gold_items()
        metrics = model.evaluate([g for g, _ in gold], [project.spec.payload(v) for _, v in gold])
        return float(metrics["metric"])
    finally:
        project.close()
        shutil.rmtree(folder, ignore_errors=True)


def run_one(dataset: SimDataset, files: Path, workdir: Path, settings: Settings, strategy: str, seed: int,
            on_round: Callable[[RoundResult], None] | None = None, keep: bool = False) -> list[RoundResult]:
    """Replay one (strategy, seed): init labels, then rounds of ``batch`` until ``budget``."""
    from activelabel.project import Project

    folder = workdir / f"{strategy.replace(':', '_').replace('/', '_')}-seed{seed}"
    shutil.rmtree(folder, ignore_errors=True)
    cfg = _config(dataset, settings, strategy, seed, settings.init)
    project = Project.init(folder, cfg)
    results: list[RoundResult] = []
    try:
        own = folder / "data"  # each run writes its own copy: parallel runs never read a file being written
        _import(project, dataset.write_eval(own), as_gold=True)
        _import(project, dataset.write_pool(own))
        pool_ids = [it.id for page in project.store.iter_pool() for it in page]
        rng = np.random.default_rng([seed, 7])
        stop_ids = rng.choice(pool_ids, size=min(STOP_SET_SIZE, len(pool_ids)), replace=False).tolist()
        project.prelabel()  # the cold start round
        project.save_config(cfg.model_copy(update={"loop": cfg.loop.model_copy(
            update={"human_budget_per_round": settings.batch})}))
        labels, previous = 0, None
        kappas: list[float | None] = []
        selected: list[tuple[int, int] | None] = []  # per round: (answers the choosing version predicted, answers)
        for rnd in range(settings.rounds):
            want = min(settings.init if rnd == 0 else settings.batch, settings.budget - labels)
            claimed = project.claim(ORACLE, want)
            if not claimed:
                break  # the pool is exhausted
            answers = {q.entry.item.id: dataset.answer(q.entry.item) for q in claimed}
            selected.append(None if previous is None else _selected(project, previous, answers))
            for item_id, answer in answers.items():
                project.submit(item_id, answer, annotator=ORACLE, trigger_retrain=False)
            labels += len(claimed)
            metric, version = _train(project)
            kappa, uncertainty = None, None
            if version is not None:
                if previous is not None:
                    kappa = _agreement(project, previous, version, stop_ids)
                current = project.store.current_round()
                stats = current.stats if current else {}
                conf = stats.get("mean_confidence")
                uncertainty = None if conf is None else 1.0 - float(conf)
                previous = version
            kappas.append(kappa)
            advice = advise(kappas, selected_accuracy=pooled_accuracy(selected), mean_uncertainty=uncertainty)
            this = selected[-1]
            result = RoundResult(strategy, seed, rnd, labels, metric, kappa, uncertainty, advice.text,
                                 this[0] / this[1] if this and this[1] else None)
            results.append(result)
            if on_round:
                on_round(result)
    finally:
        project.close()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def _train(project: Any) -> tuple[float, str | None]:
    """Train and promote; with answers of one class only there is no model yet (metric nan).

    Every version is promoted (``force``), past the promotion gate: the gate's evaluation set here
    would be the gold split the curve is measured on, so gating would pick versions by their test
    score, and a refused version would not re-rank the pool, so the strategy under test would not
    choose the next batch. Each point of the curve is the version trained on that many labels;
    one that did not become current is an error, never a point left out.
    """
    labels = {(r.value or {}).get("label") for r in project.store.current_labels()}
    if project.config.spec.single_label and len(labels) < 2:
        return float("nan"), None
    version = project.train(wait=True, force=True)
    info = project.store.get_version(version)
    if info.status != "promoted" or project.store.current_version() != version:
        raise ActiveLabelError(f"simulated round: {version} was trained but is {info.status}, not the current "
                               f"version; its learning-curve point would not be the model that ranks the pool")
    return float(info.metrics.get("metric", float("nan"))), version


def _selected(project: Any, version: str, answers: dict[str, Any]) -> tuple[int, int]:
    """(How many of the oracle's answers the version that ranked the queue had predicted, of how many it
    predicted at all): the selected accuracy of Zhu et al. 2008."""
    predicted = project.store.predictions_for(version, list(answers))
    hits = [project.spec.same(predicted[i]["value"], a.to_json()) for i, a in answers.items() if i in predicted]
    return sum(hits), len(hits)


def _agreement(project: Any, previous: str, current: str, stop_ids: list[str]) -> float | None:
    """Cohen's kappa of two versions' stored predictions on the stop-set items both scored."""
    a = project.store.predictions_for(previous, stop_ids)
    b = project.store.predictions_for(current, stop_ids)
    common = [i for i in stop_ids if i in a and i in b]
    if not common:
        return None
    key = [json.dumps(a[i]["value"], sort_keys=True) for i in common]
    cur = [json.dumps(b[i]["value"], sort_keys=True) for i in common]
    return cohen_kappa(np.array(key), np.array(cur))
