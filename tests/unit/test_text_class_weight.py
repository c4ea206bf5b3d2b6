"""``tfidf-logreg``'s ``class_weight``: balanced by default, ``"none"`` for unweighted (TOML has no null)."""

from __future__ import annotations

from activelabel.models.sklearn_text import SklearnTextClassifier
from activelabel.types import ClassLabel, Item


def _fit(params: dict[str, str]) -> SklearnTextClassifier:
    texts = ["free prize now", "win cash", "see you at lunch", "call mum later", "meeting at home"]
    labels = ["spam", "spam", "ham", "ham", "ham"]
    items = [Item(f"t{i}", "text", t) for i, t in enumerate(texts)]
    return SklearnTextClassifier(["ham", "spam"], params=params).fit(items, [ClassLabel(v) for v in labels])


def test_class_weight_defaults_to_balanced_and_none_turns_it_off() -> None:
    assert _fit({}).estimator_[-1].class_weight == "balanced"
    assert _fit({"class_weight": "none"}).estimator_[-1].class_weight is None
