"""The Ray engine: Ray Data streams the pending pool through an actor pool of loaded models.

Pipeline: a plan of ``seq`` ranges (ids only) -> reader tasks fetch each range's items from the
store -> ``map_batches`` on an actor pool (each actor loads the model once, in its constructor) ->
the driver receives result blocks as they finish and writes them back in bulk (``Sink``).
Ray Data's streaming executor applies back-pressure, so a pool larger than memory streams through.

On a cluster, workers must reach the database (use PostgreSQL) and, for images and audio, the
media files (a shared file system mounted at the same path). The model travels through Ray's
object store, so workers need no access to the project's model folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from activelabel.engines.base import ProgressFn, ScoreJob, ScoreReport, Sink, batch_size_for
from activelabel.engines.local import pages_of
from activelabel.engines.scoring import ScoredBatch, score_items
from activelabel.errors import MissingDependencyError


def import_ray() -> Any:
    """Ray, imported only when this engine is chosen; a named error when the extra is missing."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("ray[data]", "scale") from exc
    return ray


READERS = 2  # concurrent reader tasks: I/O-bound, and each one is a worker process


def _task_pool(ray: Any, size: int) -> dict[str, Any]:
    """A bounded task pool: zero-CPU tasks are otherwise unbounded, one worker process each."""
    strategy = getattr(ray.data, "TaskPoolStrategy", None)
    if strategy is None:  # older Ray takes the bound as ``concurrency``
        return {"concurrency": size}
    return {"compute": strategy(size=size)}


def _model_files(folder: Path) -> dict[str, bytes]:
    """A version folder as bytes, so actors on other machines can load it without shared storage."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _adapter_of(folder: Path) -> Any:
    """The adapter class a saved version names (only registered ones, as ``load_model`` insists), for its batch size."""
    from activelabel.models.registry import saved_adapter_class

    return saved_adapter_class(folder)


class _Predictor:
    """One Ray actor: loads the model once, then scores every batch it is given."""

    def __init__(self, files: Any, workdir: str, version: str, model_path: str = "", embed: bool = False) -> None:
        import ray

        from activelabel.models.registry import load_model

        self.version = version
        self.embed = embed
        if model_path and Path(model_path).is_dir():
            # the version folder itself (same machine or shared storage): adapters that look at their
            # project (Whisper's vocabulary, YOLO's media root) then load exactly as in the local engine
            self.model = load_model(Path(model_path))
            if workdir and Path(workdir).is_dir():
                os.chdir(workdir)
            return
        if isinstance(files, ray.ObjectRef):
            files = ray.get(files)
        self._tmp = tempfile.TemporaryDirectory(prefix="activelabel-model-")
        root = Path(self._tmp.name)
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        self.model = load_model(root)
        # media paths are stored relative to the project folder, as in the local engine's process
        if workdir and Path(workdir).is_dir():
            os.chdir(workdir)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from activelabel.types import Item

        items = [Item(id=str(i), media=str(m), content=str(c), meta=json.loads(x))
                 for i, m, c, x in zip(batch["id"], batch["media"], batch["content"], batch["meta"], strict=True)]
        return score_items(self.model, items, self.version, embed=self.embed).to_columns()


def _read_ranges(batch: dict[str, Any], store_url: str, version: str) -> dict[str, Any]:
    """Reader task: the pending items of each ``seq`` range, straight from the store."""
    import numpy as np

    from activelabel.store import Store

    store = Store.open(store_url, migrate=False)
    try:
        items = [it for lo, hi in zip(batch["lo"], batch["hi"], strict=True)
                 for it in store.read_pending_range(version, int(lo), int(hi))]
    finally:
        store.close()
    return {"id": np.array([i.id for i in items], dtype=object),
            "media": np.array([i.media for i in items], dtype=object),
            "content": np.array([i.content for i in items], dtype=object),
            "meta": np.array([json.dumps(dict(i.meta)) for i in items], dtype=object)}


class RayEngine:
    """``address``: None starts a local Ray, "auto" joins the cluster this machine belongs to,
    "ray://host:port" connects a client. ``workers``: actors (default: what the cluster can hold).
    ``batch_size`` / ``page_size`` override the adapter's batch and the items per bulk write."""

    name = "ray"
    ordered = False  # result blocks come back as actors finish them

    def __init__(self, address: str | None = None, gpus_per_worker: float = 0.0, cpus_per_worker: float = 1.0,
                 workers: int | None = None, batch_size: int | None = None, page_size: int | None = None) -> None:
        if gpus_per_worker < 0 or cpus_per_worker <= 0:
            raise ValueError("gpus_per_worker must be >= 0 and cpus_per_worker > 0")
        self.address = address
        self.gpus_per_worker = gpus_per_worker
        self.cpus_per_worker = cpus_per_worker
        self.workers = workers
        self.batch_size = batch_size
        self.page_size = page_size

    def _connect(self) -> Any:
        ray = import_ray()
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                     configure_logging=True, logging_level="warning")
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # ours shows items done of total
        ctx.print_on_execution_start = False
        return ray

    def _n_workers(self, ray: Any) -> int:
        if self.workers is not None:
            return max(1, self.workers)
        res = ray.cluster_resources()
        if self.gpus_per_worker > 0:
            return max(1, int(res.get("GPU", 0) // self.gpus_per_worker))
        return max(1, int(res.get("CPU", 1) // self.cpus_per_worker))

    def score(self, job: ScoreJob, progress: ProgressFn | None = None) -> ScoreReport:
        job = job.with_options(self.batch_size, self.page_size)
        chosen = job.store.unscored(job.version, job.ids) if job.ids is not None else None
        total = job.store.pool_size() if job.ids is None else len(job.ids)
        pending = job.store.count_pending(job.version) if chosen is None else len(chosen)
        report = ScoreReport(engine=self.name, version=job.version, total=total, skipped=total - pending)
        if progress:
            progress(report.skipped, total)
        if pending == 0:
            return report
        ray = self._connect()
        size = job.batch_size or batch_size_for(_adapter_of(job.model_path), job.media, self.gpus_per_worker)
        n_workers = self._n_workers(ray)
        # ranges small enough that every actor gets work, at most a page, at least a batch
        # a whole number of batches, so batches hold the same items as the local engine's (batched models,
        # Whisper among them, pad a batch to its longest item: the same items must share a batch)
        per_range = size * max(1, min(-(-job.page_size // size), -(-pending // (2 * n_workers * size))))
        files_ref = ray.put(_model_files(job.model_path))
        if chosen is not None:  # a subsample the loop chose (bounded by pool_subsample): ship it from here
            source = ray.data.from_items([{"id": i.id, "media": i.media, "content": i.content,
                                           "meta": json.dumps(dict(i.meta))}
                                          for page in pages_of(job.store, chosen, job.page_size) for i in page],
                                         override_num_blocks=max(1, -(-len(chosen) // per_range)))
        else:
            plan = job.store.pending_ranges(job.version, per_range)
            if not plan:  # answered by people since the count
                return report
            source = (ray.data.from_items([{"lo": lo, "hi": hi} for lo, hi in plan], override_num_blocks=len(plan))
                      .map_batches(_read_ranges, batch_size=1, num_cpus=0, **_task_pool(ray, READERS),
                                   fn_kwargs={"store_url": job.store_url, "version": job.version}))
        ds = (
            source.map_batches(_Predictor, batch_size=size, compute=ray.data.ActorPoolStrategy(size=n_workers),
                               num_cpus=self.cpus_per_worker, num_gpus=self.gpus_per_worker or None,
                               fn_constructor_kwargs={"files": files_ref, "workdir": str(job.project_dir),
                                                     "version": job.version, "model_path": str(job.model_path),
                                                     "embed": job.embed})
        )
        sink = Sink(job, report, progress)
        for cols in ds.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=2):
            sink.add(ScoredBatch.from_columns(cols))
        sink.flush()
        report.extra.update(workers=float(n_workers), batch_size=float(size))
        return report
