"""``train --wait`` joins a training already going on instead of failing, and trains again after it
only when answers arrived after that run's snapshot (or it failed, or its worker died).

The run being joined is played by the test: a version row in status 'training' and a lock held by
this (live) process. It ends from inside the join's own progress callback, so no step depends on
timing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

from activelabel.project import Project
from activelabel.training import _lock_path, pending_answers, running_version, train_or_join, training_running
from activelabel.types import ClassLabel
from tests.conftest import make_text_dataset, write_tsv

Finish = Callable[[Project, str], None]


def _answered(project: Project, tmp_path, n: int = 20) -> dict[str, str]:  # noqa: ANN001
    rows = make_text_dataset(60, seed=3)
    truth = dict(rows)
    project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    project.prelabel()
    for q in project.queue(n):
        project.submit(q.entry.item.id, ClassLabel(truth[q.entry.item.content]), annotator="alice")
    return truth


def _fake_run(project: Project) -> str:
    """A training 'going on': its version row, and the lock held by a live process (this one)."""
    version = project.store.create_version(base_version=None, path_for=lambda v: project.models_dir / v)
    _lock_path(project).parent.mkdir(parents=True, exist_ok=True)
    _lock_path(project).write_text(f"{os.getpid()} test")
    return version


def _promoted_upto(snapshot: int) -> Finish:
    def finish(project: Project, version: str) -> None:
        project.store.update_version(version, status="promoted", trained_on_annotation_id=snapshot,
                                     finished_at=time.time(), progress=1.0, message="done")
    return finish


def _failed(project: Project, version: str) -> None:
    project.store.update_version(version, status="failed", message="ValueError: boom")


def _worker_died(project: Project, version: str) -> None:
    pass  # the row stays in 'training'; only the lock goes


def _join(project: Project, finish: Finish) -> tuple[str, str, list[str], list[tuple[float, str]]]:
    """Start a fake run, join it, end it on the join's first poll; (joined, result, notes, progress seen)."""
    running = _fake_run(project)
    notes: list[str] = []
    seen: list[tuple[float, str]] = []

    def progress(fraction: float, message: str) -> None:
        seen.append((fraction, message))
        if len(seen) == 1 and training_running(project):  # the join polls the run: end it now
            assert running_version(project) == running
            finish(project, running)
            _lock_path(project).unlink()

    version = train_or_join(project, progress=progress, note=notes.append, poll_s=0.001)
    return running, version, notes, seen


def test_a_finished_run_with_every_answer_is_the_result(text_project: Project, tmp_path) -> None:  # noqa: ANN001
    _answered(text_project, tmp_path)
    before = len(text_project.store.list_versions())
    joined, version, notes, seen = _join(text_project, _promoted_upto(text_project.store.max_annotation_id()))
    assert version == joined and notes == [f"a training run ({version}) is already going on: waiting for it"]
    assert seen[0] == (0.0, "queued")  # the joined run's own progress, read from its version row
    assert len(text_project.store.list_versions()) == before + 1  # the joined one only: no second run
    assert not training_running(text_project)


@pytest.mark.parametrize("finish, why", [
    (None, "1 answer(s) arrived after {v}'s snapshot: training a new version on them"),
    (_failed, "{v} failed (ValueError: boom); training a new version"),
    (_worker_died, "{v} stopped without finishing (its worker is gone); training a new version"),
])
def test_a_new_run_follows_when_the_joined_one_does_not_cover_the_answers(
        text_project: Project, tmp_path, finish: Finish | None, why: str) -> None:  # noqa: ANN001
    _answered(text_project, tmp_path)
    snapshot = text_project.store.max_annotation_id()
    end = finish or _promoted_upto(snapshot - 1)  # the 20th answer came after the joined run's snapshot
    joined, version, notes, _seen = _join(text_project, end)
    assert version != joined and notes[1:] == [why.format(v=joined)]
    row = text_project.store.get_version(version)
    assert row.status == "promoted" and row.trained_on_annotation_id == snapshot
    assert pending_answers(text_project) == 0 and not training_running(text_project)


def test_without_a_run_going_on_it_trains_at_once(text_project: Project, tmp_path) -> None:  # noqa: ANN001
    _answered(text_project, tmp_path)
    notes: list[str] = []
    version = train_or_join(text_project, note=notes.append)
    assert notes == [] and text_project.store.get_version(version).status == "promoted"
