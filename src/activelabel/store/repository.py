"""The one gateway to the database: every read and write of the loop goes through ``Store``.

Writes are short transactions. On SQLite they begin IMMEDIATE (the write lock is taken up front,
so two writers never deadlock on a lock upgrade); on PostgreSQL claims use
``FOR UPDATE SKIP LOCKED`` so concurrent annotators never wait on each other's rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from activelabel.errors import AmbiguousItemIdError, ItemNotFoundError
from activelabel.store import schema as s
from activelabel.store.engine import make_engine
from activelabel.store.evaluation import EvaluationMixin
from activelabel.store.queue import QueueEntry, QueueMixin, ensure_leased
from activelabel.store.read_models import ReadModelsMixin
from activelabel.store.sql import (
    HUMAN_ANSWERED,
    HUMAN_LABELED,
    LABEL_CARRYING,
    chunks,
    get_state,
    given_by_person,
    human_answered,
    item_of,
    new_id,
    serialize,
    set_state,
)
from activelabel.store.versions import VersionsMixin
from activelabel.types import AnnotationStatus, Item

__all__ = ["HUMAN_ANSWERED", "HUMAN_LABELED", "LABEL_CARRYING", "AnswerRecord", "LabelRow", "NewItem", "QueueEntry",
           "Store", "SubmitResult"]


@dataclass(frozen=True, slots=True)
class NewItem:
    item: Item
    source: str = ""
    is_gold: bool = False
    gold_value: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    annotation_id: int
    created: bool  # False when the submission id was seen before (a retried submit)


@dataclass(frozen=True, slots=True)
class LabelRow:
    annotation_id: int
    item_id: str
    status: str
    value: dict[str, Any] | None
    annotator: str
    confidence: float | None
    created_at: float


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One row of the answers table, as stored (revoked answers included)."""

    id: int
    item_id: str
    annotator: str
    status: str
    value: dict[str, Any] | None
    submission_id: str
    model_version: str | None
    confidence: float | None
    round_id: int | None
    reason: str | None
    duration_s: float | None
    created_at: float
    revoked_at: float | None
    revoked_by: str | None


class Store(QueueMixin, VersionsMixin, ReadModelsMixin, EvaluationMixin):
    """Typed access to one project's database."""

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        engine = make_engine(url)
        if migrate:
            from activelabel.store.migrate import upgrade

            upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def add_items(self, new: Sequence[NewItem]) -> list[bool]:
        """Insert items whose id is new; returns, per input, whether it was inserted."""
        if not new:
            return []
        ids = [n.item.id for n in new]
        now = time.time()
        with self.write() as conn:
            serialize(conn, "items")  # seq = max + 1 must not race on PostgreSQL
            existing: set[str] = set()
            for chunk in chunks(ids, 500):
                existing.update(conn.scalars(select(s.items.c.id).where(s.items.c.id.in_(chunk))))
            seq = (conn.scalar(select(func.max(s.items.c.seq))) or 0) + 1
            rows, inserted = [], []
            for n in new:
                fresh = n.item.id not in existing
                inserted.append(fresh)
                if fresh:
                    existing.add(n.item.id)
                    rows.append(
                        dict(id=n.item.id, seq=seq, media=n.item.media, content=n.item.content, meta=dict(n.item.meta),
                             source=n.source, is_gold=n.is_gold, gold_value=n.gold_value, required_answers=1,
                             created_at=now)
                    )
                    seq += 1
            for chunk in chunks(rows, 1000):
                conn.execute(insert(s.items), chunk)
        return inserted

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.read() as conn:
            for chunk in chunks(list(ids), 500):
                found.update(conn.scalars(select(s.items.c.id).where(s.items.c.id.in_(chunk))))
        return found

    def get_item(self, item_id: str) -> Item:
        items = self.get_items([item_id])
        if item_id not in items:
            raise ItemNotFoundError(f"no item with id {item_id!r}")
        return items[item_id]

    def resolve_item_id(self, prefix: str) -> str:
        """The one item whose id is ``prefix`` or starts with it, so people can type a short id.

        Raises ``ItemNotFoundError`` when no id matches and ``AmbiguousItemIdError`` (naming some of
        the candidates) when several do; the comparison is case-sensitive on every backend.
        """
        if not prefix:
            raise ItemNotFoundError("give an item id (or the start of one)")
        ids = s.items.c.id
        with self.read() as conn:
            if conn.scalar(select(ids).where(ids == prefix)) is not None:
                return prefix
            found = list(conn.scalars(
                select(ids).where(func.substr(ids, 1, len(prefix)) == prefix).order_by(ids).limit(4)))
        if not found:
            raise ItemNotFoundError(f"no item with id {prefix!r} (nor one starting with it)")
        if len(found) > 1:
            shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
            raise AmbiguousItemIdError(f"{prefix!r} starts several item ids ({shown}): give more characters")
        return str(found[0])

    def get_items(self, ids: Sequence[str]) -> dict[str, Item]:
        out: dict[str, Item] = {}
        with self.read() as conn:
            for chunk in chunks(list(ids), 500):
                for row in conn.execute(select(s.items).where(s.items.c.id.in_(chunk))):
                    out[row.id] = item_of(row)
        return out

    def item_count(self) -> int:
        with self.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(s.items)) or 0)

    def gold_items(self) -> list[tuple[Item, dict[str, Any]]]:
        with self.read() as conn:
            rows = conn.execute(select(s.items).where(s.items.c.is_gold.is_(True)).order_by(s.items.c.seq))
            return [(item_of(r), r.gold_value) for r in rows]

    def iter_pool(self, page_size: int = 2000, *, exclude_human_labeled: bool = True) -> Iterator[list[Item]]:
        """Non-gold items in import order, page by page (keyset paging, so huge pools stream)."""
        last = 0
        while True:
            with self.read() as conn:
                q = select(s.items).where(s.items.c.seq > last, s.items.c.is_gold.is_(False))
                if exclude_human_labeled:
                    q = q.where(~human_answered(s.items.c.id))
                rows = list(conn.execute(q.order_by(s.items.c.seq).limit(page_size)))
            if not rows:
                return
            last = rows[-1].seq
            yield [item_of(r) for r in rows]

    def submit(
        self,
        *,
        item_id: str,
        annotator: str,
        status: AnnotationStatus,
        value: dict[str, Any] | None,
        submission_id: str,
        model_version: str | None = None,
        confidence: float | None = None,
        round_id: int | None = None,
        reason: str | None = None,
        duration_s: float | None = None,
        require_lease: bool = False,
    ) -> SubmitResult:
        """Store one answer in one transaction; a repeated submission id stores nothing new.

        With ``require_lease``, the item must be leased to ``annotator`` (``LeaseConflictError``
        otherwise); the check runs in the same transaction as the insert, so the lease cannot pass
        to someone else in between.
        """
        try:
            return self._submit(item_id=item_id, annotator=annotator, status=status, value=value,
                                submission_id=submission_id, model_version=model_version, confidence=confidence,
                                round_id=round_id, reason=reason, duration_s=duration_s,
                                require_lease=require_lease)
        except IntegrityError:
            # a concurrent replay of the same submission won the race (PostgreSQL): report its row
            with self.read() as conn:
                prior = conn.scalar(select(s.answers_table.c.id).where(s.answers_table.c.submission_id == submission_id))
            if prior is None:
                raise
            return SubmitResult(int(prior), False)

    def _submit(self, *, item_id: str, annotator: str, status: AnnotationStatus, value: dict[str, Any] | None,
                submission_id: str, model_version: str | None, confidence: float | None, round_id: int | None,
                reason: str | None, duration_s: float | None, require_lease: bool) -> SubmitResult:
        with self.write() as conn:
            prior = conn.scalar(select(s.answers_table.c.id).where(s.answers_table.c.submission_id == submission_id))
            if prior is not None:
                return SubmitResult(int(prior), False)
            if require_lease:  # before the item check: a guessed id is refused like any unleased one
                ensure_leased(conn, item_id, annotator)
            if conn.scalar(select(s.items.c.id).where(s.items.c.id == item_id)) is None:
                raise ItemNotFoundError(f"no item with id {item_id!r}")
            answer_id = new_id(conn.execute(
                insert(s.answers_table).values(
                    item_id=item_id, annotator=annotator, status=status.value, value=value,
                    submission_id=submission_id, model_version=model_version, confidence=confidence,
                    round_id=round_id, reason=reason, duration_s=duration_s, created_at=time.time(),
                )
            ))
            conn.execute(delete(s.leases).where(s.leases.c.item_id == item_id, s.leases.c.annotator == annotator))
        return SubmitResult(answer_id, True)

    def revoke(self, annotation_id: int, by: str) -> None:
        with self.write() as conn:
            conn.execute(
                update(s.answers_table)
                .where(s.answers_table.c.id == annotation_id, s.answers_table.c.revoked_at.is_(None))
                .values(revoked_at=time.time(), revoked_by=by)
            )

    def last_annotation(self, annotator: str) -> LabelRow | None:
        with self.read() as conn:
            row = conn.execute(
                select(s.answers_table)
                .where(s.answers_table.c.annotator == annotator, s.answers_table.c.revoked_at.is_(None))
                .order_by(s.answers_table.c.id.desc()).limit(1)
            ).first()
        return _label_row(row) if row else None

    def max_annotation_id(self) -> int:
        with self.read() as conn:
            return int(conn.scalar(select(func.max(s.answers_table.c.id))) or 0)

    def human_answer_count(self, after_id: int = 0) -> int:
        with self.read() as conn:
            return int(conn.scalar(
                select(func.count()).select_from(s.answers_table).where(
                    s.answers_table.c.id > after_id, s.answers_table.c.revoked_at.is_(None),
                    s.answers_table.c.status.in_(HUMAN_ANSWERED),
                )
            ) or 0)

    def current_labels(self, *, upto_annotation_id: int | None = None, include_auto: bool = False) -> list[LabelRow]:
        """The label in force for each item: its latest un-revoked human label (or auto, if asked)."""
        statuses = LABEL_CARRYING if include_auto else HUMAN_LABELED
        a = s.answers_table
        cond: list[Any] = [a.c.revoked_at.is_(None), a.c.status.in_(statuses)]
        if upto_annotation_id is not None:
            cond.append(a.c.id <= upto_annotation_id)
        latest = select(func.max(a.c.id).label("id")).where(*cond).group_by(a.c.item_id).subquery()
        with self.read() as conn:
            rows = conn.execute(select(a).join(latest, a.c.id == latest.c.id).order_by(a.c.id))
            labels = [_label_row(r) for r in rows]
        if include_auto:  # a human label always beats an auto one, whatever their order
            human = {r.item_id for r in labels if r.status in HUMAN_LABELED}
            by_item: dict[str, LabelRow] = {}
            for r in labels:
                if r.status in HUMAN_LABELED or r.item_id not in human:
                    by_item[r.item_id] = r
            labels = list(by_item.values())
        return labels

    def all_annotations(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.answers_table).order_by(s.answers_table.c.id))]

    def answer_records(self, *, item_ids: Sequence[str] | None = None, statuses: Sequence[str] | None = None,
                       live_only: bool = False) -> list[AnswerRecord]:
        """Answers (people's and auto), oldest first; narrowed to items, statuses, or un-revoked ones."""
        a = s.answers_table
        cond: list[Any] = []
        if statuses is not None:
            cond.append(a.c.status.in_(list(statuses)))
        if live_only:
            cond.append(a.c.revoked_at.is_(None))
        with self.read() as conn:
            if item_ids is None:
                rows = list(conn.execute(select(a).where(*cond).order_by(a.c.id)))
            else:
                rows = []
                for chunk in chunks(list(item_ids), 500):
                    rows.extend(conn.execute(select(a).where(a.c.item_id.in_(chunk), *cond)))
                rows.sort(key=lambda r: r.id)
        return [AnswerRecord(**r._mapping) for r in rows]

    def unanswered_required_answers(self) -> list[tuple[str, int]]:
        """(id, required_answers) of every non-gold item nobody has answered yet."""
        i = s.items
        with self.read() as conn:
            rows = conn.execute(select(i.c.id, i.c.required_answers).where(
                i.c.is_gold.is_(False), ~human_answered(i.c.id)))
            return [(r.id, int(r.required_answers)) for r in rows]

    def set_required_answers(self, changes: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Set ``required_answers`` to k for each (k, item ids) pair, all in one transaction."""
        i = s.items
        with self.write() as conn:
            for k, ids in changes:
                for chunk in chunks(list(ids), 500):
                    conn.execute(update(i).where(i.c.id.in_(chunk)).values(required_answers=k))

    def overlap_item_count(self) -> int:
        """Items that need answers from more than one person."""
        i = s.items
        with self.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(i).where(i.c.required_answers > 1)) or 0)

    def close_item(self, item_id: str, *, drop_state: Sequence[str] = (),
                   add_state: dict[str, str] | None = None) -> None:
        """Close an item at the people who answered it (no later answer is asked for), and change
        project state keys in the same transaction (a resolution clears its flag, keeps its note)."""
        a, i = s.answers_table, s.items
        with self.write() as conn:
            n = conn.scalar(select(func.count(func.distinct(a.c.annotator))).where(
                a.c.item_id == item_id, a.c.revoked_at.is_(None), a.c.status.in_(HUMAN_ANSWERED)))
            conn.execute(update(i).where(i.c.id == item_id).values(required_answers=max(1, int(n or 1))))
            if drop_state:
                conn.execute(delete(s.project_state).where(s.project_state.c.key.in_(list(drop_state))))
            for key, value in (add_state or {}).items():
                set_state(conn, key, value)

    def add_user(self, name: str, password_hash: str, role: str) -> None:
        with self.write() as conn:
            conn.execute(delete(s.users).where(s.users.c.name == name))
            conn.execute(insert(s.users).values(name=name, password_hash=password_hash, role=role, created_at=time.time()))

    def get_user(self, name: str) -> dict[str, Any] | None:
        with self.read() as conn:
            row = conn.execute(select(s.users).where(s.users.c.name == name)).first()
        return dict(row._mapping) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.users).order_by(s.users.c.name))]

    def get_state(self, key: str) -> str | None:
        with self.read() as conn:
            return get_state(conn, key)

    def set_state(self, key: str, value: str) -> None:
        with self.write() as conn:
            set_state(conn, key, value)

    def delete_states(self, keys: Sequence[str]) -> None:
        """Drop project state keys (absent ones are fine)."""
        if keys:
            with self.write() as conn:
                conn.execute(delete(s.project_state).where(s.project_state.c.key.in_(list(keys))))

    def count_in_window(self, key: str, now: float, window_s: float) -> tuple[int, float]:
        """Add one to the counter at ``key`` in one transaction, restarting it when its window
        (``window_s`` from its first count) has passed; returns (count, start of the window)."""
        with self.write() as conn:
            serialize(conn, "project_state")  # PostgreSQL: no count lost to a concurrent one
            raw = get_state(conn, key)
            data = json.loads(raw) if raw else {}
            n, since = int(data.get("n", 0)), float(data.get("since", now))
            if now - since >= window_s:
                n, since = 0, now
            set_state(conn, key, json.dumps({"n": n + 1, "since": since}))
        return n + 1, since

    def states_with_prefix(self, prefix: str) -> dict[str, str]:
        """Project state entries whose key starts with ``prefix``, keyed by the rest of the key."""
        ps = s.project_state
        with self.read() as conn:
            rows = conn.execute(select(ps).where(ps.c.key.like(prefix + "%")))
            return {r.key[len(prefix):]: r.value for r in rows}

    def counts(self) -> dict[str, int]:
        a = s.answers_table
        with self.read() as conn:
            total = int(conn.scalar(select(func.count()).select_from(s.items)) or 0)
            gold = int(conn.scalar(select(func.count()).select_from(s.items).where(s.items.c.is_gold.is_(True))) or 0)
            live = select(a.c.item_id, a.c.status).where(a.c.revoked_at.is_(None)).subquery()

            def distinct_items(statuses: Sequence[str]) -> int:
                q = select(func.count(func.distinct(live.c.item_id))).where(live.c.status.in_(list(statuses)))
                return int(conn.scalar(q) or 0)

            human = distinct_items(HUMAN_LABELED)
            answered = distinct_items(HUMAN_ANSWERED)
            auto_q = select(func.count(func.distinct(live.c.item_id))).where(
                live.c.status == AnnotationStatus.AUTO.value, ~human_answered(live.c.item_id))
            auto = int(conn.scalar(auto_q) or 0)
            n_answers = int(conn.scalar(select(func.count()).select_from(a).where(
                a.c.status.in_(HUMAN_ANSWERED + (AnnotationStatus.SKIPPED.value,)), given_by_person(a.c.annotator)))
                or 0)
        queued = len(self.peek_queue(10**9)) if total <= 200_000 else -1
        return {"items": total, "gold": gold, "human_labeled": human, "human_answered": answered,
                "auto_accepted": auto, "queued": queued, "answers": n_answers}


def _label_row(r: Any) -> LabelRow:
    return LabelRow(annotation_id=r.id, item_id=r.item_id, status=r.status, value=r.value, annotator=r.annotator,
                    confidence=r.confidence, created_at=r.created_at)
