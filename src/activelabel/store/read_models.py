"""Read models for the dashboard, the review page and the QA report: aggregations the database does best.

They only read, each in one transaction, and return plain Python values, so that the callers in
``ui/`` and ``quality/`` never build SQL themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from activelabel.store import schema as s
from activelabel.store.sql import HUMAN_ANSWERED, chunks
from activelabel.store.transactions import Transactions


@dataclass(frozen=True, slots=True)
class AuditCounts:
    """How many distinct items were sent to audit, and the distinct audited items per human status."""

    sent_to_audit: int
    by_status: dict[str, int]


class ReadModelsMixin(Transactions):
    """Store methods for reports (mixed into ``Store``)."""

    def audit_entries(self, round_id: int | None = None) -> list[tuple[str, int]]:
        """(item id, round id) of every queue entry sent to audit, by rank; of one round, or of all."""
        q = s.queue_entries
        stmt = select(q.c.item_id, q.c.round_id).where(q.c.reason == "audit")
        if round_id is not None:
            stmt = stmt.where(q.c.round_id == round_id)
        with self.read() as conn:
            return [(r.item_id, int(r.round_id)) for r in conn.execute(stmt.order_by(q.c.round_id, q.c.rank))]

    def audit_counts(self) -> AuditCounts:
        """The audit sample's size, and what people answered on the audited items."""
        a, q = s.answers_table, s.queue_entries
        with self.read() as conn:
            audited = select(q.c.item_id).where(q.c.reason == "audit").distinct().subquery()
            rows = conn.execute(
                select(a.c.status, func.count(func.distinct(a.c.item_id)))
                .where(a.c.item_id.in_(select(audited.c.item_id)), a.c.revoked_at.is_(None),
                       a.c.status.in_(HUMAN_ANSWERED))
                .group_by(a.c.status)
            ).all()
            n_audit = int(conn.scalar(select(func.count()).select_from(audited)) or 0)
        return AuditCounts(n_audit, {status: int(n) for status, n in rows})

    def answers_by_hour(self, statuses: Sequence[str], bucket_s: float) -> list[tuple[str, int, int]]:
        """(annotator, bucket, answers) for answers in ``statuses``; bucket = created_at // bucket_s,
        newest bucket first."""
        a = s.answers_table
        bucket = func.floor(a.c.created_at / bucket_s)
        with self.read() as conn:
            rows = conn.execute(
                select(a.c.annotator, bucket.label("hour"), func.count())
                .where(a.c.status.in_(list(statuses))).group_by(a.c.annotator, bucket).order_by(bucket.desc())
            ).all()
        return [(str(name), int(h), int(n)) for name, h, n in rows]

    def predicted_values(self, version: str, *, item_ids: Sequence[str] | None = None,
                         limit: int | None = None) -> dict[str, Any]:
        """Item id -> the value ``version`` predicted: for ``item_ids``, or the first ``limit`` by item id."""
        p = s.predictions
        with self.read() as conn:
            if item_ids is None:
                stmt = select(p.c.item_id, p.c.value).where(p.c.model_version == version).order_by(p.c.item_id)
                return {r.item_id: r.value for r in conn.execute(stmt if limit is None else stmt.limit(limit))}
            return dict(_predicted_in(conn, version, item_ids))


def _predicted_in(conn: Connection, version: str, item_ids: Sequence[str]) -> Iterator[tuple[str, Any]]:
    p = s.predictions
    for chunk in chunks(list(item_ids), 500):
        for r in conn.execute(select(p.c.item_id, p.c.value).where(p.c.model_version == version,
                                                                  p.c.item_id.in_(chunk))):
            yield r.item_id, r.value
