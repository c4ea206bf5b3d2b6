"""Multi-label data for the simulation: a labeled CSV/TSV/JSONL file, or the generated ``topics`` set.

``topics`` is ``activelabel.samples.multilabel``'s generator (six topics, one to three per text),
seeded with the run's seed. Files are read with the project's own multilabel reader, so what
simulates is what imports. Identical texts are kept once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ActiveLabelError
from activelabel.simulation.tasks import AnyLabel, ImportSpec, reader_settings
from activelabel.types import Item, LabelSet, Payload

BUILTIN = ("topics",)
TOPICS_SIZE = 1000
TEST_SHARE = 0.3
Row = tuple[str, tuple[str, ...]]


@dataclass
class MultiLabelData:
    """Texts with their true label sets, split into pool and eval."""

    name: str
    labels: list[str]
    pool: list[Row]
    eval: list[Row]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "micro-F1"
    notes: list[str] = field(default_factory=list)
    task: str = "multilabel"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._truth = dict(self.pool + self.eval)

    @property
    def n_pool(self) -> int:
        return len(self.pool)

    @property
    def n_eval(self) -> int:
        return len(self.eval)

    def _write(self, path: Path, rows: list[Row], with_answers: bool) -> ImportSpec:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for text, labels in rows:
                rec = {"text": text, "labels": list(labels)} if with_answers else {"text": text}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return ImportSpec(path, {"fmt": "jsonl", "text_field": "text",
                                 "label_field": "labels" if with_answers else None})

    def write_pool(self, folder: Path, with_answers: bool = False) -> ImportSpec:
        return self._write(folder / ("pool_labeled.jsonl" if with_answers else "pool.jsonl"), self.pool, with_answers)

    def write_eval(self, folder: Path) -> ImportSpec:
        return self._write(folder / "eval.jsonl", self.eval, True)

    def answer(self, item: Item) -> Payload:
        try:
            return LabelSet(self._truth[item.content])
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id}: it is not in the data set") from None


def _read_file(path: str, options: dict[str, Any]) -> tuple[list[Row], list[str]]:
    from activelabel.formats.base import Rejection
    from activelabel.formats.multilabel import read_multilabel

    p = Path(path)
    if not p.exists():
        raise ActiveLabelError(f"no such data set {path!r}: give a CSV/TSV/JSONL file or a built-in name "
                               f"({', '.join(BUILTIN)})")
    rows: list[Row] = []
    notes: list[str] = []
    rejected = unlabeled = 0
    fmt, reader_options = reader_settings(options)
    for rec in read_multilabel(p, fmt, labels=AnyLabel(), project_dir=p.parent, **reader_options):
        if isinstance(rec, Rejection):
            rejected += 1
        elif isinstance(rec.value, LabelSet):
            rows.append((rec.content, tuple(sorted(rec.value.labels))))
        else:
            unlabeled += 1
    if unlabeled:
        notes.append(f"{unlabeled} records of {path} carry no labels and were left out")
    if rejected:
        notes.append(f"{rejected} records of {path} were rejected by the reader")
    if not rows:
        raise ActiveLabelError(f"{path}: no labeled records (pass --label-field if the labels column is not "
                               "guessed, or --format if the file's suffix does not say it)")
    return rows, notes


def _dedupe(rows: list[Row], source: str, notes: list[str]) -> list[Row]:
    seen: dict[str, tuple[str, ...]] = {}
    for text, labels in rows:
        seen.setdefault(text, labels)
    if len(seen) < len(rows):
        notes.append(f"{len(rows) - len(seen)} duplicate texts in {source} kept once")
    return list(seen.items())


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> MultiLabelData:
    """Load a labeled data set and hold out a seeded 30% unless an eval file is given."""
    notes: list[str] = []
    if dataset in BUILTIN and not Path(dataset).exists():
        from activelabel.samples.multilabel import LABELS, labeled_sample

        rows: list[Row] = [(t, tuple(labs)) for t, labs in labeled_sample(TOPICS_SIZE, seed)]
        labels = list(LABELS)
        name = dataset
    else:
        rows, notes = _read_file(dataset, options)
        rows = _dedupe(rows, Path(dataset).name, notes)
        labels = sorted({lab for _, labs in rows for lab in labs})
        name = Path(dataset).name
    model = {"name": options["model"]} if options.get("model") else {}
    if len(labels) < 2:
        raise ActiveLabelError(f"{name}: the records use {labels}; a multilabel simulation needs at least two labels")
    if eval_path is not None:
        eval_rows, eval_notes = _read_file(eval_path, options)
        notes += eval_notes
        eval_rows = _dedupe(eval_rows, eval_path, notes)
        eval_texts = {t for t, _ in eval_rows}
        overlap = sum(t in eval_texts for t, _ in rows)
        if overlap:
            notes.append(f"{overlap} pool texts also in the eval file were left out of the pool")
            rows = [r for r in rows if r[0] not in eval_texts]
        unknown = sorted({lab for _, labs in eval_rows for lab in labs} - set(labels))
        if unknown:
            raise ActiveLabelError(f"{eval_path}: labels {unknown} never occur in {name}")
        pool = rows
    else:
        order = np.random.default_rng(seed).permutation(len(rows))
        n_eval = max(1, int(round(len(rows) * TEST_SHARE)))
        held = set(order[:n_eval].tolist())
        pool = [r for i, r in enumerate(rows) if i not in held]
        eval_rows = [r for i, r in enumerate(rows) if i in held]
    return MultiLabelData(name=name, labels=labels, pool=pool, eval=eval_rows, model=model, notes=notes)
