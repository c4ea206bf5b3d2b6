"""Label Studio for multi-label text: a ``Choices`` control with ``choice="multiple"``, both ways.

An annotation's choices are the label set (no choice at all is the empty set); a task with only a
prediction imports the prediction's choices as a model's proposal, not a person's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import InvalidLabelError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection
from activelabel.formats.labelstudio import (
    TEXT_GUESSES,
    LSConfig,
    load_config,
    read_tasks,
    reject,
    write_labelstudio,
)
from activelabel.types import LabelSet

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def multi_config(path: Path | str | None, labels: Sequence[str]) -> LSConfig:
    """The user's labeling config, or the default ``Choices`` one allowing several choices."""
    cfg = load_config(path, "choices", labels)
    return cfg if path is not None else replace(cfg, xml=cfg.xml.replace(' choice="single"', ' choice="multiple"'))


def read_multi_choices(path: Path, *, labels: Sequence[str], text_field: str | None = None,
                       cfg: LSConfig | None = None) -> RecordStream:
    """Tasks with ``choices`` results as text records with label sets."""
    source = str(path)
    text_field = text_field or (cfg.data_key if cfg is not None else None)
    for task in read_tasks(path, "choices", cfg):
        if isinstance(task, Rejection):
            yield task
            continue
        field = text_field or next((f for f in TEXT_GUESSES if f in task.data), None)
        text = task.data.get(field) if field else None
        if not isinstance(text, str) or not text.strip():
            yield reject(source, task, f"task has no text; its data keys are {sorted(task.data)}")
            continue
        results, is_prediction = (task.answer, False) if task.answer is not None else (task.prediction, True)
        value = None
        if results is not None:
            picked = [c for r in results for c in (r["value"].get("choices") or [])]
            try:
                if not all(isinstance(c, str) for c in picked):
                    raise InvalidLabelError(f"choices {picked!r} must be label names")
                value = LabelSet(tuple(picked)).validate(labels)
            except InvalidLabelError as exc:
                yield reject(source, task, str(exc))
                continue
        meta = {"labelstudio_id": task.id} if task.id is not None else {}
        yield ImportRecord(content=text, media="text", value=None if is_prediction else value, meta=meta,
                           source=source, line=task.n, prediction=value if is_prediction else None)


def export_labelstudio(project: Workspace, out: Path, rows: Sequence[dict[str, Any]], *,
                       ls_config: Path | None = None) -> int:
    """Label Studio tasks with multi-choice results; the labeling config goes to label_config.xml beside OUT."""
    return write_labelstudio(out, rows, multi_config(ls_config, project.config.labels))
