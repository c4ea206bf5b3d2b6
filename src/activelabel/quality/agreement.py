"""Inter-annotator agreement for a project, per task kind, per annotator pair, per label and over time.

- classification: Cohen's kappa per pair; Fleiss' kappa and Krippendorff's alpha over all raters;
- NER: exact-span F1 per pair and token-level kappa;
- detection: box F1 at IoU >= 0.5 with the same label;
- transcription: word error rate between annotators (lower is better).

Every figure carries the ids of the items behind it (``items``, and ``disagreements`` where that
is defined), so a number on the dashboard is one click from the evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from activelabel.quality import metrics as m
from activelabel.quality.agreement_metrics import PairRow
from activelabel.quality.answers import NOT_PEOPLE, Answer, people_answers
from activelabel.tasks import TaskSpec, get_task

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def pair_score(task: str | TaskSpec, rows: Sequence[PairRow], label: str | None = None,
               iou_threshold: float = 0.5) -> dict[str, Any]:
    """The agreement of two annotators over the items they both answered."""
    spec = get_task(task) if isinstance(task, str) else task
    items = [r[0] for r in rows]
    differ = [r[0] for r in rows if spec.canonical(r[1]) != spec.canonical(r[2])]
    out: dict[str, Any] = {"n_items": len(rows), "items": items, "disagreements": differ}
    out.update(spec.agreement.pair(rows, label, iou_threshold))
    return out


def _pair_rows(multi: dict[str, dict[str, Answer]], texts: dict[str, str], a: str, b: str) -> list[PairRow]:
    return [(iid, by[a].value, by[b].value, texts.get(iid, "")) for iid, by in multi.items() if a in by and b in by]


def _all_pair_rows(multi: dict[str, dict[str, Answer]], texts: dict[str, str]) -> list[PairRow]:
    rows: list[PairRow] = []
    for iid, by in multi.items():
        for a, b in m.pairs_of(list(by)):
            rows.append((iid, by[a].value, by[b].value, texts.get(iid, "")))
    return rows


def overall_score(task: str | TaskSpec, multi: dict[str, dict[str, Answer]], texts: dict[str, str],
                  label: str | None = None) -> dict[str, Any]:
    """Agreement over every item with two or more answers, all raters together."""
    spec = get_task(task) if isinstance(task, str) else task
    own = spec.agreement.overall(multi, texts, label, spec.canonical)
    if own is not None:
        return own
    pooled = pair_score(spec, _all_pair_rows(multi, texts), label)
    pooled.update(spec.agreement.pooled_extra(multi, texts, label))
    pooled["items"] = sorted(set(pooled["items"]), key=list(multi).index)
    pooled["disagreements"] = sorted(set(pooled["disagreements"]), key=list(multi).index)
    pooled["n_items"] = len(pooled["items"])
    return pooled


def agreement_report(project: Workspace, *, window: int = 50, exclude: Iterable[str] = NOT_PEOPLE) -> dict[str, Any]:
    """All agreement figures of a project as one JSON-ready dict."""
    task = project.spec
    metric = task.agreement
    answers = people_answers(project, exclude)
    multi = {iid: by for iid, by in answers.items() if len(by) >= 2}
    texts = ({iid: it.content for iid, it in project.store.get_items(list(multi)).items()}
             if metric.needs_text else {})
    annotators = sorted({a for by in multi.values() for a in by})
    pairs = []
    for a, b in m.pairs_of(annotators):
        rows = _pair_rows(multi, texts, a, b)
        if rows:
            pairs.append({"annotators": [a, b], **pair_score(task, rows)})
    per_annotator: dict[str, dict[str, Any]] = {}
    for name in annotators:
        mine = [p for p in pairs if name in p["annotators"] and p["value"] is not None]
        n = sum(p["n_items"] for p in mine)
        mean = sum(p["value"] * p["n_items"] for p in mine) / n if n else None
        per_annotator[name] = {"mean_pair_value": mean, "n_items": sum(name in by for by in multi.values()),
                               "pairs": len(mine)}
    per_label = [{"label": lab, **overall_score(task, multi, texts, lab)}
                 for lab in (project.config.labels if metric.per_label else [])]
    ordered = sorted(multi, key=lambda iid: max(a.created_at for a in multi[iid].values()))
    over_time = []
    for start in range(0, len(ordered), max(1, window)):
        chunk = {iid: multi[iid] for iid in ordered[start:start + window]}
        times = [a.created_at for by in chunk.values() for a in by.values()]
        over_time.append({"from": min(times), "to": max(times), **overall_score(task, chunk, texts)})
    return {
        "task": task.name, "metric": metric.name, "better": metric.better,
        "n_items_overlap": len(multi), "annotators": annotators, "overall": overall_score(task, multi, texts),
        "pairs": pairs, "per_annotator": per_annotator, "per_label": per_label, "over_time": over_time,
        "window": window,
    }
