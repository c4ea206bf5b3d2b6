"""One round of the loop: pool -> predict (batched) -> score -> route -> a new queue.

With no trained model yet, the round is a cold start: the config's ``cold_start`` strategy picks
the first items and nothing is auto-accepted. That is a named, visible mode, not a fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from activelabel.models.base import Model, Proposal
from activelabel.models.registry import create_model, load_model
from activelabel.routing import route
from activelabel.strategies import PoolView, check_applicable, get_strategy
from activelabel.types import Item

if TYPE_CHECKING:
    from activelabel.engines import Engine
    from activelabel.workspace import Workspace

PREDICT_BATCH = 2000
ProgressFn = Callable[[int, int], None]  # (done, total)


def current_model(project: Workspace) -> tuple[Model | None, str | None]:
    """The promoted version, or a pretrained model that can predict before any training, or none."""
    version = project.store.current_version()
    if version is not None:
        return load_model(Path(project.store.get_version(version)["path"]), project.models_dir), version
    return None, None


def predict_pool(model: Model, items: list[Item], progress: ProgressFn | None = None,
                 batch: int = PREDICT_BATCH) -> list[Proposal]:
    out: list[Proposal] = []
    for start in range(0, len(items), batch):
        out.extend(model.predict(items[start:start + batch]))
        if progress:
            progress(min(start + batch, len(items)), len(items))
    return out


def _pool_view(proposals: list[Proposal], embeddings: np.ndarray | None) -> PoolView:
    confidence = np.fromiter((p.confidence for p in proposals), dtype=float, count=len(proposals))
    probas = [p.proba for p in proposals]
    proba = np.stack(probas) if probas and all(p is not None for p in probas) else None
    return PoolView(confidence=confidence, proba=proba, embeddings=embeddings)


def run_round(project: Workspace, *, progress: ProgressFn | None = None, model: Model | None = None,
              version: str | None = None, engine: Engine | None = None, promote: bool = False) -> dict[str, Any]:
    """Score every unlabeled item and install the ranking and auto-labels as a new round.

    With ``promote``, the given (trained, not yet current) version is promoted in the same
    transaction that installs its ranking.
    """
    cfg = project.config.loop
    rng = np.random.default_rng([cfg.seed, project.store.max_annotation_id(), len(project.store.list_rounds())])
    if model is None:
        model, version = current_model(project)
    if model is None:
        model = _pretrained_model(project)
        if model is not None:
            version = _register_pretrained(project, model)
    items = [it for page in project.store.iter_pool() for it in page]
    if not items:
        if promote and version is not None:
            project.store.promote(version)
        return {"round": None, "n_scored": 0, "message": "the pool is empty: every item has a human answer"}
    if cfg.pool_subsample and len(items) > cfg.pool_subsample:  # large pools: score a seeded random subset
        keep = np.sort(rng.choice(len(items), size=cfg.pool_subsample, replace=False))
        items = [items[i] for i in keep.tolist()]

    if model is None or version is None:
        strategy = get_strategy(cfg.cold_start)
        embeddings = _cold_start_embeddings(project, items) if "embeddings" in strategy.needs else None
        pool = PoolView(confidence=np.zeros(len(items)), embeddings=embeddings)
        plan = route(pool, strategy, budget=cfg.human_budget_per_round, rng=rng, auto_threshold=None,
                     audit_rate=0.0)
        proposals: list[Proposal] = []
    else:
        strategy = get_strategy(cfg.strategy)
        check_applicable(strategy, model.capabilities, model=project.config.model_name)
        from activelabel.engines import pool_proposals  # local by default; resumes what this version scored

        items, proposals = pool_proposals(project, version, items, model=model, engine=engine, progress=progress,
                                          subset=bool(cfg.pool_subsample and len(items) >= cfg.pool_subsample))
        embeddings = None
        if "embeddings" in strategy.needs:
            embeddings = model.embed(items)  # type: ignore[attr-defined]
        pool = _pool_view(proposals, embeddings)
        if {"labeled_embeddings", "labeled_classes"} & set(strategy.needs):
            pool = _with_labeled(project, model, pool, strategy.needs)
        # a threshold of 1.0 turns auto-accept off (a confidence of exactly 1.0 is not proof)
        auto_threshold = cfg.auto_accept_threshold if cfg.auto_accept_threshold < 1.0 else None
        plan = route(pool, strategy, budget=cfg.human_budget_per_round, rng=rng,
                     auto_threshold=auto_threshold, audit_rate=cfg.audit_rate)
    entries = [dict(item_id=items[i].id, rank=pos, reason=reason, score=float(score), pool_rank=int(rank))
               for pos, (i, reason, score, rank) in enumerate(zip(plan.queue.tolist(), plan.reasons,
                                                                  plan.scores.tolist(), plan.pool_rank.tolist()))]
    auto = [dict(item_id=items[i].id, value=proposals[i].value.to_json(), confidence=float(proposals[i].confidence))
            for i in plan.auto.tolist()]
    stats = {"n_scored": len(proposals), "pool": len(items),
             "mean_confidence": float(np.mean([p.confidence for p in proposals])) if proposals else None}
    rid = project.store.create_round(version=version, strategy=strategy.name if version else f"cold_start:{strategy.name}",
                                     entries=entries, auto=auto, budget=cfg.human_budget_per_round, stats=stats,
                                     promote=promote)
    return {"round": rid, "model_version": version, "n_scored": len(proposals), "pool": len(items),
            "n_auto": len(auto), "n_audit": sum(r == "audit" for r in plan.reasons), "n_queued": len(entries),
            "strategy": strategy.name}


def _with_labeled(project: Workspace, model: Model, pool: PoolView, needs: tuple[str, ...]) -> PoolView:
    """Add what diversity and class-balance strategies need to know about the labeled set."""
    from dataclasses import replace

    rows = project.store.current_labels()
    labeled_emb, labeled_cls = None, None
    if "labeled_embeddings" in needs:
        by_id = project.store.get_items([r.item_id for r in rows])
        labeled = [by_id[r.item_id] for r in rows if r.item_id in by_id]
        labeled_emb = model.embed(labeled) if labeled else None  # type: ignore[attr-defined]
    if "labeled_classes" in needs:
        index = {lab: i for i, lab in enumerate(project.config.labels)}
        labeled_cls = np.array([index[(r.value or {}).get("label")] for r in rows
                                if (r.value or {}).get("label") in index], dtype=np.int64)
    return replace(pool, labeled_embeddings=labeled_emb, labeled_classes=labeled_cls)


def _pretrained_model(project: Workspace) -> Model | None:
    """Adapters that ship pretrained (spaCy, Whisper, YOLO weights) can pre-label before any answer."""
    model = create_model(project.config, project.dir)
    return model if model.ready else None


def _register_pretrained(project: Workspace, model: Model) -> str:
    """Store the pretrained model as version v0001 so its predictions name a real version."""
    from activelabel.models.registry import save_model

    version = project.store.create_version(base_version=None, path_for=lambda v: project.models_dir / v)
    path = project.models_dir / version
    save_model(model, path)
    project.store.update_version(version, status="ready", message="pretrained, not trained on this project",
                                 progress=1.0)
    project.store.promote(version)
    return version


def _cold_start_embeddings(project: Workspace, items: list[Item]) -> np.ndarray:
    """Unsupervised features for diversity cold starts (TF-IDF + SVD for text)."""
    if items and items[0].media == "text":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        x = TfidfVectorizer(sublinear_tf=True, min_df=1).fit_transform([i.content for i in items])
        k = max(2, min(64, x.shape[1] - 1, x.shape[0] - 1))
        return np.asarray(TruncatedSVD(n_components=k, random_state=project.config.loop.seed).fit_transform(x))
    model = create_model(project.config, project.dir)
    return np.asarray(model.embed(items))  # type: ignore[attr-defined]
