"""Fixtures for the scale tests: one local Ray instance (2 CPUs) per module, and a trained project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.types import ClassLabel
from tests.conftest import make_text_dataset, write_tsv


@pytest.fixture(scope="module")
def ray_local() -> Iterator[object]:
    ray = pytest.importorskip("ray", reason="the scale extra (ray[data]) is not installed")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    if started:
        ray.shutdown()


def trained_project(folder: Path, n: int = 400, answers: int = 40) -> Project:
    """A text project with ``n`` pool items and one promoted version trained on ``answers`` of them."""
    cfg = parse_config({"name": "scale", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"human_budget_per_round": 20, "retrain_every": 0, "auto_accept_threshold": 0.9}})
    project = Project.init(folder, cfg)
    rows = make_text_dataset(n, seed=7)
    truth = dict(rows)
    project.import_file(write_tsv(folder.parent / f"{folder.name}.tsv", rows, with_labels=False))
    project.prelabel()  # cold start
    for q in project.claim("alice", answers):
        project.submit(q.entry.item.id, ClassLabel(truth[q.entry.item.content]), annotator="alice",
                       trigger_retrain=False)
    project.train(wait=True)
    return project
