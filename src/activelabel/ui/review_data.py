"""What the review page lists: audit samples, disagreements, suspected label errors (no Streamlit here).

The work is the services' (``quality.suspected`` finds the suspected errors); this module shapes
rows for the page's tables, with each answer summarised by the task spec.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from activelabel.quality.suspected import suspected_errors as find_suspects
from activelabel.store.repository import HUMAN_LABELED
from activelabel.types import AnnotationStatus

if TYPE_CHECKING:
    from activelabel.project import Project

def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def audit_sample(project: Project) -> list[dict[str, Any]]:
    """Auto-accepted items sent to audit in the current round, with what the auditor answered so far."""
    rnd = project.store.current_round()
    if rnd is None:
        return []
    ids = [item_id for item_id, _ in project.store.audit_entries(rnd.id)]
    answers = project.store.answer_records(item_ids=ids, live_only=True) if ids else []
    items = project.store.get_items(ids)
    preds = project.store.predictions_for(rnd.model_version, ids) if rnd.model_version else {}
    human = {r.item_id: r for r in answers if r.status != AnnotationStatus.AUTO.value}
    out = []
    for item_id in ids:
        p = preds.get(item_id, {})
        h = human.get(item_id)
        found = "pending" if h is None else ("confirmed" if h.status == AnnotationStatus.ACCEPTED.value else h.status)
        out.append({"item": item_id, "content": _short(items[item_id].content), "auto_label": project.spec.summarize(p.get("value")),
                    "confidence": p.get("confidence"), "audit": found, "auditor": h.annotator if h else ""})
    return out


def disagreements(project: Project) -> list[dict[str, Any]]:
    """Items whose live human labels from different annotators differ."""
    rows = project.store.answer_records(statuses=HUMAN_LABELED, live_only=True)
    same_form = project.spec.canonical
    latest: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in rows:
        latest[r.item_id][r.annotator] = r.value  # each annotator's newest label wins
    out_ids = [i for i, by in latest.items()
               if len(by) > 1 and len({same_form(v) for v in by.values()}) > 1]
    items = project.store.get_items(out_ids)
    return [{"item": i, "content": _short(items[i].content),
             "answers": "; ".join(f"{who}: {project.spec.summarize(v)}" for who, v in latest[i].items())} for i in out_ids]


def suspected_errors(project: Project, threshold: float = 0.8) -> list[dict[str, Any]]:
    """The review table of ``quality.suspected.suspected_errors``."""
    show = project.spec.summarize
    return [{"item": r.item_id, "content": _short(r.content), "given": show(r.given), "annotator": r.annotator,
             "model_says": show(r.model_says), "model_confidence": r.model_confidence,
             "self_confidence": r.self_confidence} for r in find_suspects(project, threshold)]
