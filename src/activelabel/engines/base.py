"""The engine interface: score every pending pool item with one model version, write it back.

An engine predicts (in batches that fit the adapter), and hands each result batch to a ``Sink``,
which buffers up to a page, writes the numeric shard and the prediction rows in one bulk insert,
and then hands the page to the job's ``on_page`` (the loop keeps the numbers and routes from
memory). Engines differ only in where ``score_items`` runs: in this process, or on Ray actors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from activelabel.engines.scoring import ScoredBatch, concat_optional
from activelabel.engines.shards import write_shard
from activelabel.models.base import Model
from activelabel.store import Store

ProgressFn = Callable[[int, int], None]  # (items done, items in the pool)
PageFn = Callable[[ScoredBatch], None]  # one written page

# items per model call, by media; an adapter may override with a class attribute ``predict_batch_size``
BATCH_SIZES = {"text": 2000, "image": 16, "audio": 8, "video": 1}  # a clip is many frames
WRITE_PAGE = 2000  # items per bulk insert (and per shard)


def batch_size_for(model_or_cls: object, media: str, gpus: float = 0.0) -> int:
    """Items per predict call: the adapter's own figure, else one per media (bigger on a GPU)."""
    own = getattr(model_or_cls, "predict_batch_size", None)
    if isinstance(own, int) and own > 0:
        return own
    if media not in BATCH_SIZES:
        raise ValueError(f"unknown media {media!r}; expected one of {sorted(BATCH_SIZES)}")
    size = BATCH_SIZES[media]
    return size * 4 if gpus > 0 and media != "text" else size


@dataclass(frozen=True)
class ScoreJob:
    """What to score and where results go; everything an engine needs, nothing of the project facade."""

    store: Store
    store_url: str  # for processes that open their own connection (Ray workers)
    version: str
    model_path: Path  # the version's folder in the project's model store
    scores_dir: Path  # <project>/scores/<version>
    media: str  # text | image | audio
    project_dir: Path
    model: Model | None = None  # an already loaded model (the local engine reuses it)
    batch_size: int | None = None  # None: batch_size_for(the adapter, media)
    page_size: int = WRITE_PAGE
    ids: list[str] | None = None  # score these (a subsample), in this order, instead of paging through the pool
    embed: bool = False  # also embed each batch (the round's strategy ranks on embeddings)
    on_page: PageFn | None = None  # called with each page once it is written

    def with_options(self, batch_size: int | None, page_size: int | None) -> ScoreJob:
        """The job with an engine's own batch and page sizes, where it sets them."""
        for name, value in (("batch_size", batch_size), ("page_size", page_size)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        return replace(self, batch_size=batch_size or self.batch_size, page_size=page_size or self.page_size)


@dataclass
class ScoreReport:
    engine: str
    version: str
    total: int  # pool size when the run started
    skipped: int  # already scored by this version (a resumed run)
    predicted: int = 0
    batches: int = 0
    seconds: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def items_per_s(self) -> float:
        return self.predicted / self.seconds if self.seconds > 0 else 0.0


class Engine(Protocol):
    name: str
    ordered: bool  # pages reach ``on_page`` in import order

    def score(self, job: ScoreJob, progress: ProgressFn | None = None) -> ScoreReport:
        """Predict every pending item of ``job`` and write it back; safe to stop and run again."""


class Sink:
    """Buffers scored batches and writes them a page at a time: shard first, then the rows."""

    def __init__(self, job: ScoreJob, report: ScoreReport, progress: ProgressFn | None) -> None:
        self.job = job
        self.report = report
        self.progress = progress
        self.pending: list[ScoredBatch] = []
        self.buffered = 0
        self.started = time.perf_counter()

    def add(self, batch: ScoredBatch) -> None:
        self.pending.append(batch)
        self.buffered += len(batch)
        self.report.batches += 1
        if self.buffered >= self.job.page_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        merged = _concat(self.pending)
        write_shard(self.job.scores_dir, merged)
        self.job.store.save_predictions(self.job.version, merged.rows)
        if self.job.on_page is not None:
            self.job.on_page(merged)
        self.report.predicted += len(merged)
        self.report.seconds = time.perf_counter() - self.started
        self.pending, self.buffered = [], 0
        if self.progress:
            self.progress(self.report.skipped + self.report.predicted, self.report.total)


def _concat(batches: list[ScoredBatch]) -> ScoredBatch:
    if len(batches) == 1:
        return batches[0]
    return ScoredBatch(rows=[r for b in batches for r in b.rows],
                       confidence=np.concatenate([b.confidence for b in batches]),
                       proba=concat_optional([b.proba for b in batches], "class probabilities"),
                       embeddings=concat_optional([b.embeddings for b in batches], "embeddings"))

