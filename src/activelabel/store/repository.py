"""The one gateway to the database: every read and write of the loop goes through ``Store``.

Writes are short transactions. On SQLite they begin IMMEDIATE (the write lock is taken up front,
so two writers never deadlock on a lock upgrade); on PostgreSQL claims use
``FOR UPDATE SKIP LOCKED`` so concurrent annotators never wait on each other's rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from activelabel.errors import ItemNotFoundError
from activelabel.store import schema as s
from activelabel.store.engine import is_sqlite, make_engine
from activelabel.types import AnnotationStatus, Item

HUMAN_ANSWERED = (AnnotationStatus.ACCEPTED.value, AnnotationStatus.CORRECTED.value, AnnotationStatus.REJECTED.value)
HUMAN_LABELED = (AnnotationStatus.ACCEPTED.value, AnnotationStatus.CORRECTED.value)
LABEL_CARRYING = HUMAN_LABELED + (AnnotationStatus.AUTO.value,)


@dataclass(frozen=True, slots=True)
class NewItem:
    item: Item
    source: str = ""
    is_gold: bool = False
    gold_value: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class QueueEntry:
    item: Item
    round_id: int
    rank: int
    reason: str
    score: float
    pool_rank: int


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


def _item(row: Any) -> Item:
    return Item(id=row.id, media=row.media, content=row.content, meta=row.meta or {})


class Store:
    """Typed access to one project's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        engine = make_engine(url)
        if migrate:
            from activelabel.store.migrate import upgrade

            upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite)."""
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # ---- items ------------------------------------------------------------------------------

    def add_items(self, new: Sequence[NewItem]) -> list[bool]:
        """Insert items whose id is new; returns, per input, whether it was inserted."""
        if not new:
            return []
        ids = [n.item.id for n in new]
        now = time.time()
        with self.write() as conn:
            _serialize(conn, "items")  # seq = max + 1 must not race on PostgreSQL
            existing: set[str] = set()
            for chunk in _chunks(ids, 500):
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
            for chunk in _chunks(rows, 1000):
                conn.execute(insert(s.items), chunk)
        return inserted

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.read() as conn:
            for chunk in _chunks(list(ids), 500):
                found.update(conn.scalars(select(s.items.c.id).where(s.items.c.id.in_(chunk))))
        return found

    def get_item(self, item_id: str) -> Item:
        items = self.get_items([item_id])
        if item_id not in items:
            raise ItemNotFoundError(f"no item with id {item_id!r}")
        return items[item_id]

    def get_items(self, ids: Sequence[str]) -> dict[str, Item]:
        out: dict[str, Item] = {}
        with self.read() as conn:
            for chunk in _chunks(list(ids), 500):
                for row in conn.execute(select(s.items).where(s.items.c.id.in_(chunk))):
                    out[row.id] = _item(row)
        return out

    def item_count(self) -> int:
        with self.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(s.items)) or 0)

    def gold_items(self) -> list[tuple[Item, dict[str, Any]]]:
        with self.read() as conn:
            rows = conn.execute(select(s.items).where(s.items.c.is_gold.is_(True)).order_by(s.items.c.seq))
            return [(_item(r), r.gold_value) for r in rows]

    def iter_pool(self, page_size: int = 2000, *, exclude_human_labeled: bool = True) -> Iterator[list[Item]]:
        """Non-gold items in import order, page by page (keyset paging, so huge pools stream)."""
        last = 0
        while True:
            with self.read() as conn:
                q = select(s.items).where(s.items.c.seq > last, s.items.c.is_gold.is_(False))
                if exclude_human_labeled:
                    q = q.where(~_human_answered(s.items.c.id))
                rows = list(conn.execute(q.order_by(s.items.c.seq).limit(page_size)))
            if not rows:
                return
            last = rows[-1].seq
            yield [_item(r) for r in rows]

    def pool_size(self) -> int:
        with self.read() as conn:
            q = select(func.count()).select_from(s.items).where(
                s.items.c.is_gold.is_(False), ~_human_answered(s.items.c.id)
            )
            return int(conn.scalar(q) or 0)

    # ---- annotations ------------------------------------------------------------------------

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
    ) -> SubmitResult:
        """Store one answer in one transaction; a repeated submission id stores nothing new."""
        try:
            return self._submit(item_id=item_id, annotator=annotator, status=status, value=value,
                                submission_id=submission_id, model_version=model_version, confidence=confidence,
                                round_id=round_id, reason=reason, duration_s=duration_s)
        except IntegrityError:
            # a concurrent replay of the same submission won the race (PostgreSQL): report its row
            with self.read() as conn:
                prior = conn.scalar(select(s.annotations.c.id).where(s.annotations.c.submission_id == submission_id))
            if prior is None:
                raise
            return SubmitResult(int(prior), False)

    def _submit(self, *, item_id: str, annotator: str, status: AnnotationStatus, value: dict[str, Any] | None,
                submission_id: str, model_version: str | None, confidence: float | None, round_id: int | None,
                reason: str | None, duration_s: float | None) -> SubmitResult:
        with self.write() as conn:
            prior = conn.scalar(select(s.annotations.c.id).where(s.annotations.c.submission_id == submission_id))
            if prior is not None:
                return SubmitResult(int(prior), False)
            if conn.scalar(select(s.items.c.id).where(s.items.c.id == item_id)) is None:
                raise ItemNotFoundError(f"no item with id {item_id!r}")
            new_id = conn.execute(
                insert(s.annotations).values(
                    item_id=item_id, annotator=annotator, status=status.value, value=value,
                    submission_id=submission_id, model_version=model_version, confidence=confidence,
                    round_id=round_id, reason=reason, duration_s=duration_s, created_at=time.time(),
                )
            ).inserted_primary_key[0]
            conn.execute(delete(s.leases).where(s.leases.c.item_id == item_id, s.leases.c.annotator == annotator))
        return SubmitResult(int(new_id), True)

    def revoke(self, annotation_id: int, by: str) -> None:
        with self.write() as conn:
            conn.execute(
                update(s.annotations)
                .where(s.annotations.c.id == annotation_id, s.annotations.c.revoked_at.is_(None))
                .values(revoked_at=time.time(), revoked_by=by)
            )

    def last_annotation(self, annotator: str) -> LabelRow | None:
        with self.read() as conn:
            row = conn.execute(
                select(s.annotations)
                .where(s.annotations.c.annotator == annotator, s.annotations.c.revoked_at.is_(None))
                .order_by(s.annotations.c.id.desc()).limit(1)
            ).first()
        return _label_row(row) if row else None

    def max_annotation_id(self) -> int:
        with self.read() as conn:
            return int(conn.scalar(select(func.max(s.annotations.c.id))) or 0)

    def human_answer_count(self, after_id: int = 0) -> int:
        with self.read() as conn:
            return int(conn.scalar(
                select(func.count()).select_from(s.annotations).where(
                    s.annotations.c.id > after_id, s.annotations.c.revoked_at.is_(None),
                    s.annotations.c.status.in_(HUMAN_ANSWERED),
                )
            ) or 0)

    def current_labels(self, *, upto_annotation_id: int | None = None, include_auto: bool = False) -> list[LabelRow]:
        """The label in force for each item: its latest un-revoked human label (or auto, if asked)."""
        statuses = LABEL_CARRYING if include_auto else HUMAN_LABELED
        a = s.annotations
        cond = [a.c.revoked_at.is_(None), a.c.status.in_(statuses)]
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

    def annotations_of(self, item_id: str) -> list[LabelRow]:
        with self.read() as conn:
            rows = conn.execute(select(s.annotations).where(s.annotations.c.item_id == item_id).order_by(s.annotations.c.id))
            return [_label_row(r) for r in rows]

    def all_annotations(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.annotations).order_by(s.annotations.c.id))]

    # ---- predictions ------------------------------------------------------------------------

    def save_predictions(self, version: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert; rows hold item_id, value, confidence, score, parts. Re-saving replaces.

        JSON is serialised here and sent through the driver directly: SQLAlchemy's per-row type
        processing cost more than the insert itself on 100k-item pools.
        """
        now = time.time()
        payload = [{"item_id": r["item_id"], "model_version": version, "value": json.dumps(r["value"]),
                    "confidence": float(r["confidence"]), "score": float(r["score"]),
                    "parts": json.dumps(list(r.get("parts", []))), "created_at": now} for r in rows]
        json_cast = "CAST({} AS JSON)" if self.engine.dialect.name == "postgresql" else "{}"
        stmt = text(
            "INSERT INTO predictions (item_id, model_version, value, confidence, score, parts, created_at) "
            f"VALUES (:item_id, :model_version, {json_cast.format(':value')}, :confidence, :score, "
            f"{json_cast.format(':parts')}, :created_at)"
        )
        with self.write() as conn:
            had_any = conn.scalar(select(s.predictions.c.id).where(s.predictions.c.model_version == version).limit(1))
            for chunk in _chunks(payload, 5000):
                if had_any is not None:
                    ids = [r["item_id"] for r in chunk]
                    conn.execute(delete(s.predictions).where(s.predictions.c.model_version == version,
                                                             s.predictions.c.item_id.in_(ids)))
                conn.execute(stmt, list(chunk))

    def predictions_for(self, version: str, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self.read() as conn:
            for chunk in _chunks(list(item_ids), 500):
                q = select(s.predictions).where(s.predictions.c.model_version == version,
                                                s.predictions.c.item_id.in_(chunk))
                for r in conn.execute(q):
                    out[r.item_id] = dict(r._mapping)
        return out

    def scored_ids(self, version: str) -> set[str]:
        with self.read() as conn:
            return set(conn.scalars(select(s.predictions.c.item_id).where(s.predictions.c.model_version == version)))

    # ---- model versions ---------------------------------------------------------------------

    def create_version(self, *, base_version: str | None, path_for: Any) -> str:
        """Reserve the next version id (v0001, ...) in status 'training'; path_for(id) gives its folder."""
        with self.write() as conn:
            _serialize(conn, "model_versions")
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
            _promote(conn, version)

    def current_version(self) -> str | None:
        with self.read() as conn:
            return conn.scalar(select(s.project_state.c.value).where(s.project_state.c.key == "current_version"))

    def get_version(self, version: str) -> dict[str, Any]:
        with self.read() as conn:
            row = conn.execute(select(s.model_versions).where(s.model_versions.c.id == version)).first()
        if row is None:
            raise KeyError(version)
        return dict(row._mapping)

    def list_versions(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.model_versions).order_by(s.model_versions.c.id))]

    # ---- rounds and the queue ---------------------------------------------------------------

    def create_round(
        self,
        *,
        version: str | None,
        strategy: str,
        entries: Sequence[dict[str, Any]],
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
                _promote(conn, version)
            if version is not None and version != _get_state(conn, "current_version", for_share=True):
                raise ValueError(f"refusing to rank with {version}: it is not the current version")
            rid = int(conn.execute(insert(s.rounds).values(
                model_version=version, strategy=strategy, created_at=now, n_scored=int(stats.get("n_scored", 0)),
                n_auto=len(auto), n_audit=sum(1 for e in entries if e["reason"] == "audit"),
                n_queued=len(entries), budget=budget, stats=stats,
            )).inserted_primary_key[0])
            for chunk in _chunks([dict(e, round_id=rid) for e in entries], 5000):
                conn.execute(insert(s.queue_entries), chunk)
            conn.execute(update(s.annotations).where(
                s.annotations.c.status == AnnotationStatus.AUTO.value, s.annotations.c.revoked_at.is_(None)
            ).values(revoked_at=now, revoked_by=f"round:{rid}"))
            rows = [dict(item_id=a["item_id"], annotator=f"model:{version}", status=AnnotationStatus.AUTO.value,
                         value=a["value"], submission_id=f"auto:{rid}:{a['item_id']}", model_version=version,
                         confidence=a["confidence"], round_id=rid, reason="auto", duration_s=None, created_at=now,
                         revoked_at=None, revoked_by=None) for a in auto]
            for chunk in _chunks(rows, 2000):
                conn.execute(insert(s.annotations), chunk)
            _set_state(conn, "current_round", str(rid))
        return rid

    def current_round(self) -> dict[str, Any] | None:
        with self.read() as conn:
            rid = _get_state(conn, "current_round")
            if rid is None:
                return None
            row = conn.execute(select(s.rounds).where(s.rounds.c.id == int(rid))).first()
        return dict(row._mapping) if row else None

    def list_rounds(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.rounds).order_by(s.rounds.c.id))]

    def _queue_query(self, conn: Connection, round_id: int, annotator: str, now: float, n: int,
                     lock: bool = False, gold_rate: float = 0.0, seed: int = 0) -> Any:
        q, le = s.queue_entries, s.leases
        skipped_by_me = _seen_by(q.c.item_id, annotator)  # skipped or answered: never twice to one person
        leased_to_other = exists().where(le.c.item_id == q.c.item_id, le.c.expires_at > now, le.c.annotator != annotator)
        stmt = (
            select(q, s.items)
            .join(s.items, s.items.c.id == q.c.item_id)
            .where(q.c.round_id == round_id, _needs_answers(q.c.item_id, s.items.c.required_answers), ~skipped_by_me,
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
            rid = _get_state(conn, "current_round")
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
            rid = _get_state(conn, "current_round")
            if rid is None:
                return []
            won: list[QueueEntry] = []
            for _attempt in range(10):
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

    # ---- users ------------------------------------------------------------------------------

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

    # ---- state and counts -------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with self.read() as conn:
            return _get_state(conn, key)

    def set_state(self, key: str, value: str) -> None:
        with self.write() as conn:
            _set_state(conn, key, value)

    def counts(self) -> dict[str, int]:
        a = s.annotations
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
                live.c.status == AnnotationStatus.AUTO.value, ~_human_answered(live.c.item_id))
            auto = int(conn.scalar(auto_q) or 0)
            n_answers = int(conn.scalar(select(func.count()).select_from(a).where(
                a.c.status.in_(HUMAN_ANSWERED + (AnnotationStatus.SKIPPED.value,)))) or 0)
        queued = len(self.peek_queue(10**9)) if total <= 200_000 else -1
        return {"items": total, "gold": gold, "human_labeled": human, "human_answered": answered,
                "auto_accepted": auto, "queued": queued, "answers": n_answers}


def _promote(conn: Connection, version: str) -> None:
    _serialize(conn, "model_versions")
    status = conn.scalar(select(s.model_versions.c.status).where(s.model_versions.c.id == version))
    if status not in ("ready", "promoted", "retired"):
        raise ValueError(f"cannot promote {version}: its status is {status!r}")
    conn.execute(update(s.model_versions).where(s.model_versions.c.status == "promoted").values(status="retired"))
    conn.execute(update(s.model_versions).where(s.model_versions.c.id == version).values(status="promoted"))
    _set_state(conn, "current_version", version)


def _human_answered(item_col: Any) -> Any:
    a = s.annotations
    return exists().where(a.c.item_id == item_col, a.c.revoked_at.is_(None), a.c.status.in_(HUMAN_ANSWERED))


def _answerers(item_col: Any) -> Any:
    """How many distinct people gave a live human answer to the item (a correlated scalar)."""
    a = s.annotations
    return (select(func.count(func.distinct(a.c.annotator)))
            .where(a.c.item_id == item_col, a.c.revoked_at.is_(None), a.c.status.in_(HUMAN_ANSWERED))
            .scalar_subquery())


def _needs_answers(item_col: Any, required_col: Any) -> Any:
    """True while an item has fewer distinct answerers than it requires (1, or k for an overlap item)."""
    return or_(~_human_answered(item_col), and_(required_col > 1, _answerers(item_col) < required_col))


def _seen_by(item_col: Any, annotator: str) -> Any:
    a = s.annotations
    return exists().where(a.c.item_id == item_col, a.c.annotator == annotator, a.c.revoked_at.is_(None),
                          a.c.status.in_(HUMAN_ANSWERED + (AnnotationStatus.SKIPPED.value,)))


def _free_for(item_col: Any, annotator: str, now: float) -> Any:
    le = s.leases
    return ~exists().where(le.c.item_id == item_col, le.c.expires_at > now, le.c.annotator != annotator)


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
    i, q, a = s.items, s.queue_entries, s.annotations
    if n <= 0 or conn.scalar(select(i.c.id).where(i.c.required_answers > 1).limit(1)) is None:
        return []  # no overlap items at all (the common case): one index probe, no join
    # driven from the (few) answered items through the status index, never a scan of the pool;
    # no ORDER BY, so the planner cannot prefer walking items by seq: the handful found is sorted here
    answered = select(a.c.item_id).where(a.c.status.in_(HUMAN_ANSWERED), a.c.revoked_at.is_(None))
    stmt = select(i).where(
        i.c.id.in_(answered), i.c.required_answers > 1, i.c.is_gold.is_(False),
        _needs_answers(i.c.id, i.c.required_answers), ~_seen_by(i.c.id, annotator), _free_for(i.c.id, annotator, now),
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
    i, a = s.items, s.annotations
    stmt = select(i).where(i.c.is_gold.is_(True), ~_seen_by(i.c.id, annotator), _free_for(i.c.id, annotator, now))
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


def _label_row(r: Any) -> LabelRow:
    return LabelRow(annotation_id=r.id, item_id=r.item_id, status=r.status, value=r.value, annotator=r.annotator,
                    confidence=r.confidence, created_at=r.created_at)


def _get_state(conn: Connection, key: str, *, for_share: bool = False) -> str | None:
    """``for_share`` (PostgreSQL): hold the row so that it cannot change before this transaction ends."""
    q = select(s.project_state.c.value).where(s.project_state.c.key == key)
    if for_share and conn.dialect.name == "postgresql":
        q = q.with_for_update(read=True)
    return conn.scalar(q)


def _set_state(conn: Connection, key: str, value: str) -> None:
    if conn.dialect.name == "postgresql":  # delete + insert races on PostgreSQL; upsert does not
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(s.project_state).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
        return
    conn.execute(delete(s.project_state).where(s.project_state.c.key == key))
    conn.execute(insert(s.project_state).values(key=key, value=value))


def _serialize(conn: Connection, table: str) -> None:
    """PostgreSQL: one writer of ``table`` at a time (readers go on). SQLite's BEGIN IMMEDIATE already is."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))


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
            le.c.item_id.in_(list(got)), i.c.is_gold.is_(False), ~_needs_answers(le.c.item_id, i.c.required_answers))))
        if done:
            conn.execute(delete(le).where(le.c.item_id.in_(list(done)), le.c.annotator == annotator))
        return got - done
    conn.execute(insert(le), rows)  # SQLite: BEGIN IMMEDIATE serialises claims; the query saw every lease
    return set(ids)


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]
