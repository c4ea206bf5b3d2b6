"""Gold items: known answers mixed into the queues, and each annotator's accuracy on them.

Gold items are imported with ``import --as-gold``; the store hands them out at the configured
``quality.gold_rate`` dressed like ordinary queue entries. To keep them indistinguishable they also
get the current model's proposal, predicted here on first use and saved with that version.
An annotator is flagged once they have ``gold_min_answers`` gold answers and their gold accuracy
is below ``quality.gold_accuracy_threshold`` overall, or has dropped below it over their latest
``window`` gold answers (judged once they have twice that many, so a short streak is not a drop).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from activelabel.quality.answers import NOT_PEOPLE, people_answers
from activelabel.tasks import get_task

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def ensure_predictions(project: Workspace, version: str, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Predict and save, with ``version``, the given items that lack a prediction (gold, carried-over overlap)."""
    from activelabel.loop import current_model

    if not item_ids:
        return {}
    model, current = current_model(project)
    if model is None or current != version:
        return {}
    items = list(project.store.get_items(list(item_ids)).values())
    proposals = model.predict(items)
    project.store.save_predictions(version, [p.to_row(it.id, version) for it, p in zip(items, proposals, strict=True)])
    return project.store.predictions_for(version, [it.id for it in items])


def gold_score(task: str, answer: dict[str, Any], gold: dict[str, Any]) -> float:
    """1 for a perfect answer, 0 for a wrong one; the task spec scores what lies between."""
    return get_task(task).gold_score(answer, gold)


def gold_report(project: Workspace, *, window: int = 30, exclude: Iterable[str] = NOT_PEOPLE) -> dict[str, Any]:
    """Per annotator: gold answers, accuracy, recent accuracy, the items they got wrong, and the flag."""
    cfg = project.config.quality
    task = project.task
    gold = {it.id: value for it, value in project.store.gold_items()}
    answers = people_answers(project, exclude)
    per: dict[str, list[tuple[float, str, float]]] = {}
    for iid, value in gold.items():
        for name, ans in answers.get(iid, {}).items():
            per.setdefault(name, []).append((ans.created_at, iid, gold_score(task, ans.value, value)))
    annotators: dict[str, dict[str, Any]] = {}
    for name, rows in sorted(per.items()):
        rows.sort()
        scores = [s for _, _, s in rows]
        recent = scores[-window:]
        acc = sum(scores) / len(scores)
        recent_acc = sum(recent) / len(recent)
        # a drop: the latest window alone is below the threshold (judged once there is history before it)
        dropped = len(scores) >= 2 * window and recent_acc < cfg.gold_accuracy_threshold
        below = acc < cfg.gold_accuracy_threshold
        flagged = len(scores) >= cfg.gold_min_answers and (below or dropped)
        reason = ""
        if flagged:
            reason = (f"gold accuracy {acc:.1%} is below {cfg.gold_accuracy_threshold:.0%}" if below else
                      f"gold accuracy dropped to {recent_acc:.1%} over the last {len(recent)} gold answers "
                      f"(below {cfg.gold_accuracy_threshold:.0%})")
        annotators[name] = {
            "n_gold": len(scores), "accuracy": acc, "recent_accuracy": recent_acc, "flagged": flagged,
            "reason": reason, "items": [iid for _, iid, _ in rows],
            "wrong": [iid for _, iid, s in rows if s < 1.0],
        }
    return {"n_gold_items": len(gold), "threshold": cfg.gold_accuracy_threshold, "min_answers": cfg.gold_min_answers,
            "gold_rate": cfg.gold_rate, "window": window, "annotators": annotators,
            "flagged": [n for n, a in annotators.items() if a["flagged"]]}
