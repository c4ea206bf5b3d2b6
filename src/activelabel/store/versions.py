"""Model versions and their predictions: immutable versions, one promoted at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, exists, func, insert, select, update

from activelabel.store import schema as s
from activelabel.store.records import Version
from activelabel.store.sql import (
    HUMAN_ANSWERED,
    chunks,
    human_answered,
    positional_mark,
    promote_version,
    serialize,
)
from activelabel.store.transactions import Transactions
from activelabel.types import Item


def _item(row: Any) -> Item:
    return Item(id=row.id, media=row.media, content=row.content, meta=row.meta or {})


def _in_pool() -> list[Any]:
    return [s.items.c.is_gold.is_(False), ~human_answered(s.items.c.id)]


def _answered_ids(conn: Connection) -> set[str]:
    """Ids of the items with a live human answer (what ``human_answered`` tests row by row)."""
    a: Any = s.answers_table
    return set(conn.scalars(select(a.c.item_id).distinct().where(a.c.revoked_at.is_(None),
                                                                 a.c.status.in_(HUMAN_ANSWERED))))


def _pending(version: str) -> list[Any]:
    p = s.predictions
    scored = exists().where(p.c.item_id == s.items.c.id, p.c.model_version == version)
    return [*_in_pool(), ~scored]


class VersionsMixin(Transactions):
    """Store methods for model versions and predictions (mixed into ``Store``, whose ``read()``,
    ``write()`` and ``engine`` they use)."""

    def save_predictions(self, version: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert; rows hold item_id, value, confidence, score, parts. Re-saving replaces.

        JSON is serialised here and the rows go to the driver as plain tuples: SQLAlchemy's per-row
        parameter processing cost more than the insert itself on 100k-item pools.
        """
        now = time.time()
        payload = [(r["item_id"], version, json.dumps(r["value"]), float(r["confidence"]), float(r["score"]),
                    json.dumps(list(r.get("parts", []))), now) for r in rows]
        mark = positional_mark(self.engine.dialect.paramstyle)
        json_value = f"CAST({mark} AS JSON)" if self.engine.dialect.name == "postgresql" else mark
        stmt = ("INSERT INTO predictions (item_id, model_version, value, confidence, score, parts, created_at) "
                f"VALUES ({mark}, {mark}, {json_value}, {mark}, {mark}, {json_value}, {mark})")
        with self.write() as conn:
            had_any = conn.scalar(select(s.predictions.c.id).where(s.predictions.c.model_version == version).limit(1))
            for chunk in chunks(payload, 5000):
                if had_any is not None:
                    ids = [r[0] for r in chunk]
                    conn.execute(delete(s.predictions).where(s.predictions.c.model_version == version,
                                                             s.predictions.c.item_id.in_(ids)))
                conn.exec_driver_sql(stmt, list(chunk))

    def predictions_for(self, version: str, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self.read() as conn:
            for chunk in chunks(list(item_ids), 500):
                q = select(s.predictions).where(s.predictions.c.model_version == version,
                                                s.predictions.c.item_id.in_(chunk))
                for r in conn.execute(q):
                    out[r.item_id] = dict(r._mapping)
        return out

    def forget_predictions(self, version: str) -> int:
        """Drop a version's prediction rows so that it is scored again from scratch."""
        with self.write() as conn:
            return int(conn.execute(delete(s.predictions).where(s.predictions.c.model_version == version)).rowcount or 0)

    # The pool as the engines page through it. "Pending" means in the pool (not gold, no live human
    # answer) and not yet scored by the version at hand. Every query pages by ``seq`` (keyset paging),
    # so none holds a huge pool in memory, and a stopped run resumes where it stopped.

    def pool_size(self) -> int:
        """Items left for people: not gold, with no live human answer."""
        with self.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(s.items).where(*_in_pool())) or 0)

    def pool_ids(self, page_size: int = 50_000) -> np.ndarray:
        """Ids of the pool in import order, as a compact string array (no contents loaded)."""
        parts: list[np.ndarray] = []
        last = 0
        while True:
            with self.read() as conn:
                rows = list(conn.execute(select(s.items.c.seq, s.items.c.id).where(s.items.c.seq > last, *_in_pool())
                                         .order_by(s.items.c.seq).limit(page_size)))
            if not rows:
                break
            last = rows[-1].seq
            parts.append(np.array([r.id for r in rows], dtype="U40"))
        return np.concatenate(parts) if parts else np.empty(0, dtype="U40")

    def count_pending(self, version: str) -> int:
        with self.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(s.items).where(*_pending(version))) or 0)

    def iter_pending(self, version: str, page_size: int) -> Iterator[list[Item]]:
        """Pool items that ``version`` has not scored yet, page by page in import order.

        Pages are plain keyset reads of the non-gold items; answered and already-scored ids are
        dropped here, from sets read once (ids only): two correlated subqueries per row cost as
        much as predicting the page. An item answered while the run goes on is still scored.
        """
        with self.read() as conn:
            skip = _answered_ids(conn) | set(conn.scalars(select(s.predictions.c.item_id)
                                                          .where(s.predictions.c.model_version == version)))
        cols = (s.items.c.seq, s.items.c.id, s.items.c.media, s.items.c.content, s.items.c.meta)
        last = 0
        held: list[Item] = []  # pages hold exactly page_size pending items (the Ray ranges' batches)
        while True:
            with self.read() as conn:
                rows = list(conn.execute(select(*cols).where(s.items.c.seq > last, s.items.c.is_gold.is_(False))
                                         .order_by(s.items.c.seq).limit(page_size)))
            if not rows:
                break
            last = rows[-1].seq
            held.extend(_item(r) for r in rows if r.id not in skip)
            while len(held) >= page_size:
                yield held[:page_size]
                held = held[page_size:]
        if held:
            yield held

    def pending_ranges(self, version: str, page_size: int) -> list[tuple[int, int]]:
        """Half-open ``seq`` ranges ``(lo, hi]`` that each hold at most ``page_size`` pending items.

        Only the pending items' ``seq`` numbers are read (8 bytes each), so the plan for 10M items
        costs about 80 MB once; the Ray readers then fetch each range's contents on the workers.
        """
        ranges: list[tuple[int, int]] = []
        last = 0
        while True:
            with self.read() as conn:
                seqs = list(conn.scalars(select(s.items.c.seq).where(s.items.c.seq > last, *_pending(version))
                                         .order_by(s.items.c.seq).limit(page_size)))
            if not seqs:
                return ranges
            ranges.append((last, seqs[-1]))
            last = seqs[-1]

    def read_pending_range(self, version: str, lo: int, hi: int) -> list[Item]:
        """The pending items with ``lo < seq <= hi`` (one range of a plan from ``pending_ranges``)."""
        with self.read() as conn:
            rows = conn.execute(select(s.items).where(s.items.c.seq > lo, s.items.c.seq <= hi, *_pending(version))
                                .order_by(s.items.c.seq))
            return [_item(r) for r in rows]

    def unscored(self, version: str, item_ids: Sequence[str]) -> list[str]:
        """The given ids that ``version`` has not scored yet, in their order (for a subsample the loop chose)."""
        p = s.predictions
        done: set[str] = set()
        with self.read() as conn:
            for chunk in chunks(list(item_ids), 500):
                done.update(conn.scalars(select(p.c.item_id).where(p.c.model_version == version,
                                                                   p.c.item_id.in_(chunk))))
        return [i for i in item_ids if i not in done]

    def create_version(self, *, base_version: str | None, path_for: Any) -> str:
        """Reserve the next version id (v0001, ...) in status 'training'; path_for(id) gives its folder."""
        with self.write() as conn:
            serialize(conn, "model_versions")
            n = int(conn.scalar(select(func.count()).select_from(s.model_versions)) or 0) + 1
            vid = f"v{n:04d}"
            conn.execute(insert(s.model_versions).values(
                id=vid, created_at=time.time(), status="training", path=str(path_for(vid)),
                base_version=base_version, trained_on_annotation_id=0, n_train=0, n_validation=0,
                metrics={}, progress=0.0, message="queued",
            ))
        return vid

    def update_version(self, version: str, **fields: Any) -> None:
        with self.write() as conn:
            conn.execute(update(s.model_versions).where(s.model_versions.c.id == version).values(**fields))

    def promote(self, version: str) -> None:
        """Make ``version`` current, atomically: the pointer and the statuses change together."""
        with self.write() as conn:
            promote_version(conn, version)

    def current_version(self) -> str | None:
        with self.read() as conn:
            return conn.scalar(select(s.project_state.c.value).where(s.project_state.c.key == "current_version"))

    def get_version(self, version: str) -> Version:
        with self.read() as conn:
            row = conn.execute(select(s.model_versions).where(s.model_versions.c.id == version)).first()
        if row is None:
            raise KeyError(version)
        return Version.from_row(row)

    def list_versions(self) -> list[Version]:
        with self.read() as conn:
            return [Version.from_row(r) for r in conn.execute(select(s.model_versions).order_by(s.model_versions.c.id))]
