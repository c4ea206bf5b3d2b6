"""Concurrent annotators, replayed submissions and killed writers: no acknowledged answer is lost.

Pass criteria (each asserted): 0 lost, 0 duplicated, integrity check passes; a submission
replayed 5 times (also at once, from 5 threads) stores one answer; after ``kill -9`` at random
points, every answer the writer acknowledged is in the database.
"""

from __future__ import annotations

import os
import threading

import pytest

from activelabel.store import Store
from activelabel.store.integrity import check_store
from activelabel.types import AnnotationStatus
from tests.reliability.scenarios import item_rows, kill_trials, make_project, run_annotators

# The figures: 4 x 500 on SQLite and 10 x 1,000 on PostgreSQL. To fit the suite's time budget
# the tests keep the annotator counts with fewer answers each (the env variables raise them;
# benchmarks/reliability_report.py runs the full sizes).
SQLITE_ANNOTATORS, SQLITE_EACH = 4, int(os.environ.get("ACTIVELABEL_RELIABILITY_SQLITE_EACH", "150"))
PG_ANNOTATORS, PG_EACH = 10, int(os.environ.get("ACTIVELABEL_RELIABILITY_PG_EACH", "60"))
# 20 trials of a 1,000-answer writer; the kill lands within the first KILL_SPAN answers (the benchmark: anywhere)
KILL_TRIALS, KILL_WRITES = 20, 1000
KILL_SPAN = int(os.environ.get("ACTIVELABEL_RELIABILITY_KILL_SPAN", "100"))


def _assert_nothing_lost(fig, expected: int) -> None:  # noqa: ANN001
    assert not fig.errors, fig.errors[:3]
    assert fig.made == expected
    assert fig.lost == 0 and fig.duplicated == 0 and fig.stored == fig.made
    assert not fig.integrity_problems, fig.integrity_problems


@pytest.mark.slow
def test_annotators_at_once_lose_nothing(db_url, tmp_path):
    sqlite = db_url.startswith("sqlite")
    n_ann, each = (SQLITE_ANNOTATORS, SQLITE_EACH) if sqlite else (PG_ANNOTATORS, PG_EACH)
    project = make_project(tmp_path / "p", None if sqlite else db_url, n_ann * each + 50)
    fig = run_annotators(project, n_ann, each, backend="sqlite" if sqlite else "postgresql")
    _assert_nothing_lost(fig, n_ann * each)


def test_a_replayed_submission_stores_one_answer(db_url):
    store = Store.open(db_url)
    store.add_items(item_rows(2))
    kwargs = dict(annotator="alice", status=AnnotationStatus.CORRECTED, value={"label": "ham"})
    results = [store.submit(item_id="item000000", submission_id="replayed", **kwargs) for _ in range(5)]
    assert [r.created for r in results] == [True, False, False, False, False]
    assert len({r.annotation_id for r in results}) == 1

    # the same submission sent 5 times at once (a double-clicked button, a retrying client)
    stores = [Store.open(db_url, migrate=False) for _ in range(5)]
    barrier, out, errors = threading.Barrier(5), [], []

    def send(st: Store) -> None:
        try:
            barrier.wait()
            out.append(st.submit(item_id="item000001", submission_id="raced", **kwargs))
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(st,)) for st in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(r.created for r in out) == [False, False, False, False, True]
    rows = [r for r in store.all_annotations() if r["item_id"] == "item000001"]
    assert len(rows) == 1
    for st in stores:
        st.close()
    assert check_store(store).ok
    store.close()


@pytest.mark.slow
def test_kill_9_never_loses_an_acknowledged_answer(tmp_path):
    fig = kill_trials(tmp_path, KILL_TRIALS, KILL_WRITES, seed=8, span=KILL_SPAN)
    assert fig.made > 0
    assert fig.lost == 0, f"{fig.lost} acknowledged answers were lost"
    assert fig.duplicated == 0
    assert not fig.integrity_problems, fig.integrity_problems
