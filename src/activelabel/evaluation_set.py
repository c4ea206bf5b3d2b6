"""Which answers train a new version and which held-out items score it.

The held-out items form one evaluation set per project that only grows: the gold items when
there are any, else a validation share of the answers. Each training holds out that share of the
answers no version has trained on yet (the ones given since the last training); an answer drawn
into the set stays there and never trains a version. So every version can be re-scored on the
set as it is now, and the current one and a new one are compared on exactly the same items,
none of which either learned from (``promotion.py``). Which answers are drawn is decided by a
seeded hash of the item id, not by the order the answers came in, and per label for
single-label tasks, so that each label keeps answers to train on.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from activelabel.tasks import TaskSpec
from activelabel.types import Item, Payload

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

MIN_ANSWERS = 10  # with fewer answers (and no gold) nothing is held out: every answer trains
GOLD, ANSWER = "gold", "answer"


@dataclass(frozen=True)
class HeldOut:
    """The answers that train (indices into the answers given) and the items that score them."""

    train: list[int]
    items: list[Item]
    values: list[Payload]
    kinds: tuple[str, ...]  # per held-out item: GOLD or ANSWER

    @property
    def source(self) -> str:
        """What the held-out items are, for the version's metrics (``evaluated_on``)."""
        return "+".join(name for kind, name in ((GOLD, "gold"), (ANSWER, "validation_split")) if kind in self.kinds)


def hold_out(project: Workspace, items: Sequence[Item], values: Sequence[Payload],
             gold: Sequence[tuple[Item, dict[str, Any]]]) -> HeldOut:
    """Grow the project's evaluation set with this snapshot's new answers or gold, then split by it.

    ``items``/``values`` are the answers in force (gold items excluded); ``gold`` the gold items
    with their gold values. Only answers that no version has trained on yet can join, so the
    current version never scores items it learned from. Members whose item has no value now (a
    revoked answer) stay in the set but are not scored this time.
    """
    store, cfg = project.store, project.config
    members = store.evaluation_set()
    if gold:
        new = {g.id: GOLD for g, _ in gold if g.id not in members}
    elif len(items) >= MIN_ANSWERS:
        seen = store.labeled_items(upto_annotation_id=_last_snapshot(project))
        fresh = [(it.id, v) for it, v in zip(items, values, strict=True) if it.id not in members and it.id not in seen]
        new = {i: ANSWER for i in draw_answers(cfg.spec, [i for i, _ in fresh], [v for _, v in fresh],
                                              cfg.loop.validation_share, cfg.loop.seed)}
    else:
        new = {}
    if new:
        store.extend_evaluation_set(new)
        members = {**members, **new}
    train = [n for n, it in enumerate(items) if members.get(it.id) != ANSWER]
    scored = [n for n, it in enumerate(items) if members.get(it.id) == ANSWER]
    gold_in = [(g, v) for g, v in gold if members.get(g.id) == GOLD]
    return HeldOut(train=train,
                   items=[items[n] for n in scored] + [g for g, _ in gold_in],
                   values=[values[n] for n in scored] + [cfg.spec.payload(v) for _, v in gold_in],
                   kinds=(ANSWER,) * len(scored) + (GOLD,) * len(gold_in))


def draw_answers(spec: TaskSpec, ids: Sequence[str], values: Sequence[Payload], share: float,
                 seed: int) -> list[str]:
    """The ``share`` of newly answered items (``ids``: answers no version trained on) to hold out.

    Which ones is decided by a seeded hash of the item id. Single-label tasks draw per label, one
    label's first pick before any label's second; a label with >= 2 new answers holds out one
    and keeps one to train on.
    """
    need = int(round(len(ids) * share))
    if need <= 0:
        return []
    if not spec.single_label:
        return sorted(sorted(ids, key=lambda i: _draw(seed, i))[:need])
    groups: dict[str, list[str]] = defaultdict(list)
    for item_id, value in zip(ids, values, strict=True):
        groups[str(getattr(value, "label", ""))].append(item_id)
    picks: list[tuple[int, str, str]] = []  # (turn, hash, id): every label's first pick comes first
    for group in groups.values():
        if len(group) >= 2:
            take = min(len(group) - 1, max(1, int(round(len(group) * share))))
            ranked = sorted(group, key=lambda i: _draw(seed, i))[:take]
            picks += [(turn, _draw(seed, i), i) for turn, i in enumerate(ranked)]
    return sorted(i for _, _, i in sorted(picks)[:need])


def _last_snapshot(project: Workspace) -> int:
    """The newest answer id any finished version trained on (0 before the first)."""
    return max((int(v.trained_on_annotation_id) for v in project.store.list_versions()
                if v.status in ("ready", "promoted", "retired")), default=0)


def _draw(seed: int, item_id: str) -> str:
    return hashlib.sha256(f"{seed}:{item_id}".encode()).hexdigest()
