"""Pool queries the engines need, cheaper than loading items: ids only, counts, and pending pages.

"Pending" means in the pool (not gold, no live human answer) and not yet scored by the model
version at hand. Every query pages by ``seq`` (keyset paging), so none of them holds a huge pool
in memory, and a stopped run resumes where it stopped: what was scored is no longer pending.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import delete, exists, func, select

from activelabel.store import Store
from activelabel.store import schema as s
from activelabel.store.repository import HUMAN_ANSWERED
from activelabel.types import Item


def _in_pool() -> list[Any]:
    a: Any = s.answers_table
    answered = exists().where(a.c.item_id == s.items.c.id, a.c.revoked_at.is_(None), a.c.status.in_(HUMAN_ANSWERED))
    return [s.items.c.is_gold.is_(False), ~answered]


def _pending(version: str) -> list[Any]:
    p = s.predictions
    scored = exists().where(p.c.item_id == s.items.c.id, p.c.model_version == version)
    return [*_in_pool(), ~scored]


def count_pool(store: Store) -> int:
    with store.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(s.items).where(*_in_pool())) or 0)


def count_pending(store: Store, version: str) -> int:
    with store.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(s.items).where(*_pending(version))) or 0)


def pool_ids(store: Store, page_size: int = 50_000) -> np.ndarray:
    """Ids of the pool in import order, as a compact string array (no contents loaded)."""
    chunks: list[np.ndarray] = []
    last = 0
    while True:
        with store.read() as conn:
            rows = list(conn.execute(select(s.items.c.seq, s.items.c.id).where(s.items.c.seq > last, *_in_pool())
                                     .order_by(s.items.c.seq).limit(page_size)))
        if not rows:
            break
        last = rows[-1].seq
        chunks.append(np.array([r.id for r in rows], dtype="U40"))
    return np.concatenate(chunks) if chunks else np.empty(0, dtype="U40")


def iter_pending(store: Store, version: str, page_size: int) -> Iterator[list[Item]]:
    """Pool items that ``version`` has not scored yet, page by page in import order."""
    last = 0
    while True:
        with store.read() as conn:
            rows = list(conn.execute(select(s.items).where(s.items.c.seq > last, *_pending(version))
                                     .order_by(s.items.c.seq).limit(page_size)))
        if not rows:
            return
        last = rows[-1].seq
        yield [Item(id=r.id, media=r.media, content=r.content, meta=r.meta or {}) for r in rows]


def pending_ranges(store: Store, version: str, page_size: int) -> list[tuple[int, int]]:
    """Half-open ``seq`` ranges ``(lo, hi]`` that each hold at most ``page_size`` pending items.

    Only the pending items' ``seq`` numbers are read (8 bytes each), so the plan for 10M items
    costs about 80 MB once; the Ray readers then fetch each range's contents on the workers.
    """
    ranges: list[tuple[int, int]] = []
    last = 0
    while True:
        with store.read() as conn:
            seqs = list(conn.scalars(select(s.items.c.seq).where(s.items.c.seq > last, *_pending(version))
                                     .order_by(s.items.c.seq).limit(page_size)))
        if not seqs:
            return ranges
        ranges.append((last, seqs[-1]))
        last = seqs[-1]


def read_range(store: Store, version: str, lo: int, hi: int) -> list[Item]:
    """The pending items with ``lo < seq <= hi`` (one page of a plan from ``pending_ranges``)."""
    with store.read() as conn:
        rows = conn.execute(select(s.items).where(s.items.c.seq > lo, s.items.c.seq <= hi, *_pending(version))
                            .order_by(s.items.c.seq))
        return [Item(id=r.id, media=r.media, content=r.content, meta=r.meta or {}) for r in rows]


def forget_version(store: Store, version: str) -> int:
    """Drop a version's prediction rows so that it is scored again from scratch."""
    with store.write() as conn:
        return int(conn.execute(delete(s.predictions).where(s.predictions.c.model_version == version)).rowcount or 0)


def pending_of(store: Store, version: str, items: Sequence[Item]) -> list[Item]:
    """The given items that ``version`` has not scored yet (for a subsample the loop chose)."""
    p = s.predictions
    done: set[str] = set()
    ids = [it.id for it in items]
    with store.read() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            done.update(conn.scalars(select(p.c.item_id).where(p.c.model_version == version, p.c.item_id.in_(chunk))))
    return [it for it in items if it.id not in done]
