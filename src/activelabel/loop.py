"""One round of the loop: pool -> predict (batched) -> score -> route -> a new queue.

With no trained model yet, the round is a cold start: the config's ``cold_start`` strategy picks
the first items and nothing is auto-accepted. That is a named, visible mode, not a fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from activelabel.models.base import Model, embeddings_of
from activelabel.models.registry import create_model, load_model
from activelabel.routing import route
from activelabel.strategies import PoolView, get_strategy
from activelabel.types import Item

if TYPE_CHECKING:
    from activelabel.engines import Engine
    from activelabel.workspace import Workspace

ProgressFn = Callable[[int, int], None]  # (done, total)


def current_model(project: Workspace) -> tuple[Model | None, str | None]:
    """The promoted version, or a pretrained model that can predict before any training, or none."""
    version = project.store.current_version()
    if version is not None:
        return load_model(Path(project.store.get_version(version).path), project.models_dir), version
    return None, None


def run_round(project: Workspace, *, progress: ProgressFn | None = None, model: Model | None = None,
              version: str | None = None, engine: Engine | None = None, promote: bool = False) -> dict[str, Any]:
    """Score every unlabeled item and install the ranking and auto-labels as a new round.

    The pool is streamed once by the engine (pages of items, predicted in batches, written in
    bulk); what the round routes on stays in memory as ids and arrays. With ``promote``, the
    given (trained, not yet current) version is promoted in the same transaction that installs
    its ranking.
    """
    cfg = project.config.loop
    rng = np.random.default_rng([cfg.seed, project.store.max_annotation_id(), len(project.store.list_rounds())])
    if model is None:
        model, version = current_model(project)
    if model is None:
        model = _pretrained_model(project)
        if model is not None:
            version = _register_pretrained(project, model)
    ids: np.ndarray | None = None  # None: the whole pool, streamed by the engine
    if cfg.pool_subsample:
        all_ids = project.store.pool_ids()
        n_pool = len(all_ids)
        if n_pool > cfg.pool_subsample:  # large pools: score a seeded random subset
            ids = all_ids[np.sort(rng.choice(n_pool, size=cfg.pool_subsample, replace=False))]
    else:
        n_pool = project.store.pool_size()
    if n_pool == 0:
        if promote and version is not None:
            project.store.promote(version)
        return {"round": None, "n_scored": 0, "message": "the pool is empty: every item has a human answer"}

    if model is None or version is None:
        strategy = get_strategy(cfg.cold_start)
        embeddings = None
        if "embeddings" in strategy.needs:
            items = _items_of(project, ids)
            ids, embeddings = np.array([it.id for it in items], dtype=str), _cold_start_embeddings(project, items)
        elif ids is None:
            ids = project.store.pool_ids()
        pool = PoolView(confidence=np.zeros(len(ids)), embeddings=embeddings)
        plan = route(pool, strategy, budget=cfg.human_budget_per_round, rng=rng, auto_threshold=None,
                     audit_rate=0.0)
        pool_ids, confidence, values = ids.tolist(), np.empty(0), []
    else:
        strategy = get_strategy(cfg.strategy)
        from activelabel.engines import score_pool  # local by default; resumes what this version scored

        scored, _ = score_pool(project, version, model=model, engine=engine, progress=progress, ids=ids,
                               embed="embeddings" in strategy.needs)
        pool = PoolView(confidence=scored.confidence, proba=scored.proba, embeddings=scored.embeddings)
        if {"labeled_embeddings", "labeled_classes"} & set(strategy.needs):
            pool = _with_labeled(project, model, pool, strategy.needs)
        # a threshold of 1.0 turns auto-accept off (a confidence of exactly 1.0 is not proof)
        auto_threshold = cfg.auto_accept_threshold if cfg.auto_accept_threshold < 1.0 else None
        plan = route(pool, strategy, budget=cfg.human_budget_per_round, rng=rng,
                     auto_threshold=auto_threshold, audit_rate=cfg.audit_rate)
        pool_ids, confidence, values = scored.ids.tolist(), scored.confidence, scored.values or []
    entries = [dict(item_id=pool_ids[i], rank=pos, reason=reason, score=float(score), pool_rank=int(rank))
               for pos, (i, reason, score, rank) in enumerate(zip(plan.queue.tolist(), plan.reasons,
                                                                  plan.scores.tolist(), plan.pool_rank.tolist()))]
    auto = [dict(item_id=pool_ids[i], value=values[i], confidence=float(confidence[i])) for i in plan.auto.tolist()]
    n_scored = len(confidence)
    stats = {"n_scored": n_scored, "pool": len(pool_ids),
             "mean_confidence": float(np.mean(confidence)) if n_scored else None}
    rid = project.store.create_round(version=version, strategy=strategy.name if version else f"cold_start:{strategy.name}",
                                     entries=entries, auto=auto, budget=cfg.human_budget_per_round, stats=stats,
                                     promote=promote)
    return {"round": rid, "model_version": version, "n_scored": n_scored, "pool": len(pool_ids),
            "n_auto": len(auto), "n_audit": sum(r == "audit" for r in plan.reasons), "n_queued": len(entries),
            "strategy": strategy.name}


def _items_of(project: Workspace, ids: np.ndarray | None) -> list[Item]:
    """The pool's items (or those of ``ids``): only a cold start that embeds the pool holds them all."""
    if ids is None:
        return [it for page in project.store.iter_pool() for it in page]
    by_id = project.store.get_items(ids.tolist())
    return [by_id[i] for i in ids.tolist() if i in by_id]


def _with_labeled(project: Workspace, model: Model, pool: PoolView, needs: tuple[str, ...]) -> PoolView:
    """Add what diversity and class-balance strategies need to know about the labeled set."""
    from dataclasses import replace

    rows = project.store.current_labels()
    labeled_emb, labeled_cls = None, None
    if "labeled_embeddings" in needs:
        by_id = project.store.get_items([r.item_id for r in rows])
        labeled = [by_id[r.item_id] for r in rows if r.item_id in by_id]
        labeled_emb = embeddings_of(model, labeled) if labeled else None
    if "labeled_classes" in needs:
        index = {lab: i for i, lab in enumerate(project.config.labels)}
        labeled_cls = np.array([index[lab] for r in rows for lab in project.spec.labels_in(r.value or {})
                                if lab in index], dtype=np.int64)
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
    return embeddings_of(model, items)
