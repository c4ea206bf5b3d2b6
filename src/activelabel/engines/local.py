"""The default engine: this process, one batch after another, pages in import order (resumable)."""

from __future__ import annotations

from collections.abc import Iterator

from activelabel.engines.base import ProgressFn, ScoreJob, ScoreReport, Sink, batch_size_for
from activelabel.engines.scoring import score_items
from activelabel.models.registry import load_model
from activelabel.store import Store
from activelabel.types import Item


class LocalEngine:
    """``batch_size`` / ``page_size`` override the adapter's batch and the items per bulk write."""

    name = "local"
    ordered = True

    def __init__(self, batch_size: int | None = None, page_size: int | None = None) -> None:
        self.batch_size = batch_size
        self.page_size = page_size

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
        model = job.model if job.model is not None else load_model(job.model_path)
        size = job.batch_size or batch_size_for(model, job.media)
        sink = Sink(job, report, progress)
        per_page = size * -(-job.page_size // size)  # whole batches per page: the same batches as the Ray engine's
        pages = (pages_of(job.store, chosen, per_page) if chosen is not None
                 else job.store.iter_pending(job.version, per_page))
        for page in pages:
            for start in range(0, len(page), size):
                sink.add(score_items(model, page[start:start + size], job.version, embed=job.embed))
        sink.flush()
        return report


def pages_of(store: Store, ids: list[str], page_size: int) -> Iterator[list[Item]]:
    """The items of ``ids`` (in that order), ``page_size`` at a time; ids gone from the store are left out."""
    for start in range(0, len(ids), page_size):
        chunk = ids[start:start + page_size]
        by_id = store.get_items(chunk)
        yield [by_id[i] for i in chunk if i in by_id]
