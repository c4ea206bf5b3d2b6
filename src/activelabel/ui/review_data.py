"""What the review page lists: audit samples, disagreements, suspected label errors (no Streamlit here).

Suspected errors follow confident learning (Northcutt et al., 2021) in its simplest ranking: a
human label is suspect when the current model gives another value with a confidence at or above
``threshold``; for classification the rank is by how little probability the model leaves to the
given label (its "self-confidence"), lowest first.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.store.repository import HUMAN_LABELED
from activelabel.types import AnnotationStatus

if TYPE_CHECKING:
    from activelabel.project import Project

MAX_CHECKED = 2000  # newest human labels re-predicted for the error search


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _value_str(value: dict[str, Any] | None) -> str:
    if not value:
        return "-"
    if "label" in value:
        return str(value["label"])
    if "text" in value:
        return _short(str(value["text"]), 60)
    parts = value.get("spans", value.get("boxes", []))
    return ", ".join(str(p.get("label")) for p in parts) or "(none)"


def audit_sample(project: Project) -> list[dict[str, Any]]:
    """Auto-accepted items sent to audit in the current round, with what the auditor answered so far."""
    rnd = project.store.current_round()
    if rnd is None:
        return []
    ids = [item_id for item_id, _ in project.store.audit_entries(rnd["id"])]
    answers = project.store.answer_records(item_ids=ids, live_only=True) if ids else []
    items = project.store.get_items(ids)
    preds = project.store.predictions_for(rnd["model_version"], ids) if rnd["model_version"] else {}
    human = {r.item_id: r for r in answers if r.status != AnnotationStatus.AUTO.value}
    out = []
    for item_id in ids:
        p = preds.get(item_id, {})
        h = human.get(item_id)
        found = "pending" if h is None else ("confirmed" if h.status == AnnotationStatus.ACCEPTED.value else h.status)
        out.append({"item": item_id, "content": _short(items[item_id].content), "auto_label": _value_str(p.get("value")),
                    "confidence": p.get("confidence"), "audit": found, "auditor": h.annotator if h else ""})
    return out


def disagreements(project: Project) -> list[dict[str, Any]]:
    """Items whose live human labels from different annotators differ."""
    rows = project.store.answer_records(statuses=HUMAN_LABELED, live_only=True)
    latest: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in rows:
        latest[r.item_id][r.annotator] = r.value  # each annotator's newest label wins
    out_ids = [i for i, by in latest.items()
               if len(by) > 1 and len({json.dumps(_strip(v), sort_keys=True) for v in by.values()}) > 1]
    items = project.store.get_items(out_ids)
    return [{"item": i, "content": _short(items[i].content),
             "answers": "; ".join(f"{who}: {_value_str(v)}" for who, v in latest[i].items())} for i in out_ids]


def _strip(value: dict[str, Any] | None) -> Any:
    """A value without its confidences, so two equal answers compare equal."""
    if not value:
        return None
    if "spans" in value or "boxes" in value:
        key = "spans" if "spans" in value else "boxes"
        return {key: [{k: v for k, v in p.items() if k != "confidence"} for p in value[key]]}
    if "text" in value:
        return {"text": " ".join(str(value["text"]).split())}
    return value


def suspected_errors(project: Project, threshold: float = 0.8) -> list[dict[str, Any]]:
    """Human labels the current model contradicts with confidence >= threshold, most suspect first."""
    version = project.store.current_version()
    if version is None:
        return []
    from activelabel.models.registry import load_model

    rows = project.store.current_labels()[-MAX_CHECKED:]
    if not rows:
        return []
    model = load_model(Path(project.store.get_version(version)["path"]), project.models_dir)
    items = project.store.get_items([r.item_id for r in rows])
    ordered = [items[r.item_id] for r in rows]
    proposals = model.predict(ordered)
    labels = list(getattr(model, "labels", []))
    out: list[dict[str, Any]] = []
    for row, item, prop in zip(rows, ordered, proposals):
        given = _strip(row.value)
        predicted = _strip(prop.value.to_json())
        if predicted == given or prop.confidence < threshold:
            continue
        self_conf = None
        if prop.proba is not None and "label" in (row.value or {}) and row.value and row.value["label"] in labels:
            self_conf = float(prop.proba[labels.index(row.value["label"])])
        out.append({"item": item.id, "content": _short(item.content), "given": _value_str(row.value),
                    "annotator": row.annotator, "model_says": _value_str(prop.value.to_json()),
                    "model_confidence": round(float(prop.confidence), 3), "self_confidence": self_conf})
    out.sort(key=lambda r: (r["self_confidence"] if r["self_confidence"] is not None else 1 - r["model_confidence"]))
    return out
