"""Which new answers are drawn into the evaluation set: seeded by item id, per label."""

from __future__ import annotations

from activelabel.evaluation_set import draw_answers
from activelabel.tasks import get_task
from activelabel.types import ClassLabel

CLS = get_task("classification")
NER = get_task("ner")


def _answers(n: int, spam_every: int = 3) -> tuple[list[str], list[ClassLabel]]:
    ids = [f"item{i:03d}" for i in range(n)]
    return ids, [ClassLabel("spam" if i % spam_every == 0 else "ham") for i in range(n)]


def test_the_draw_depends_on_the_items_not_their_order():
    ids, values = _answers(40)
    drawn = draw_answers(CLS, ids, values, 0.2, seed=0)
    assert len(drawn) == 8
    assert drawn == draw_answers(CLS, ids[::-1], values[::-1], 0.2, seed=0)
    assert drawn != draw_answers(CLS, ids, values, 0.2, seed=1)


def test_each_label_holds_out_one_and_keeps_one_to_train():
    ids, values = _answers(12, spam_every=6)  # 2 spam, 10 ham
    drawn = set(draw_answers(CLS, ids, values, 0.2, seed=0))
    spam = {i for i, v in zip(ids, values) if v.label == "spam"}
    assert len(drawn & spam) == 1 and len(drawn - spam) == 1


def test_a_label_with_one_new_answer_keeps_it_for_training():
    ids, values = _answers(10, spam_every=10)  # 1 spam, 9 ham
    drawn = set(draw_answers(CLS, ids, values, 0.2, seed=0))
    assert len(drawn) == 2 and "item000" not in drawn


def test_nothing_is_drawn_below_one_item():
    ids, values = _answers(2)
    assert draw_answers(CLS, ids, values, 0.2, seed=0) == []
    assert draw_answers(CLS, [], [], 0.2, seed=0) == []


def test_other_tasks_draw_the_share_of_all_new_answers():
    ids = [f"s{i}" for i in range(10)]
    drawn = draw_answers(NER, ids, [None] * 10, 0.2, seed=0)  # type: ignore[list-item]
    assert len(drawn) == 2 and drawn == draw_answers(NER, ids[::-1], [None] * 10, 0.2, seed=0)  # type: ignore[list-item]
