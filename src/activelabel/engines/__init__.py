"""Engines that run a model over the pool: ``local`` (this process) and ``ray`` (a Ray cluster).

``score_pool`` is what the loop calls: it streams the pool once, scoring what this version has
not scored yet (so a stopped run resumes), and returns the whole pool's numbers, from memory,
for routing. Ray is imported only when the Ray engine runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from activelabel.engines.base import (
    BATCH_SIZES,
    Engine,
    PageFn,
    ProgressFn,
    ScoreJob,
    ScoreReport,
    batch_size_for,
)
from activelabel.engines.local import LocalEngine, pages_of
from activelabel.engines.scored import PageCollector, ScoredPool, concat_pools, positions
from activelabel.engines.shards import load_pool, remove_stale
from activelabel.errors import UsageError
from activelabel.models.base import embeddings_of

if TYPE_CHECKING:
    from rich.progress import ProgressColumn

    from activelabel.models.base import Model
    from activelabel.workspace import Workspace

ENGINES = ("local", "ray")


def get_engine(name: str = "local", *, address: str | None = None, gpus_per_worker: float = 0.0,
               workers: int | None = None, batch_size: int | None = None) -> Engine:
    """An engine by name; the Ray options are refused for the local engine rather than ignored."""
    if name == "local":
        if address or gpus_per_worker or workers:
            raise UsageError("--address, --gpus-per-worker and --workers need --engine ray")
        return LocalEngine(batch_size=batch_size)
    if name == "ray":
        from activelabel.engines.ray_engine import RayEngine

        return RayEngine(address=address, gpus_per_worker=gpus_per_worker, workers=workers, batch_size=batch_size)
    raise UsageError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")


def scores_root(project: Workspace) -> Path:
    return project.dir / "scores"


def make_job(project: Workspace, version: str, model: Model | None = None, batch_size: int | None = None,
             ids: Sequence[str] | np.ndarray | None = None, *, embed: bool = False, on_page: PageFn | None = None) -> ScoreJob:
    store = project.store
    return ScoreJob(store=store, store_url=store.engine.url.render_as_string(hide_password=False), version=version,
                    model_path=Path(store.get_version(version).path), scores_dir=scores_root(project) / version,
                    media=project.spec.media, project_dir=project.dir, model=model, batch_size=batch_size,
                    ids=None if ids is None else [str(i) for i in ids], embed=embed, on_page=on_page)


def score_pool(project: Workspace, version: str, *, model: Model | None = None, engine: Engine | None = None,
               progress: ProgressFn | None = None, ids: Sequence[str] | np.ndarray | None = None, embed: bool = False,
               ) -> tuple[ScoredPool, ScoreReport]:
    """Score what ``version`` has not scored yet and return the numbers and values of every pool item.

    The engine streams the pending pool once, in pages, and writes each page to the store; the
    numbers come back from memory. Only items that an earlier, stopped run scored are read back
    (numbers from the shards, values from the store). With ``ids`` (a subsample the loop chose),
    only those are scored. ``embed`` also returns the model's embeddings (diversity strategies).
    """
    keep = {v.id for v in project.store.list_versions() if v.status not in ("retired", "failed")} | {version}
    remove_stale(scores_root(project), keep)
    if not (scores_root(project) / version).is_dir():
        # rows without their numbers (a rolled-back version, a deleted folder): score them again
        project.store.forget_predictions(version)
    collected = PageCollector()
    engine = engine or LocalEngine()
    job = make_job(project, version, model, ids=ids, embed=embed, on_page=collected)
    report = engine.score(job, progress)
    fresh = collected.result()
    if ids is None and report.skipped == 0 and engine.ordered:
        return fresh, report  # the common case: every pool item predicted now, in import order
    target = np.asarray(ids, dtype=str) if ids is not None else project.store.pool_ids()
    return _aligned(project, version, target, fresh, model, embed), report


def _aligned(project: Workspace, version: str, target: np.ndarray, fresh: ScoredPool, model: Model | None,
             embed: bool) -> ScoredPool:
    """``target``'s numbers in its order: from memory, else as an earlier run stored them; items with
    neither (answered while the run went on) are left out."""
    in_fresh, where = positions(target, fresh.ids)
    at, got = [np.flatnonzero(in_fresh)], [fresh.take(where)]
    rest = np.flatnonzero(~in_fresh)
    if len(rest):
        earlier = _stored(project, version, target[rest], model, embed)  # in target order, some left out
        at.append(rest[positions(target[rest], earlier.ids)[0]])
        got.append(earlier)
    return concat_pools(got).take(np.argsort(np.concatenate(at), kind="stable"))


def _stored(project: Workspace, version: str, ids: np.ndarray, model: Model | None, embed: bool) -> ScoredPool:
    """What an earlier run of ``version`` stored for ``ids`` (in their order), embedded again if asked."""
    numbers = load_pool(scores_root(project) / version, ids)
    rows = project.store.predictions_for(version, numbers.ids.tolist())
    has_row = np.fromiter((i in rows for i in numbers.ids.tolist()), dtype=bool, count=len(numbers.ids))
    numbers = numbers.take(np.flatnonzero(has_row))
    embeddings = None
    if embed:
        from activelabel.models.registry import load_model

        model = model if model is not None else load_model(Path(project.store.get_version(version).path))
        items = [it for page in pages_of(project.store, numbers.ids.tolist(), 2000) for it in page]
        if len(items) != len(numbers.ids):
            raise RuntimeError(f"{len(numbers.ids) - len(items)} scored items vanished from the store while ranking")
        batches = [embeddings_of(model, items[i:i + 2000]) for i in range(0, len(items), 2000)]
        embeddings = np.concatenate(batches) if batches else None
    return ScoredPool(ids=numbers.ids, confidence=numbers.confidence, proba=numbers.proba,
                      values=[rows[i]["value"] for i in numbers.ids.tolist()], embeddings=embeddings)


__all__ = ["BATCH_SIZES", "ENGINES", "Engine", "LocalEngine", "ScoreJob", "ScoreReport", "ScoredPool",
           "batch_size_for", "get_engine", "make_job", "score_pool"]


def throughput_column() -> ProgressColumn:
    """A rich progress column: items per second over the run so far (resumed items not counted)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class _Throughput(ProgressColumn):
        def render(self, task: object) -> Text:
            speed = getattr(task, "speed", None)
            return Text(f"{speed:,.0f} items/s" if speed else "- items/s", style="progress.data.speed")

    return _Throughput()


def bar_progress(bar: object, task: object) -> ProgressFn:
    """A progress callback for a rich bar; the first call (items resumed) resets it so the rate is honest."""
    first = [True]

    def update(done: int, total: int) -> None:
        if first[0]:
            bar.reset(task, total=total, completed=done)  # type: ignore[attr-defined]
            first[0] = False
        else:
            bar.update(task, completed=done, total=total)  # type: ignore[attr-defined]

    return update
