"""Which answers are drawn into the evaluation set: seeded by item id, per label, never taken back."""

from __future__ import annotations

import pytest

from activelabel.evaluation_set import MIN_ANSWERS, draw_answers
from activelabel.tasks import get_task
from activelabel.types import ClassLabel

CLS = get_task("classification")
NER = get_task("ner")


def _answers(n: int, spam_every: int = 3) -> tuple[list[str], list[ClassLabel]]:
    ids = [f"item{i:03d}" for i in range(n)]
    return ids, [ClassLabel("spam" if i % spam_every == 0 else "ham") for i in range(n)]


def test_the_draw_depends_on_the_items_not_their_order():
    ids, values = _answers(40)
    drawn = draw_answers(CLS, ids, values, set(), 0.2, seed=0)
    assert len(drawn) == 8
    assert drawn == draw_answers(CLS, ids[::-1], values[::-1], set(), 0.2, seed=0)
    assert drawn != draw_answers(CLS, ids, values, set(), 0.2, seed=1)


def test_each_label_holds_out_one_and_keeps_one_to_train():
    ids, values = _answers(12, spam_every=6)  # 2 spam, 10 ham
    drawn = set(draw_answers(CLS, ids, values, set(), 0.2, seed=0))
    spam = {i for i, v in zip(ids, values) if v.label == "spam"}
    assert len(drawn & spam) == 1 and len(drawn - spam) == 1


def test_held_items_count_and_growth_tops_up_only():
    ids, values = _answers(40)
    first = draw_answers(CLS, ids[:20], values[:20], set(), 0.2, seed=0)
    more = draw_answers(CLS, ids, values, set(first), 0.2, seed=0)
    assert not set(first) & set(more) and len(first) + len(more) == 8
    assert draw_answers(CLS, ids, values, set(first) | set(more), 0.2, seed=0) == []


def test_relabeled_answers_never_grow_it_past_the_share():
    ids, values = _answers(30)
    held = set(draw_answers(CLS, ids, values, set(), 0.2, seed=0))
    flipped = [v if i in held else ClassLabel("ham" if v.label == "spam" else "spam") for i, v in zip(ids, values)]
    assert draw_answers(CLS, ids, flipped, held, 0.2, seed=0) == []


@pytest.mark.parametrize("n", [MIN_ANSWERS - 1, 0])
def test_too_few_answers_hold_out_nothing(n):
    ids, values = _answers(n)
    assert draw_answers(CLS, ids, values, set(), 0.2, seed=0) == []


def test_other_tasks_draw_the_share_of_all_answers():
    ids = [f"s{i}" for i in range(10)]
    assert len(draw_answers(NER, ids, [None] * 10, set(), 0.2, seed=0)) == 2  # type: ignore[list-item]
