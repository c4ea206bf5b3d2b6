"""Overlap: a configured share of items is answered by k distinct annotators, for agreement.

Which items overlap is decided per item by a seeded hash of its id, so the choice is stable
across runs, machines and imports, and needs no state beyond ``items.required_answers``.
Only items nobody has answered yet are (re)assigned, so changing the share never rewrites an
item in progress. The store keeps an overlap item claimable until k people answered it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from activelabel.store import schema as s
from activelabel.store.repository import HUMAN_ANSWERED

if TYPE_CHECKING:
    from activelabel.project import Project


def is_overlap(item_id: str, share: float, seed: int) -> bool:
    digest = hashlib.sha256(f"overlap:{seed}:{item_id}".encode()).hexdigest()
    return int(digest[:12], 16) / float(16**12) < share


def assign_overlap(project: Project) -> dict[str, Any]:
    """Set ``required_answers`` of unanswered, non-gold items to k (chosen share) or 1 (the rest)."""
    cfg = project.config.quality
    seed = project.config.loop.seed
    i, a = s.items, s.answers_table
    answered = select(a.c.item_id).where(a.c.revoked_at.is_(None), a.c.status.in_(HUMAN_ANSWERED))
    with project.store.read() as conn:
        rows = list(conn.execute(select(i.c.id, i.c.required_answers).where(
            i.c.is_gold.is_(False), i.c.id.not_in(answered))))
    to_k = [r.id for r in rows if r.required_answers != cfg.overlap_k and is_overlap(r.id, cfg.overlap_share, seed)]
    to_one = [r.id for r in rows if r.required_answers != 1 and not is_overlap(r.id, cfg.overlap_share, seed)]
    with project.store.write() as conn:
        for ids, k in ((to_k, cfg.overlap_k), (to_one, 1)):
            for start in range(0, len(ids), 500):
                conn.execute(update(i).where(i.c.id.in_(ids[start:start + 500])).values(required_answers=k))
    with project.store.read() as conn:
        n = int(conn.scalar(select(func.count()).select_from(i).where(i.c.required_answers > 1)) or 0)
    return {"overlap_items": n, "changed": len(to_k) + len(to_one), "k": cfg.overlap_k, "share": cfg.overlap_share}
