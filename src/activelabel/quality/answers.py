"""Who answered what: each person's answer in force per item, the input of agreement and gold scores.

Only people count: imported labels (annotator ``import``), model labels (``model:...``) and a
reviewer's adjudication (reason ``adjudicated``) are left out, so a resolution never inflates
agreement. Per person and item, their latest un-revoked label is the one that counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from activelabel.store.repository import HUMAN_LABELED
from activelabel.tasks import get_task

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

NOT_PEOPLE = ("import",)
ADJUDICATED = "adjudicated"


@dataclass(frozen=True, slots=True)
class Answer:
    item_id: str
    annotator: str
    value: dict[str, Any]
    created_at: float
    duration_s: float | None


def is_person(name: str, exclude: Iterable[str] = NOT_PEOPLE) -> bool:
    """Model labels and imported ones are not people's; ``import#2`` is an import's second, conflicting copy."""
    return not name.startswith("model:") and name.partition("#")[0] not in set(exclude)


def people_answers(project: Workspace, exclude: Iterable[str] = NOT_PEOPLE) -> dict[str, dict[str, Answer]]:
    """item id -> annotator -> their answer in force (labels only; rejections and skips carry none)."""
    skip = set(exclude)
    out: dict[str, dict[str, Answer]] = {}
    for row in project.store.all_annotations():
        if row["revoked_at"] is not None or row["status"] not in HUMAN_LABELED or row["reason"] == ADJUDICATED:
            continue
        if not is_person(row["annotator"], skip) or row["value"] is None:
            continue
        out.setdefault(row["item_id"], {})[row["annotator"]] = Answer(
            row["item_id"], row["annotator"], row["value"], row["created_at"], row["duration_s"])
    return out


def canonical(task: str, value: dict[str, Any] | None) -> Any:
    """A hashable form of a value, for 'did they give the same answer' (the task spec's one definition)."""
    return get_task(task).canonical(value)
