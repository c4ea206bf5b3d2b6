"""The default engine: this process, one batch after another (today's behaviour, now resumable)."""

from __future__ import annotations

from activelabel.engines import pool
from activelabel.engines.base import ProgressFn, ScoreJob, ScoreReport, Sink, batch_size_for
from activelabel.engines.scoring import score_items
from activelabel.models.registry import load_model


class LocalEngine:
    """``batch_size`` / ``page_size`` override the adapter's batch and the items per bulk write."""

    name = "local"

    def __init__(self, batch_size: int | None = None, page_size: int | None = None) -> None:
        self.batch_size = batch_size
        self.page_size = page_size

    def score(self, job: ScoreJob, progress: ProgressFn | None = None) -> ScoreReport:
        job = job.with_options(self.batch_size, self.page_size)
        chosen = pool.pending_of(job.store, job.version, job.items) if job.items is not None else None
        total = pool.count_pool(job.store) if job.items is None else len(job.items)
        pending = pool.count_pending(job.store, job.version) if chosen is None else len(chosen)
        report = ScoreReport(engine=self.name, version=job.version, total=total, skipped=total - pending)
        if progress:
            progress(report.skipped, total)
        if pending == 0:
            return report
        model = job.model if job.model is not None else load_model(job.model_path)
        size = job.batch_size or batch_size_for(model, job.media)
        sink = Sink(job, report, progress)
        per_page = size * -(-job.page_size // size)  # whole batches per page: the same batches as the Ray engine's
        pages = [chosen] if chosen is not None else pool.iter_pending(job.store, job.version, per_page)
        for page in pages:
            for start in range(0, len(page), size):
                sink.add(score_items(model, page[start:start + size]))
        sink.flush()
        return report
