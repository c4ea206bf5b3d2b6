"""Overlap: a configured share of items is answered by k distinct annotators, for agreement.

Which items overlap is decided per item by a seeded hash of its id, so the choice is stable
across runs, machines and imports, and needs no state beyond ``items.required_answers``.
Only items nobody has answered yet are (re)assigned, so changing the share never rewrites an
item in progress. The store keeps an overlap item claimable until k people answered it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def is_overlap(item_id: str, share: float, seed: int) -> bool:
    digest = hashlib.sha256(f"overlap:{seed}:{item_id}".encode()).hexdigest()
    return int(digest[:12], 16) / float(16**12) < share


def assign_overlap(project: Workspace) -> dict[str, Any]:
    """Set ``required_answers`` of unanswered, non-gold items to k (chosen share) or 1 (the rest)."""
    cfg = project.config.quality
    seed = project.config.loop.seed
    to_k: list[str] = []
    to_one: list[str] = []
    for item_id, required in project.store.unanswered_required_answers():
        # a share of 0 overlaps nothing: no hash needed (this runs before every round, over the whole pool)
        if cfg.overlap_share > 0 and is_overlap(item_id, cfg.overlap_share, seed):
            if required != cfg.overlap_k:
                to_k.append(item_id)
        elif required != 1:
            to_one.append(item_id)
    project.store.set_required_answers([(cfg.overlap_k, to_k), (1, to_one)])
    n = project.store.overlap_item_count()
    return {"overlap_items": n, "changed": len(to_k) + len(to_one), "k": cfg.overlap_k, "share": cfg.overlap_share}
