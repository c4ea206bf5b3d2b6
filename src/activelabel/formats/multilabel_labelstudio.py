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
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.labelstudio import (
    LSConfig,
    choice_tasks,
    load_config,
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
    for got in choice_tasks(path, text_field, cfg):
        if isinstance(got, Rejection):
            yield got
            continue
        task, results = got.task, got.results
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
        yield got.record(source, value)


def export_labelstudio(project: Workspace, out: Path, rows: Sequence[dict[str, Any]], *,
                       ls_config: Path | None = None) -> int:
    """Label Studio tasks with multi-choice results; the labeling config goes to label_config.xml beside OUT."""
    return write_labelstudio(out, rows, multi_config(ls_config, project.config.labels))
