"""Engines that run a model over the pool: ``local`` (this process) and ``ray`` (a Ray cluster).

``score_pool`` is what the loop calls: it scores what this version has not scored yet (so a
stopped run resumes), then returns the whole pool's numbers for routing. Ray is imported only
when the Ray engine runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from activelabel.engines.base import BATCH_SIZES, Engine, ProgressFn, ScoreJob, ScoreReport, batch_size_for
from activelabel.engines.local import LocalEngine
from activelabel.engines.shards import ScoredPool, load_pool, remove_stale
from activelabel.errors import UsageError
from activelabel.models.base import Proposal
from activelabel.types import Item

if TYPE_CHECKING:
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
             items: Sequence[Item] | None = None) -> ScoreJob:
    store = project.store
    return ScoreJob(store=store, store_url=store.engine.url.render_as_string(hide_password=False), version=version,
                    model_path=Path(store.get_version(version)["path"]), scores_dir=scores_root(project) / version,
                    media=project.spec.media, project_dir=project.dir, model=model, batch_size=batch_size,
                    items=None if items is None else list(items))


def score_pool(project: Workspace, version: str, *, model: Model | None = None, engine: Engine | None = None,
               progress: ProgressFn | None = None, items: Sequence[Item] | None = None,
               ) -> tuple[ScoredPool, ScoreReport]:
    """Score what ``version`` has not scored yet and return the numbers of every pool item.

    With ``items`` (a subsample the loop chose), only those are scored; otherwise the engine
    pages through the store itself, so the pool's media never sit in this process.
    """
    from activelabel.engines.pool import forget_version, pool_ids

    ids = np.array([it.id for it in items], dtype="U40") if items is not None else pool_ids(project.store)
    keep = {v["id"] for v in project.store.list_versions() if v["status"] not in ("retired", "failed")} | {version}
    remove_stale(scores_root(project), keep)
    if not (scores_root(project) / version).is_dir():
        # rows without their numbers (a rolled-back version, a deleted folder): score them again
        forget_version(project.store, version)
    job = make_job(project, version, model, items=items)
    report = (engine or LocalEngine()).score(job, progress)
    return load_pool(scores_root(project) / version, ids), report


def pool_proposals(project: Workspace, version: str, items: list[Item], *, model: Model | None = None,
                   engine: Engine | None = None, progress: ProgressFn | None = None, subset: bool = False,
                   ) -> tuple[list[Item], list[Proposal]]:
    """What the loop routes on: the proposals for ``items`` (scored by the engine, read back).

    Items answered by a person while the run went on drop out, so the two lists stay aligned.
    """
    scored, _ = score_pool(project, version, model=model, engine=engine, progress=progress,
                           items=items if subset else None)
    rows = project.store.predictions_for(version, scored.ids.tolist())
    by_id = {it.id: it for it in items}
    kept: list[Item] = []
    proposals: list[Proposal] = []
    for j, item_id in enumerate(scored.ids.tolist()):
        if item_id not in by_id or item_id not in rows:
            continue
        row = rows[item_id]
        kept.append(by_id[item_id])
        proposals.append(Proposal(project.spec.payload(row["value"]), float(scored.confidence[j]),
                                  None if scored.proba is None else scored.proba[j], tuple(row["parts"] or ())))
    return kept, proposals


__all__ = ["BATCH_SIZES", "ENGINES", "Engine", "LocalEngine", "ScoreJob", "ScoreReport", "ScoredPool",
           "batch_size_for", "get_engine", "make_job", "pool_proposals", "score_pool"]


def throughput_column() -> object:
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
