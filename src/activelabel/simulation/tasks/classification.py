"""Classification data for the simulation: a labeled CSV/TSV/JSONL file, or the built-in ``digits``.

``digits`` is scikit-learn's bundled 8x8 digits set (1,797 images, 10 classes) as 64-number
feature vectors; its items hold the numbers as text and the project uses the ``vectors-logreg``
model on the raw pixel values (``DIGITS_MODEL``). Files are read with the project's own classification reader, so what simulates is what
imports. Identical texts are kept once (the store would merge them anyway).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ActiveLabelError
from activelabel.simulation.tasks import (
    TEST_SHARE,
    AnyLabel,
    ImportSpec,
    SplitData,
    reader_settings,
)
from activelabel.types import ClassLabel, Item, Payload

BUILTIN = ("digits",)
# digits' 64 features are one unit (ink, 0-16): scaling them with the mean and spread of the few answers
# so far blows up the pixels those answers rarely ink, and needed more labels than the plain
# LogisticRegression at every count measured (benchmarks/classification_defaults.py, docs/simulation.md)
DIGITS_MODEL: dict[str, Any] = {"name": "vectors-logreg", "params": {"scale": "none"}}


@dataclass
class ClassificationData(SplitData):
    """Texts (or vectors written as text) with their true labels, split into pool and eval."""

    name: str
    labels: list[str]
    pool: list[tuple[str, str]]
    eval: list[tuple[str, str]]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "accuracy"
    notes: list[str] = field(default_factory=list)
    task: str = "classification"

    def __post_init__(self) -> None:
        self._truth = {text: label for text, label in self.pool + self.eval}

    def _write(self, path: Path, rows: list[tuple[str, str]], with_answers: bool) -> ImportSpec:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for text, label in rows:
                rec = {"text": text, "label": label} if with_answers else {"text": text}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return ImportSpec(path, {"fmt": "jsonl", "text_field": "text", "label_field": "label" if with_answers else None})

    def answer(self, item: Item) -> Payload:
        try:
            return ClassLabel(self._truth[item.content])
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id}: it is not in the data set") from None


def _digits() -> list[tuple[str, str]]:
    from sklearn.datasets import load_digits

    data = load_digits()
    x = data.data.astype(int)
    return [(" ".join(map(str, row)), str(int(y))) for row, y in zip(x, data.target, strict=True)]


def _read_file(path: str, options: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    from activelabel.formats.base import Rejection
    from activelabel.formats.tabular import read_classification

    p = Path(path)
    if not p.exists():
        known = ", ".join(BUILTIN)
        raise ActiveLabelError(f"no such data set {path!r}: give a CSV/TSV/JSONL file or a built-in name ({known})")
    rows: list[tuple[str, str]] = []
    notes: list[str] = []
    rejected = 0
    unlabeled = 0
    fmt, reader_options = reader_settings(options)
    for rec in read_classification(p, fmt, labels=AnyLabel(), project_dir=p.parent, **reader_options):
        if isinstance(rec, Rejection):
            rejected += 1
            continue
        if not isinstance(rec.value, ClassLabel):
            unlabeled += 1
            continue
        rows.append((rec.content, rec.value.label))
    if unlabeled:
        notes.append(f"{unlabeled} records of {path} carry no label and were left out")
    if rejected:
        notes.append(f"{rejected} records of {path} were rejected by the reader")
    if not rows:
        raise ActiveLabelError(f"{path}: no labeled records (pass --label-field if the label column is not "
                               "guessed, or --format if the file's suffix does not say it)")
    return rows, notes


def _dedupe(rows: list[tuple[str, str]], source: str, notes: list[str]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for text, label in rows:
        seen.setdefault(text, label)
    if len(seen) < len(rows):
        notes.append(f"{len(rows) - len(seen)} duplicate texts in {source} kept once")
    return list(seen.items())


def _check_classes(rows: list[tuple[str, str]], source: str) -> list[str]:
    labels = sorted({label for _, label in rows})
    if len(labels) < 2:
        raise ActiveLabelError(f"{source}: every record has the label {labels[0]!r}; a classification "
                               "simulation needs at least two classes")
    return labels


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> ClassificationData:
    """Load a labeled data set and split it (stratified, seeded) unless an eval file is given."""
    notes: list[str] = []
    if dataset in BUILTIN and not Path(dataset).exists():
        rows = _digits()
        model: dict[str, Any] = json.loads(json.dumps(DIGITS_MODEL))
        name = dataset
    else:
        rows, notes = _read_file(dataset, options)
        model = {}
        name = Path(dataset).name
    if options.get("model") and options["model"] != model.get("name"):
        model = {"name": options["model"]}
    rows = _dedupe(rows, name, notes)
    labels = _check_classes(rows, name)
    if eval_path is not None:
        eval_rows, eval_notes = _read_file(eval_path, options)
        notes += eval_notes
        eval_rows = _dedupe(eval_rows, eval_path, notes)
        eval_texts = {t for t, _ in eval_rows}
        overlap = sum(t in eval_texts for t, _ in rows)
        if overlap:
            notes.append(f"{overlap} pool texts also in the eval file were left out of the pool")
            rows = [(t, lab) for t, lab in rows if t not in eval_texts]
        unknown = sorted({lab for _, lab in eval_rows} - set(labels))
        if unknown:
            raise ActiveLabelError(f"{eval_path}: labels {unknown} never occur in {name}")
        pool = rows
    else:
        pool, eval_rows = _stratified_split(rows, TEST_SHARE, seed, name)
    return ClassificationData(name=name, labels=labels, pool=pool, eval=eval_rows, model=model, notes=notes)


def _stratified_split(rows: list[tuple[str, str]], share: float, seed: int,
                      source: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    y = np.array([lab for _, lab in rows])
    rng = np.random.default_rng(seed)
    test: list[int] = []
    for lab in np.unique(y):
        idx = np.flatnonzero(y == lab)
        if len(idx) < 2:
            raise ActiveLabelError(f"{source}: class {lab!r} has a single example, too few to hold out a "
                                   "stratified test split; pass --eval")
        take = max(1, int(round(len(idx) * share)))
        test.extend(rng.choice(idx, size=take, replace=False).tolist())
    mask = np.zeros(len(rows), dtype=bool)
    mask[test] = True
    return [r for r, m in zip(rows, mask, strict=True) if not m], [r for r, m in zip(rows, mask, strict=True) if m]
