"""The one definition of the project's headline counts, shown alike by the dashboard, the report page
and REPORT.md (so that no two places count answers their own way)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from activelabel.store.repository import Store

#: (title, key of ``Store.counts()``, what it counts)
COUNTS: tuple[tuple[str, str, str], ...] = (
    ("Items", "items", "every item in the project"),
    ("Labeled by people", "human_labeled",
     "items with a live accepted or corrected answer from a person (imported labels included)"),
    ("Auto-accepted", "auto_accepted", "items labeled by the model above the threshold and not answered by a person"),
    ("In the queue", "queued", "items waiting for a person in the current ranking"),
    ("Answers", "answers", "answers people gave here: accepted, corrected, rejected and skipped, undone ones "
     "included (imported labels are not answers)"),
)


def headline_counts(store: Store) -> list[tuple[str, int, str]]:
    """(title, value, what it counts) per entry of ``COUNTS``; a value of -1 is a queue too long to count."""
    counts = store.counts()
    return [(title, counts[key], what) for title, key, what in COUNTS]
