"""Text classification: one label per text, from a fixed set."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from activelabel.quality.agreement_metrics import ClassAgreement
from activelabel.tasks.base import TaskSpec, Value
from activelabel.types import ClassLabel, Item, Payload


def check_class(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    return ClassLabel.validate(value, labels)  # type: ignore[arg-type]


def class_canonical(value: Value | None) -> Hashable:
    return (value or {}).get("label")


def class_labels_in(value: Value) -> list[str]:
    return [str(value.get("label"))]


def class_gold_score(answer: Value, gold: Value) -> float:
    return float(answer.get("label") == gold.get("label"))


SPEC = TaskSpec(
    name="classification", media="text", description="one label per text",
    payload_type=ClassLabel, from_json=ClassLabel.from_json, check=check_class,
    canonical=class_canonical, labels_in=class_labels_in, gold_score=class_gold_score,
    agreement=ClassAgreement(), default_model="tfidf-logreg", default_adapter="tfidf-logreg",
    reader="classification", package_writer="classes-csv", editor="classification",
    simulation_loader="activelabel.simulation.tasks.classification:load", metric_name="accuracy",
    min_labels=2, single_label=True, cli_value=ClassLabel,
    example={"label": "spam"},
    export_formats={"labelstudio": "classification-labelstudio"},
)
