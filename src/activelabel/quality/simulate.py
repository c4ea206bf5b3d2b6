"""A simulated labeling team: annotators with set error rates answer through the real queue.

Used by the quality tests and ``benchmarks/quality_team.py`` to check that agreement, gold
accuracy and the flag single out a careless annotator. Each annotator claims one item at a time
(leases, overlap and gold mixing as in the UI) and answers the truth, or with probability
``error_rate`` another label. It drives the ``Project`` facade as a team of people would, so it
is a composition root (allowed to import ``activelabel.project``), not a service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from activelabel.types import ClassLabel

if TYPE_CHECKING:
    from activelabel.project import Project


def simulate_team(project: Project, truth: Mapping[str, str], error_rates: Mapping[str, float], *,
                  answers_each: int, seed: int = 0,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, dict[str, int]]:
    """Round-robin answering until each annotator gave ``answers_each`` answers or the queue is empty.

    ``truth`` maps item content to its true label. Returns, per annotator, answers given, errors
    made and gold items seen.
    """
    labels = project.config.labels
    rng = np.random.default_rng(seed)
    stats = {name: {"answers": 0, "errors": 0, "gold_seen": 0} for name in error_rates}
    gold_ids = {it.id for it, _ in project.store.gold_items()}
    active = list(error_rates)
    total = answers_each * len(active)
    done = 0
    while active:
        for name in list(active):
            claimed = project.claim(name, 1)
            if not claimed or stats[name]["answers"] >= answers_each:
                active.remove(name)
                continue
            item = claimed[0].entry.item
            label = truth[item.content]
            if rng.random() < error_rates[name]:
                label = str(rng.choice([x for x in labels if x != label]))
                stats[name]["errors"] += 1
            project.submit(item.id, ClassLabel(label), annotator=name, duration_s=float(rng.uniform(2, 8)),
                           trigger_retrain=False)
            stats[name]["answers"] += 1
            stats[name]["gold_seen"] += item.id in gold_ids
            done += 1
            if progress:
                progress(done, total)
    return stats
