"""SQL building blocks shared by the store's modules: answer-state predicates, project state, chunks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    Text,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    type_coerce,
    update,
)

from activelabel.store import schema as s
from activelabel.types import AnnotationStatus, Item

HUMAN_ANSWERED = (AnnotationStatus.ACCEPTED.value, AnnotationStatus.CORRECTED.value, AnnotationStatus.REJECTED.value)
HUMAN_LABELED = (AnnotationStatus.ACCEPTED.value, AnnotationStatus.CORRECTED.value)
LABEL_CARRYING = HUMAN_LABELED + (AnnotationStatus.AUTO.value,)


# items' meta as the stored text: most items have none ("{}"), and decoding 100k of them through the
# JSON type cost a fifth of a round's bookkeeping; ``item_of`` decodes only what holds something
RAW_META = type_coerce(s.items.c.meta, Text).label("meta")


def item_of(row: Any) -> Item:
    """An ``Item`` from a row holding id, media, content and meta (decoded, or raw text from ``RAW_META``)."""
    meta = row.meta
    if isinstance(meta, str):
        meta = json.loads(meta) if meta not in ("{}", "null") else {}
    return Item(id=row.id, media=row.media, content=row.content, meta=meta or {})


def promote_version(conn: Connection, version: str) -> None:
    serialize(conn, "model_versions")
    status = conn.scalar(select(s.model_versions.c.status).where(s.model_versions.c.id == version))
    if status not in ("ready", "promoted", "retired"):
        raise ValueError(f"cannot promote {version}: its status is {status!r}")
    conn.execute(update(s.model_versions).where(s.model_versions.c.status == "promoted").values(status="retired"))
    conn.execute(update(s.model_versions).where(s.model_versions.c.id == version).values(status="promoted"))
    set_state(conn, "current_version", version)

def given_by_person(annotator_col: Any) -> Any:
    """True for an answer a person gave here: not an imported label (``import``, ``import#2``) and not a
    model's (``model:...``); the SQL twin of ``quality.answers.is_person``."""
    return and_(annotator_col != "import", ~annotator_col.like("import#%"), ~annotator_col.like("model:%"))

def human_answered(item_col: Any) -> Any:
    a = s.answers_table
    return exists().where(a.c.item_id == item_col, a.c.revoked_at.is_(None), a.c.status.in_(HUMAN_ANSWERED))

def answerers(item_col: Any) -> Any:
    """How many distinct people gave a live human answer to the item (a correlated scalar)."""
    a = s.answers_table
    return (select(func.count(func.distinct(a.c.annotator)))
            .where(a.c.item_id == item_col, a.c.revoked_at.is_(None), a.c.status.in_(HUMAN_ANSWERED))
            .scalar_subquery())

def needs_answers(item_col: Any, required_col: Any) -> Any:
    """True while an item has fewer distinct answerers than it requires (1, or k for an overlap item)."""
    return or_(~human_answered(item_col), and_(required_col > 1, answerers(item_col) < required_col))

def seen_by(item_col: Any, annotator: str) -> Any:
    a = s.answers_table
    return exists().where(a.c.item_id == item_col, a.c.annotator == annotator, a.c.revoked_at.is_(None),
                          a.c.status.in_(HUMAN_ANSWERED + (AnnotationStatus.SKIPPED.value,)))

def free_for(item_col: Any, annotator: str, now: float) -> Any:
    le = s.leases
    return ~exists().where(le.c.item_id == item_col, le.c.expires_at > now, le.c.annotator != annotator)

def get_state(conn: Connection, key: str, *, for_share: bool = False) -> str | None:
    """``for_share`` (PostgreSQL): hold the row so that it cannot change before this transaction ends."""
    q = select(s.project_state.c.value).where(s.project_state.c.key == key)
    if for_share and conn.dialect.name == "postgresql":
        q = q.with_for_update(read=True)
    return conn.scalar(q)

def set_state(conn: Connection, key: str, value: str) -> None:
    if conn.dialect.name == "postgresql":  # delete + insert races on PostgreSQL; upsert does not
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(s.project_state).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
        return
    conn.execute(delete(s.project_state).where(s.project_state.c.key == key))
    conn.execute(insert(s.project_state).values(key=key, value=value))

def serialize(conn: Connection, table: str) -> None:
    """PostgreSQL: one writer of ``table`` at a time (readers go on). SQLite's BEGIN IMMEDIATE already is."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))

def new_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT of one row created."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no id for the new row")
    return int(key[0])

def chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def positional_mark(paramstyle: str) -> str:
    """The driver's positional placeholder (SQLite's ``?``, psycopg's ``%s``), for bulk inserts that skip
    SQLAlchemy's per-row parameter processing (it cost more than the inserts on 100k-item pools)."""
    if paramstyle == "qmark":
        return "?"
    if paramstyle in ("format", "pyformat"):
        return "%s"
    raise ValueError(f"unsupported DB-API paramstyle {paramstyle!r} for bulk inserts")
