"""Adjudication: a reviewer resolves disagreements and flagged items; the resolution is what ships.

A resolution is an ordinary append-only answer by the reviewer with reason ``adjudicated``; it
also closes the item (its ``required_answers`` becomes the number of people who answered), so no
later answer can overtake it; ``activelabel.labels.resolve_labels`` then ships it (adjudicated >
gold > people's majority > auto).
Every label's history (who, when, what, what changed, revocations) comes from ``history``.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from activelabel.errors import ActiveLabelError
from activelabel.quality.answers import ADJUDICATED, canonical, people_answers
from activelabel.types import AnnotationStatus, Payload

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

FLAG_PREFIX = "flag:"
REVIEW_ROLES = ("reviewer", "admin")


def _check_reviewer(project: Workspace, reviewer: str) -> None:
    """With users registered, only a reviewer or admin may resolve; a CLI-only project names anyone."""
    if not reviewer or reviewer.startswith("model:"):
        raise ActiveLabelError("a resolution needs a reviewer's name")
    users = project.store.list_users()
    if users:
        user = project.store.get_user(reviewer)
        if user is None or user["role"] not in REVIEW_ROLES:
            raise ActiveLabelError(f"{reviewer!r} is not a reviewer: give the user the role 'reviewer' first")


def flag(project: Workspace, item_id: str, by: str, note: str = "") -> None:
    """Send an item to review (a suspected error, a doubtful gold answer, ...)."""
    project.store.get_item(item_id)
    project.store.set_state(FLAG_PREFIX + item_id, json.dumps({"by": by, "at": time.time(), "note": note}))


def flags(project: Workspace) -> dict[str, dict[str, Any]]:
    return {item_id: json.loads(v) for item_id, v in project.store.states_with_prefix(FLAG_PREFIX).items()}


def review_queue(project: Workspace, flagged_annotators: list[str] | None = None) -> list[dict[str, Any]]:
    """Items a reviewer should look at: disagreements, flagged items, and answers by flagged annotators.

    Items resolved after their latest answer are left out.
    """
    task = project.task
    answers = people_answers(project, exclude=())
    resolved = _latest_resolution(project)
    marked = flags(project)
    suspects = set(flagged_annotators or [])
    out: list[dict[str, Any]] = []
    ids = set(answers) | set(marked)
    for iid in ids:
        by = answers.get(iid, {})
        last_answer = max((a.created_at for a in by.values()), default=0.0)
        if iid in resolved and resolved[iid]["created_at"] >= last_answer and iid not in marked:
            continue
        reasons = []
        if len({canonical(task, a.value) for a in by.values()}) > 1:
            reasons.append("disagreement")
        if iid in marked:
            reasons.append("flagged")
        if by and set(by) <= suspects:
            reasons.append("flagged_annotator")
        if reasons:
            out.append({"item_id": iid, "reasons": reasons, "answers": {n: a.value for n, a in by.items()},
                        "flag": marked.get(iid), "last_answer_at": last_answer})
    items = project.store.get_items([r["item_id"] for r in out])
    for r in out:
        r["content"] = items[r["item_id"]].content
    return sorted(out, key=lambda r: (-len(r["reasons"]), r["last_answer_at"]))


def resolve(project: Workspace, item_id: str, value: Payload, reviewer: str, note: str = "") -> int:
    """Record the reviewer's label for an item, close it and clear its flag; returns the annotation id."""
    _check_reviewer(project, reviewer)
    value = project.validate_value(item_id, value)
    result = project.store.submit(item_id=item_id, annotator=reviewer, status=AnnotationStatus.CORRECTED,
                                  value=value.to_json(), submission_id=f"adjudicate:{uuid.uuid4().hex}",
                                  reason=ADJUDICATED)
    project.store.close_item(item_id, drop_state=[FLAG_PREFIX + item_id],
                             add_state={f"note:{result.annotation_id}": note} if note else None)
    return result.annotation_id


def _latest_resolution(project: Workspace) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in project.store.all_annotations():
        if row["reason"] == ADJUDICATED and row["revoked_at"] is None:
            out[row["item_id"]] = row
    return out


def history(project: Workspace, item_id: str) -> list[dict[str, Any]]:
    """Every event of an item's label, oldest first: answers, auto labels, revocations, resolutions."""
    project.store.get_item(item_id)
    events: list[dict[str, Any]] = []
    for r in project.store.answer_records(item_ids=[item_id]):
        kind = "resolved" if r.reason == ADJUDICATED else ("auto" if r.status == "auto" else "answer")
        events.append({"at": r.created_at, "who": r.annotator, "event": kind, "status": r.status,
                       "value": r.value, "annotation_id": r.id, "model_version": r.model_version,
                       "duration_s": r.duration_s})
        if r.revoked_at is not None:
            events.append({"at": r.revoked_at, "who": r.revoked_by, "event": "revoked", "status": r.status,
                           "value": r.value, "annotation_id": r.id, "model_version": r.model_version,
                           "duration_s": None})
    events.sort(key=lambda e: (e["at"], e["annotation_id"]))
    live: dict[int, tuple[bool, Any]] = {}  # annotation id -> (by a person, value), while not revoked
    in_force: Any = None
    for e in events:  # what changed: the label in force before and after each event (people beat auto)
        before = in_force
        if e["event"] == "revoked":
            live.pop(e["annotation_id"], None)
        elif e["value"] is not None and e["status"] != "rejected":
            live[e["annotation_id"]] = (e["event"] != "auto", e["value"])
        ordered = sorted(live.items())
        human = [v for _, (is_h, v) in ordered if is_h]
        in_force = human[-1] if human else (ordered[-1][1][1] if ordered else None)
        e["label_before"], e["label_after"] = before, in_force
        e["changed"] = (before is None) != (in_force is None) or (
            before is not None and canonical(project.task, before) != canonical(project.task, in_force))
    return events


