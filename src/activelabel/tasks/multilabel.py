"""Multi-label text classification: any number of labels per text (topics, intents), the empty set included."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from activelabel.quality.multilabel_agreement import LabelSetAgreement, label_set
from activelabel.tasks.base import TaskSpec, Value
from activelabel.types import Item, LabelSet, Payload


def check_label_set(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    return LabelSet.validate(value, labels)  # type: ignore[arg-type]


def label_set_canonical(value: Value | None) -> Hashable:
    """The sorted labels: the same set in any order is the same answer."""
    if value is None:
        return None
    return tuple(sorted(label_set(value)))


def label_set_labels_in(value: Value) -> list[str]:
    return sorted(label_set(value))


def jaccard(answer: Value, gold: Value) -> float:
    """|A and G| / |A or G|; two empty sets agree fully."""
    a, g = label_set(answer), label_set(gold)
    return len(a & g) / len(a | g) if a | g else 1.0


def parse_cli(text: str) -> LabelSet:
    """``sports,politics`` on the command line; an empty string is the empty set."""
    return LabelSet(tuple(part.strip() for part in text.split(",") if part.strip()))


SPEC = TaskSpec(
    name="multilabel", media="text", description="any number of labels per text",
    payload_type=LabelSet, from_json=LabelSet.from_json, check=check_label_set,
    canonical=label_set_canonical, labels_in=label_set_labels_in, gold_score=jaccard,
    agreement=LabelSetAgreement(), default_model="multilabel-logreg", default_adapter="multilabel-logreg",
    reader="multilabel", package_writer="multilabel-jsonl", editor="multilabel",
    simulation_loader="activelabel.simulation.tasks.multilabel:load", metric_name="micro-F1",
    min_labels=2, single_label=False, cli_value=parse_cli,
    example={"labels": ["politics", "sports"]},
    export_formats={"labelstudio": "multilabel-labelstudio"}, stratify_by_rarest=True,
)
