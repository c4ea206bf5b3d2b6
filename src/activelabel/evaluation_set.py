"""Which answers train a new version and which held-out items score it.

The held-out items form one evaluation set per project that only grows: the gold items when
there are any, else a validation share of the answers. An answer drawn into it stays there and
never trains a version, so every version can be re-scored on the set as it is now and two
versions are compared on exactly the same items (``promotion.py``). Which answers are drawn is
decided by a seeded hash of the item id, not by the order the answers came in, and per label for
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
    """Grow the project's evaluation set with this snapshot's answers or gold, then split by it.

    ``items``/``values`` are the answers in force (gold items excluded); ``gold`` the gold items
    with their gold values. Members whose item has no value now (a revoked answer) stay in the
    set but are not scored this time.
    """
    store, cfg = project.store, project.config
    members = store.evaluation_set()
    if gold:
        new = {g.id: GOLD for g, _ in gold if g.id not in members}
    else:
        held = {i for i, kind in members.items() if kind == ANSWER}
        new = {i: ANSWER for i in draw_answers(cfg.spec, [it.id for it in items], values, held,
                                              cfg.loop.validation_share, cfg.loop.seed)}
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


def draw_answers(spec: TaskSpec, ids: Sequence[str], values: Sequence[Payload], held: set[str],
                 share: float, seed: int) -> list[str]:
    """The answered items to add so that the held-out part of ``ids`` reaches ``share`` of them.

    Items already held count towards the target and none is ever taken back. Single-label tasks
    draw per label, one label's first pick before any label's second (a label with >= 2 answers
    holds out one and keeps one to train on); a relabeled answer never grows the set past the share.
    """
    if len(ids) < MIN_ANSWERS or share <= 0.0:
        return []
    target = int(round(len(ids) * share))
    need = target - sum(1 for i in ids if i in held)
    if need <= 0:
        return []
    if not spec.single_label:
        return sorted(_top_up(list(ids), held, target, seed))
    groups: dict[str, list[str]] = defaultdict(list)
    for item_id, value in zip(ids, values, strict=True):
        groups[str(getattr(value, "label", ""))].append(item_id)
    picks: list[tuple[int, str, str]] = []  # (turn, hash, id): every label's first pick comes first
    for group in groups.values():
        if len(group) >= 2:
            target = min(len(group) - 1, max(1, int(round(len(group) * share))))
            picks += [(turn, _draw(seed, i), i) for turn, i in enumerate(_top_up(group, held, target, seed))]
    return sorted(i for _, _, i in sorted(picks)[:need])


def _top_up(group: list[str], held: set[str], target: int, seed: int) -> list[str]:
    """Up to ``target - (held in group)`` members of ``group`` not held yet, lowest seeded hash first."""
    need = target - sum(1 for i in group if i in held)
    if need <= 0:
        return []
    free = sorted((i for i in group if i not in held), key=lambda i: _draw(seed, i))
    return free[:need]


def _draw(seed: int, item_id: str) -> str:
    return hashlib.sha256(f"{seed}:{item_id}".encode()).hexdigest()
