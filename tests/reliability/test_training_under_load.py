"""Retraining and promotion while people label.

Pass criteria: retraining 3 times while 2 annotators label gives no write error, and each version
records the last answer it trained on; 50 promotions under load leave no prediction naming a
missing version, and no round is ever ranked with a version older than one already promoted
(a stale ranking is refused by the store, never installed).
"""

from __future__ import annotations

import shutil
import threading
import uuid

import pytest

from activelabel.models.registry import save_model
from activelabel.project import Project
from activelabel.store.integrity import check_project
from activelabel.types import ClassLabel
from tests.conftest import make_text_dataset, write_tsv

LABEL_PAUSE_S = 0.05


def _labeler(project_dir, name: str, truth: dict[str, str], stop: threading.Event, errors: list,  # noqa: ANN001
             answered: list) -> None:
    try:
        project = Project.open(project_dir)  # opened in the thread, as each UI session does
    except Exception as exc:  # noqa: BLE001 - every error fails the test
        errors.append(exc)
        return
    with project:
        while not stop.is_set():
            try:
                entries = project.claim(name, 1)
                if not entries:
                    stop.wait(0.05)
                    continue
                item = entries[0].entry.item
                project.submit(item.id, ClassLabel(truth[item.content]), annotator=name,
                               submission_id=uuid.uuid4().hex, trigger_retrain=False)
                answered.append(item.id)
                stop.wait(LABEL_PAUSE_S)  # a person's pace: the pool must outlast the three trainings
            except Exception as exc:  # noqa: BLE001 - every error fails the test
                errors.append(exc)
                return


def _seeded_project(text_project: Project, tmp_path, n: int = 240) -> dict[str, str]:  # noqa: ANN001
    rows = make_text_dataset(n, seed=3)
    truth = dict(rows)
    text_project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    text_project.prelabel()
    for q in text_project.claim("seed", 20):
        text_project.submit(q.entry.item.id, ClassLabel(truth[q.entry.item.content]), annotator="seed")
    return truth


@pytest.mark.slow
def test_retraining_three_times_while_two_annotators_label(text_project, tmp_path):
    truth = _seeded_project(text_project, tmp_path)
    stop, errors, answered = threading.Event(), [], []
    threads = [threading.Thread(target=_labeler, args=(text_project.dir, f"ann{k}", truth, stop, errors, answered))
               for k in range(2)]
    for t in threads:
        t.start()
    versions = []
    try:
        for _ in range(3):
            versions.append(text_project.train(wait=True))
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors
    assert answered, "the annotators labeled nothing while training ran"
    store = text_project.store
    snapshots = []
    for v in versions:
        info = store.get_version(v)
        assert info.status in ("promoted", "retired")
        last = info.trained_on_annotation_id
        # the recorded snapshot is a real answer, and the model saw exactly the labels up to it
        assert any(r["id"] == last for r in store.all_annotations())
        assert info.n_train + info.n_validation == len(store.current_labels(upto_annotation_id=last))
        snapshots.append(last)
    assert snapshots == sorted(snapshots) and len(set(snapshots)) == 3
    assert len(store.current_labels()) >= 20 + len(set(answered)) - 0
    assert check_project(text_project).ok, check_project(text_project).problems


@pytest.mark.slow
def test_fifty_promotions_under_load_never_rank_with_a_retired_version(text_project, tmp_path):
    from activelabel.loop import run_round

    truth = _seeded_project(text_project, tmp_path, n=200)
    first = text_project.train(wait=True)
    model_dir = text_project.store.get_version(first).path
    from activelabel.models.registry import load_model

    model = load_model(__import__("pathlib").Path(model_dir))
    stop, errors, answered = threading.Event(), [], []
    threads = [threading.Thread(target=_labeler, args=(text_project.dir, f"ann{k}", truth, stop, errors, answered))
               for k in range(2)]
    stale_refused = []

    def stale_ranker() -> None:  # ranks with whatever version it saw a moment ago
        with Project.open(text_project.dir) as p:
            while not stop.is_set():
                seen = p.store.current_version()
                try:
                    p.store.create_round(version=seen, strategy="margin", entries=[], auto=[], budget=0, stats={})
                except ValueError:
                    stale_refused.append(seen)
                stop.wait(0.01)

    threads.append(threading.Thread(target=stale_ranker))
    for t in threads:
        t.start()
    store = text_project.store
    try:
        for _ in range(50):  # a promotion as training does it: immutable folder, promote, re-score
            v = store.create_version(base_version=store.current_version(),
                                     path_for=lambda vid: text_project.models_dir / vid)
            tmp = text_project.models_dir / f".tmp-{v}"
            save_model(model, tmp)
            shutil.move(str(tmp), str(text_project.models_dir / v))
            store.update_version(v, status="ready")
            store.promote(v)
            run_round(text_project, model=model, version=v)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors
    versions = [v.id for v in store.list_versions()]
    assert len(versions) == 51
    rounds = [r for r in store.list_rounds() if r.model_version is not None]
    order = {v: k for k, v in enumerate(versions)}
    ranks = [order[r.model_version] for r in rounds]
    assert ranks == sorted(ranks), "a round was ranked with an older version after a newer one was promoted"
    assert store.current_round().model_version == store.current_version() == versions[-1]
    report = check_project(text_project)
    assert report.ok, report.problems  # includes: no prediction names a missing version
