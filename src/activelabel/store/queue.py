"""Rounds, the ranked queue and leases: who gets which item next.

A round installs a ranking (queue_entries) and the auto-accepted labels in one transaction; claims
walk the ranking under per-annotator leases (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN
IMMEDIATE`` on SQLite), honouring overlap items and mixing in gold items.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, select, update

from activelabel.errors import LeaseConflictError
from activelabel.store import schema as s
from activelabel.store.records import QueueRow, Round
from activelabel.store.sql import (
    HUMAN_ANSWERED,
    chunks,
    free_for,
    get_state,
    needs_answers,
    new_id,
    positional_mark,
    promote_version,
    seen_by,
    set_state,
)
from activelabel.store.transactions import Transactions
from activelabel.types import AnnotationStatus, Item

# how long a claim keeps looking again after losing races to other claimers before it says so
CLAIM_PATIENCE_S = 30.0


@dataclass(frozen=True, slots=True)
class QueueEntry:
    item: Item
    round_id: int
    rank: int
    reason: str
    score: float
    pool_rank: int


class QueueMixin(Transactions):
    """Store methods for rounds, the queue and leases (mixed into ``Store``)."""

    def create_round(
        self,
        *,
        version: str | None,
        strategy: str,
        entries: Sequence[QueueRow],
        auto: Sequence[dict[str, Any]],
        budget: int,
        stats: dict[str, Any],
        promote: bool = False,
    ) -> int:
        """Install a new ranking and the auto-accepted labels of one round, in one transaction.

        Auto labels of earlier rounds that no human has confirmed are revoked first, so that the
        auto-accepted set always reflects the current model. With ``promote``, the version becomes
        current in the same transaction, so no reader ever sees a new version with an old ranking.
        """
        now = time.time()
        with self.write() as conn:
            if promote and version is not None:
                promote_version(conn, version)
            if version is not None and version != get_state(conn, "current_version", for_share=True):
                raise ValueError(f"refusing to rank with {version}: it is not the current version")
            rid = new_id(conn.execute(insert(s.rounds).values(
                model_version=version, strategy=strategy, created_at=now, n_scored=int(stats.get("n_scored", 0)),
                n_auto=len(auto), n_audit=sum(1 for e in entries if e.reason == "audit"),
                n_queued=len(entries), budget=budget, stats=stats,
            )))
            mark = positional_mark(self.engine.dialect.paramstyle)
            stmt = ("INSERT INTO queue_entries (round_id, item_id, rank, reason, score, pool_rank) "
                    f"VALUES ({', '.join([mark] * 6)})")
            rows_in = [(rid, e.item_id, int(e.rank), e.reason, float(e.score), int(e.pool_rank)) for e in entries]
            for chunk in chunks(rows_in, 5000):
                conn.exec_driver_sql(stmt, list(chunk))
            conn.execute(update(s.answers_table).where(
                s.answers_table.c.status == AnnotationStatus.AUTO.value, s.answers_table.c.revoked_at.is_(None)
            ).values(revoked_at=now, revoked_by=f"round:{rid}"))
            rows = [dict(item_id=a["item_id"], annotator=f"model:{version}", status=AnnotationStatus.AUTO.value,
                         value=a["value"], submission_id=f"auto:{rid}:{a['item_id']}", model_version=version,
                         confidence=a["confidence"], round_id=rid, reason="auto", duration_s=None, created_at=now,
                         revoked_at=None, revoked_by=None) for a in auto]
            for chunk in chunks(rows, 2000):
                conn.execute(insert(s.answers_table), chunk)
            set_state(conn, "current_round", str(rid))
        return rid

    def current_round(self) -> Round | None:
        with self.read() as conn:
            rid = get_state(conn, "current_round")
            if rid is None:
                return None
            row = conn.execute(select(s.rounds).where(s.rounds.c.id == int(rid))).first()
        return Round.from_row(row) if row else None

    def list_rounds(self) -> list[Round]:
        with self.read() as conn:
            return [Round.from_row(r) for r in conn.execute(select(s.rounds).order_by(s.rounds.c.id))]

    def _queue_query(self, conn: Connection, round_id: int, annotator: str, now: float, n: int,
                     lock: bool = False, gold_rate: float = 0.0, seed: int = 0) -> Any:
        q, le = s.queue_entries, s.leases
        skipped_by_me = seen_by(q.c.item_id, annotator)  # skipped or answered: never twice to one person
        leased_to_other = exists().where(le.c.item_id == q.c.item_id, le.c.expires_at > now, le.c.annotator != annotator)
        stmt = (
            select(q, s.items)
            .join(s.items, s.items.c.id == q.c.item_id)
            .where(q.c.round_id == round_id, needs_answers(q.c.item_id, s.items.c.required_answers), ~skipped_by_me,
                   ~leased_to_other)
            .order_by(q.c.rank)
            .limit(n)
        )
        if lock and not self.is_sqlite:  # only claims lock: a peek or a count must not hide items
            stmt = stmt.with_for_update(skip_locked=True, of=q)
        rows = _pending_overlap(conn, round_id, annotator, now, n, lock and not self.is_sqlite)
        rows += list(conn.execute(stmt.limit(n - len(rows)))) if len(rows) < n else []
        if gold_rate > 0 and rows:
            rows = _mix_gold(conn, rows, annotator, now, gold_rate, seed, lock and not self.is_sqlite)
        return rows

    def peek_queue(self, n: int, annotator: str = "") -> list[QueueEntry]:
        """The next n items for humans, without leasing them."""
        with self.read() as conn:
            rid = get_state(conn, "current_round")
            if rid is None:
                return []
            return [_entry(r) for r in self._queue_query(conn, int(rid), annotator, time.time(), n)]

    def claim(self, annotator: str, n: int, lease_seconds: float, *, gold_rate: float = 0.0,
              seed: int = 0) -> list[QueueEntry]:
        """Lease the next n items to ``annotator``; items leased to others are passed over.

        Overlap items stay claimable until ``required_answers`` distinct people answered them, never
        twice by one person. With ``gold_rate`` > 0, gold items are mixed in (see ``_mix_gold``).
        """
        now = time.time()
        with self.write() as conn:
            rid = get_state(conn, "current_round")
            if rid is None:
                return []
            won: list[QueueEntry] = []
            # every lost race means another claimer leased that item, so looking again always makes
            # progress and ends when nothing claimable is left; a fixed number of tries did not (ten
            # annotators on two cores lost ten races in a row and were told the queue was empty)
            give_up_at = time.monotonic() + CLAIM_PATIENCE_S
            while True:
                mine = {e.item.id for e in won}
                fresh = [e for e in (_entry(r) for r in self._queue_query(conn, int(rid), annotator, now,
                                                                            n + len(won), lock=True,
                                                                            gold_rate=gold_rate, seed=seed))
                         if e.item.id not in mine][: n - len(won)]
                if not fresh:
                    break
                got = _take_leases(conn, [e.item.id for e in fresh], annotator, now, now + lease_seconds)
                won.extend(e for e in fresh if e.item.id in got)
                if len(got) == len(fresh) or len(won) >= n:
                    break  # else another claimer's commit landed between our snapshot and our lock: look again
                if time.monotonic() > give_up_at:
                    if won:
                        break
                    raise LeaseConflictError(
                        f"{annotator} lost every race for the next item for {CLAIM_PATIENCE_S:.0f} s while others "
                        "claimed; the queue is not empty, ask again")
        return sorted(won, key=lambda e: e.rank)

    def release(self, annotator: str, item_ids: Sequence[str] | None = None) -> None:
        with self.write() as conn:
            cond = [s.leases.c.annotator == annotator]
            if item_ids is not None:
                cond.append(s.leases.c.item_id.in_(list(item_ids)))
            conn.execute(delete(s.leases).where(and_(*cond)))

    def live_leases(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.leases).where(s.leases.c.expires_at > time.time()))]

    def check_lease(self, *, item_id: str, annotator: str, submission_id: str) -> None:
        """Raise ``LeaseConflictError`` unless the item is leased to ``annotator`` or the submission is
        stored already; a cheap early answer, the submit itself checks again in its own transaction."""
        with self.read() as conn:
            if not submission_stored(conn, submission_id):
                ensure_leased(conn, item_id, annotator)

    def lease_back(self, item_id: str, annotator: str, lease_seconds: float) -> bool:
        """Lease an item to ``annotator`` unless someone else holds a live lease on it; True when leased."""
        le = s.leases
        now = time.time()
        with self.write() as conn:
            other = conn.scalar(select(le.c.annotator).where(
                le.c.item_id == item_id, le.c.expires_at > now, le.c.annotator != annotator))
            if other is not None:
                return False
            conn.execute(delete(le).where(le.c.item_id == item_id))
            conn.execute(insert(le).values(item_id=item_id, annotator=annotator, expires_at=now + lease_seconds))
        return True

    def requeue(self, item_id: str, round_id: int, by: str) -> None:
        """Put an item at the front of a round's queue and revoke its human answers (auto labels stay)."""
        a, q = s.answers_table, s.queue_entries
        now = time.time()
        with self.write() as conn:
            conn.execute(update(a).where(
                a.c.item_id == item_id, a.c.revoked_at.is_(None), a.c.status != AnnotationStatus.AUTO.value
            ).values(revoked_at=now, revoked_by=f"requeue:{by}"))
            front = conn.scalar(select(func.min(q.c.rank)).where(q.c.round_id == round_id))
            rank = (front if front is not None else 0) - 1
            conn.execute(delete(q).where(q.c.round_id == round_id, q.c.item_id == item_id))
            conn.execute(insert(q).values(round_id=round_id, item_id=item_id, rank=rank, reason="requeued",
                                          score=1.0, pool_rank=0))


def submission_stored(conn: Connection, submission_id: str) -> bool:
    a = s.answers_table
    return conn.scalar(select(a.c.id).where(a.c.submission_id == submission_id)) is not None

def ensure_leased(conn: Connection, item_id: str, annotator: str) -> None:
    """Raise ``LeaseConflictError`` unless ``annotator`` holds the item's lease.

    An expired lease of theirs still counts while nobody else has claimed the item. On PostgreSQL
    the lease row stays locked until the transaction ends, so no claim can take it meanwhile.
    """
    le = s.leases
    stmt = select(le.c.annotator).where(le.c.item_id == item_id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    if conn.scalar(stmt) != annotator:
        raise LeaseConflictError(f"item {item_id} is not leased to {annotator}")


class _Row:
    """A queue row built in Python (pending overlap, gold), shaped like a queue_entries x items row."""

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping

def _item_row(r: Any, round_id: int, rank: int, reason: str, score: float, pool_rank: int) -> _Row:
    return _Row(dict(item_id=r.id, media=r.media, content=r.content, meta=r.meta, round_id=round_id, rank=rank,
                     reason=reason, score=score, pool_rank=pool_rank))

def _pending_overlap(conn: Connection, round_id: int, annotator: str, now: float, n: int, lock: bool) -> list[Any]:
    """Overlap items answered in an earlier round that still need more people; they come first.

    A new round ranks only unanswered items, so without this they would drop out of every queue.
    """
    i, q, a = s.items, s.queue_entries, s.answers_table
    if n <= 0 or conn.scalar(select(i.c.id).where(i.c.required_answers > 1).limit(1)) is None:
        return []  # no overlap items at all (the common case): one index probe, no join
    # driven from the (few) answered items through the status index, never a scan of the pool;
    # no ORDER BY, so the planner cannot prefer walking items by seq: the handful found is sorted here
    answered = select(a.c.item_id).where(a.c.status.in_(HUMAN_ANSWERED), a.c.revoked_at.is_(None))
    stmt = select(i).where(
        i.c.id.in_(answered), i.c.required_answers > 1, i.c.is_gold.is_(False),
        needs_answers(i.c.id, i.c.required_answers), ~seen_by(i.c.id, annotator), free_for(i.c.id, annotator, now),
        ~exists().where(q.c.item_id == i.c.id, q.c.round_id == round_id),
    )
    if lock:
        stmt = stmt.with_for_update(skip_locked=True, of=i)
    rows = sorted(conn.execute(stmt), key=lambda r: r.seq)[:n]
    return [_item_row(r, round_id, -1, "overlap", 0.0, 0) for r in rows]

def _mix_gold(conn: Connection, rows: list[Any], annotator: str, now: float, rate: float, seed: int,
              lock: bool) -> list[Any]:
    """Put gold items the annotator has not seen into the list, each slot with chance ``rate``.

    A gold item is dressed like the entry it precedes (same round, reason, score and rank), so it
    cannot be told apart. The draw is seeded by the annotator and how many answers they gave, so a
    reload hands out the same items.
    """
    i, a = s.items, s.answers_table
    stmt = select(i).where(i.c.is_gold.is_(True), ~seen_by(i.c.id, annotator), free_for(i.c.id, annotator, now))
    if lock:
        stmt = stmt.with_for_update(skip_locked=True, of=i)
    gold = sorted(conn.execute(stmt), key=lambda r: _unit(f"{seed}:{annotator}:{r.id}"))
    if not gold:
        return rows
    given = int(conn.scalar(select(func.count()).select_from(a).where(a.c.annotator == annotator)) or 0)
    out: list[Any] = []
    for slot, row in enumerate(rows):
        if gold and _unit(f"{seed}:{annotator}:{given}:{slot}") < rate:
            m = row._mapping
            out.append(_item_row(gold.pop(0), m["round_id"], m["rank"], m["reason"], m["score"], m["pool_rank"]))
        out.append(row)
    return out[: len(rows)]

def _unit(key: str) -> float:
    """A stable pseudo-random number in [0, 1) from a string (the same on every machine and run)."""
    import hashlib

    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) / float(16**12)

def _entry(row: Any) -> QueueEntry:
    m = row._mapping
    item = Item(id=m["item_id"], media=m["media"], content=m["content"], meta=m["meta"] or {})
    return QueueEntry(item=item, round_id=m["round_id"], rank=m["rank"], reason=m["reason"], score=m["score"],
                      pool_rank=m["pool_rank"])

def _take_leases(conn: Connection, ids: Sequence[str], annotator: str, now: float, expires: float) -> set[str]:
    """Lease the items that nobody else holds; returns the ids won.

    Expired leases and the annotator's own are replaced. On PostgreSQL a claimer whose snapshot
    predates another's commit can still reach a row it sees as free; ON CONFLICT keeps the other's
    lease, and the caller looks again.
    """
    le = s.leases
    conn.execute(delete(le).where(le.c.item_id.in_(list(ids)), (le.c.expires_at <= now) | (le.c.annotator == annotator)))
    rows = [dict(item_id=i, annotator=annotator, expires_at=expires) for i in ids]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(le).values(rows).on_conflict_do_nothing(index_elements=["item_id"]).returning(le.c.item_id)
        got = set(conn.scalars(stmt))
        # the holder may have answered and let go since our snapshot: this statement sees its commit
        # an overlap item is done at k answers; a gold item never is (everyone answers it once)
        i = s.items
        done = set(conn.scalars(select(le.c.item_id).join(i, i.c.id == le.c.item_id).where(
            le.c.item_id.in_(list(got)), i.c.is_gold.is_(False), ~needs_answers(le.c.item_id, i.c.required_answers))))
        if done:
            conn.execute(delete(le).where(le.c.item_id.in_(list(done)), le.c.annotator == annotator))
        return got - done
    conn.execute(insert(le), rows)  # SQLite: BEGIN IMMEDIATE serialises claims; the query saw every lease
    return set(ids)
