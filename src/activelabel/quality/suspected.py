"""Suspected label errors: human labels the current model contradicts with high confidence.

This follows confident learning (Northcutt et al., 2021) in its simplest ranking: a human label is
suspect when the current model gives another value (by the task spec's one definition of "the same
answer") with a confidence at or above ``threshold``; where the model gives class probabilities,
the rank is by how little probability it leaves to the given label (its "self-confidence"),
lowest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from activelabel.models.registry import load_model

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

MAX_CHECKED = 2000  # newest human labels re-predicted for the error search


@dataclass(frozen=True, slots=True)
class Suspect:
    item_id: str
    content: str
    given: dict[str, object]
    annotator: str
    model_says: dict[str, object]
    model_confidence: float
    self_confidence: float | None  # the model's probability for the given label, where it has one


def suspected_errors(ws: Workspace, threshold: float = 0.8) -> list[Suspect]:
    """The newest human labels the current version contradicts, most suspect first."""
    version = ws.store.current_version()
    if version is None:
        return []
    rows = ws.store.current_labels()[-MAX_CHECKED:]
    if not rows:
        return []
    spec = ws.spec
    model = load_model(Path(ws.store.get_version(version).path), ws.models_dir)
    items = ws.store.get_items([r.item_id for r in rows])
    ordered = [items[r.item_id] for r in rows]
    labels = list(model.labels)
    out: list[Suspect] = []
    for row, item, prop in zip(rows, ordered, model.predict(ordered), strict=True):
        said = prop.value.to_json()
        if spec.same(row.value, said) or prop.confidence < threshold:
            continue
        given = row.value or {}
        self_conf = None
        if prop.proba is not None and given.get("label") in labels:
            self_conf = float(prop.proba[labels.index(given["label"])])
        out.append(Suspect(item.id, item.content, given, row.annotator, said, round(float(prop.confidence), 3),
                           self_conf))
    out.sort(key=lambda r: r.self_confidence if r.self_confidence is not None else 1 - r.model_confidence)
    return out
