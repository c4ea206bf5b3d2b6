"""The dashboard's figures, as plain functions over the store (no Streamlit here, so tests call them).

Aggregations run in SQL where they can, so a project with 100k items draws its dashboard quickly.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from activelabel import advice
from activelabel.promotion import gate_of, refused
from activelabel.quality.counts import headline_counts
from activelabel.store.repository import HUMAN_ANSWERED
from activelabel.types import AnnotationStatus

if TYPE_CHECKING:
    from activelabel.project import Project

HOUR = 3600.0

#: readable column names of the dashboard's tables (their rows keep the short keys that tests and code read)
COLUMN_NAMES = {"auto_accepted": "auto-accepted", "sent_to_audit": "sent to audit", "audited": "audited",
                "confirmed": "confirmed by the auditor", "found_wrong": "found wrong", "metric": "held-out metric",
                "train": "trained on", "held_out": "held out", "last_answer": "up to answer #"}
#: readable names of the label sources in the counts by label
SOURCE_NAMES = {"human": "people", "gold": "gold", "auto": "auto-accepted", "model": "model proposal (unlabeled)"}


def readable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with ``COLUMN_NAMES`` as column names, for display."""
    return [{COLUMN_NAMES.get(k, k): v for k, v in row.items()} for row in rows]


def count_tiles(project: Project) -> list[tuple[str, str, str]]:
    """(title, value, help) per headline count (``quality.counts``); "many" for a queue too long to count."""
    return [(title, "many" if n < 0 else str(n), what) for title, n, what in headline_counts(project.store)]


def learning_curve(project: Project) -> list[dict[str, Any]]:
    """One point per trained version: labels it learned from (train + held-out) and its held-out metric."""
    out = []
    for v in project.store.list_versions():
        metric = v.metrics.get("metric")
        if metric is None or v.status not in ("ready", "promoted", "retired"):
            continue
        out.append({"version": v.id, "labels": int(v.n_train) + int(v.n_validation),
                    "metric": float(metric), "status": v.status})
    return out


def label_distribution(project: Project) -> list[dict[str, Any]]:
    """Counts per label and source (human / auto); spans and boxes count once each."""
    counts: Counter[tuple[str, str]] = Counter()
    spec = project.spec
    for row in project.store.current_labels(include_auto=True):
        source = "auto" if row.status == AnnotationStatus.AUTO.value else "human"
        for label in spec.labels_in(row.value or {}):
            counts[(label, source)] += 1
    return [{"label": lab, "source": src, "count": n} for (lab, src), n in sorted(counts.items())]


def audit_findings(project: Project) -> dict[str, int]:
    """Auto-accepted items in force, and what the humans who audited them found."""
    found = project.store.audit_counts()
    by = found.by_status
    confirmed = by.get(AnnotationStatus.ACCEPTED.value, 0)
    wrong = by.get(AnnotationStatus.CORRECTED.value, 0) + by.get(AnnotationStatus.REJECTED.value, 0)
    return {"auto_accepted": project.store.counts()["auto_accepted"], "sent_to_audit": found.sent_to_audit,
            "audited": confirmed + wrong, "confirmed": confirmed, "found_wrong": wrong}


def answers_per_hour(project: Project, hours: int = 24) -> list[dict[str, Any]]:
    """Human answers per annotator per clock hour (UTC), the last ``hours`` hours that had any."""
    rows = project.store.answers_by_hour(HUMAN_ANSWERED + (AnnotationStatus.SKIPPED.value,), HOUR)
    import datetime as dt

    keep = sorted({int(h) for _, h, _ in rows}, reverse=True)[:hours]
    return [{"annotator": name, "hour": dt.datetime.fromtimestamp(int(h) * HOUR, dt.timezone.utc)
             .strftime("%Y-%m-%d %H:00"), "answers": int(n)} for name, h, n in rows if int(h) in keep]


def versions_table(project: Project) -> list[dict[str, Any]]:
    """One row per version; ``promotion`` is the gate's decision (why a ``ready`` one was not promoted)."""
    out = []
    for v in project.store.list_versions():
        metrics = v.metrics
        decision = gate_of(v)
        out.append({"version": v.id, "status": v.status, "metric": metrics.get("metric"),
                    "train": v.n_train, "held_out": v.n_validation,
                    "last_answer": v.trained_on_annotation_id, "progress": v.progress,
                    "message": v.message, "promotion": decision.message if decision else ""})
    return out


def promotion_note(project: Project) -> str | None:
    """Why the newest trained version was not promoted, or None when it was (or none is trained)."""
    done = [v for v in project.store.list_versions() if v.status in ("ready", "promoted", "retired")]
    decision = refused(done[-1]) if done else None
    return decision.message if decision else None


def training_progress(project: Project) -> dict[str, Any] | None:
    """The newest version still training, with its progress and message; None when none is.

    A version == "ready" while the pool is re-scored with it; it turns "promoted" together with
    its ranking, so until then it still counts as in progress. A version the promotion gate
    refused stays "ready" and is done.
    """
    versions = [v for v in project.store.list_versions()
                if v.status == "training" or (v.status == "ready" and refused(v) is None)]
    if not versions:
        return None
    v = versions[-1]
    return {"version": v.id, "progress": float(v.progress or 0.0), "message": v.message or ""}


def stopping_advice(project: Project) -> str:
    """The strategy lab's stopping advice (stabilizing predictions, low mean uncertainty), as one line."""
    found = advice.stopping_advice(project)
    return "No trained model yet." if found is None else found.line
