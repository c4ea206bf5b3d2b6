"""NER data for the simulation: a labeled CoNLL file (or any NER import format) split into pool and eval.

Files are read with the project's own NER reader (``formats.ner.read_ner``), so what simulates is
what imports; the labels are the entity types the file uses. The pool and eval sets are written
back as JSONL spans, which import exactly. The pretrained pipeline's types are mapped onto the
file's labels where the names say the same thing (PERSON -> person, GPE/LOC -> location, ...),
and ``options["label_map"]`` overrides that; the notes say which map was used, since a type left
unmapped makes the model start blank.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activelabel.errors import ActiveLabelError
from activelabel.simulation.tasks import (
    AnyLabel,
    ImportSpec,
    SplitData,
    held_out_split,
    reader_settings,
)
from activelabel.types import Item, Payload, Span, Spans

# spaCy's English types -> lower-case names data sets use for the same thing
NAME_MATCHES: dict[str, tuple[str, ...]] = {
    "PERSON": ("person", "per", "people"),
    "ORG": ("org", "organization", "organisation", "corporation", "company"),
    "GPE": ("location", "loc", "gpe", "place"),
    "LOC": ("location", "loc", "place"),
    "FAC": ("facility", "fac", "location"),
    "PRODUCT": ("product",),
    "WORK_OF_ART": ("creative-work", "work_of_art", "work-of-art", "creative_work"),
    "EVENT": ("event",),
    "NORP": ("norp", "nationality"),
    "DATE": ("date",),
    "MONEY": ("money",),
}


def guess_label_map(labels: list[str]) -> dict[str, str]:
    lower = {lab.lower(): lab for lab in labels}
    out: dict[str, str] = {}
    for model_label, names in NAME_MATCHES.items():
        for name in names:
            if name in lower:
                out[model_label] = lower[name]
                break
    return out


@dataclass
class NerData(SplitData):
    name: str
    labels: list[str]
    pool: list[tuple[str, Spans]]
    eval: list[tuple[str, Spans]]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "entity F1 (exact spans, micro)"
    notes: list[str] = field(default_factory=list)
    task: str = "ner"

    def __post_init__(self) -> None:
        self._truth = dict(self.pool + self.eval)

    def _write(self, path: Path, rows: list[tuple[str, Spans]], with_answers: bool) -> ImportSpec:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for text, spans in rows:
                rec: dict[str, Any] = {"text": text}
                if with_answers:
                    rec["spans"] = [s.to_json() for s in spans.spans]
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return ImportSpec(path, {"fmt": "jsonl"})

    def answer(self, item: Item) -> Payload:
        try:
            return self._truth[item.content]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id}: it is not in the data set") from None


def _read(path: str, options: dict[str, Any], notes: list[str]) -> list[tuple[str, Spans]]:
    from activelabel.formats.base import ImportRecord
    from activelabel.formats.ner import read_ner

    p = Path(path)
    if not p.exists():
        raise ActiveLabelError(f"no such data set {path!r}: give a CoNLL, JSONL spans, .spacy or Label Studio file")
    rows: dict[str, Spans] = {}
    rejected = unlabeled = duplicates = 0
    fmt, reader_options = reader_settings(options)
    for rec in read_ner(p, fmt, labels=AnyLabel(), **reader_options):
        if not isinstance(rec, ImportRecord):
            rejected += 1
        elif not isinstance(rec.value, Spans):
            unlabeled += 1
        elif rec.content in rows:
            duplicates += 1
        else:
            rows[rec.content] = Spans(tuple(Span(s.start, s.end, s.label) for s in rec.value.spans))
    for n, what in ((rejected, "rejected by the reader"), (unlabeled, "without answers, left out"),
                    (duplicates, "duplicate texts kept once")):
        if n:
            notes.append(f"{n} records of {p.name} {what}")
    if not rows:
        raise ActiveLabelError(f"{path}: no labeled sentences")
    return list(rows.items())


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> NerData:
    """Load a labeled NER file and hold out a seeded 30% unless ``eval_path`` is given."""
    notes: list[str] = []
    rows = _read(dataset, options, notes)
    labels = sorted({s.label for _, v in rows for s in v.spans})
    if not labels:
        raise ActiveLabelError(f"{dataset}: no entity in any sentence; nothing to learn")
    if eval_path is not None:
        ev = _read(eval_path, options, notes)
        eval_texts = {t for t, _ in ev}
        overlap = sum(t in eval_texts for t, _ in rows)
        if overlap:
            notes.append(f"{overlap} pool sentences also in the eval file were left out of the pool")
        pool = [r for r in rows if r[0] not in eval_texts]
        unknown = sorted({s.label for _, v in ev for s in v.spans} - set(labels))
        if unknown:
            raise ActiveLabelError(f"{eval_path}: labels {unknown} never occur in {dataset}")
    else:
        pool_idx, eval_idx = held_out_split(len(rows), seed)
        ev = [rows[i] for i in eval_idx]
        pool = [rows[i] for i in pool_idx]
    label_map = dict(options.get("label_map") or guess_label_map(labels))
    model: dict[str, Any] = {"label_map": label_map}
    if options.get("model"):
        model["name"] = options["model"]
    notes.append(f"label map {label_map or '(none: the model starts blank)'}")
    return NerData(name=Path(dataset).name, labels=labels, pool=pool, eval=ev, model=model, notes=notes)
