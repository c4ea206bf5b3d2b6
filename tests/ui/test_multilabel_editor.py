"""The multilabel editor in the label page (AppTest): boxes pre-checked from the proposal, answers stored as sets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from activelabel.project import Project
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item
from tests.ui.conftest import new_project, seed_round

LABELS = ["sports", "politics", "tech"]


@pytest.fixture()
def multilabel_project(tmp_path: Path) -> Iterator[Project]:
    project = new_project(tmp_path / "ml", "multilabel", LABELS)
    texts = ["the striker scored after the senate vote", "new chip for the cloud"]
    project.store.add_items([NewItem(Item(f"mlitem{i}", "text", t)) for i, t in enumerate(texts)])
    seed_round(project, [
        dict(item_id="mlitem0", confidence=0.2, parts=[0.9, 0.4, 0.05], value={"labels": ["sports"]}),
        dict(item_id="mlitem1", confidence=0.9, parts=[0.02, 0.03, 0.97], value={"labels": ["tech"]}),
    ])
    yield project
    project.close()


def _answers(project: Project) -> list[dict]:
    return [a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]


def _button(at, suffix: str):
    return next(b for b in at.button if b.key and b.key.endswith(suffix))


def test_multilabel_editor_prechecks_the_proposal_and_stores_the_checked_set(multilabel_project: Project,
                                                                               app_for) -> None:
    at = app_for(multilabel_project, user="alice")
    at.run()
    assert not at.exception
    item = at.session_state["al_buf"][0]
    assert item["id"] == "mlitem0"  # least confident first
    key = f"al_ed_{item['id']}"
    boxes = [at.checkbox(key=f"{key}_box_{i}_r0") for i in range(3)]
    assert [b.value for b in boxes] == [True, False, False]  # the proposal, pre-checked
    assert [b.label for b in boxes] == ["1 · sports (0.90)", "2 · politics (0.40)", "3 · tech (0.05)"]
    boxes[1].check().run()  # the person adds politics
    _button(at, "al_btn_correct").click().run()
    assert not at.exception
    (first,) = _answers(multilabel_project)
    assert first["value"] == {"labels": ["sports", "politics"]} and first["status"] == "corrected"

    # the next item: nothing checked is the empty set, stored as an answer
    item = at.session_state["al_buf"][0]
    assert item["id"] == "mlitem1"
    at.checkbox(key=f"al_ed_{item['id']}_box_2_r0").uncheck().run()
    _button(at, "al_btn_correct").click().run()
    second = _answers(multilabel_project)[1]
    assert second["value"] == {"labels": []} and second["status"] == "corrected"


def test_multilabel_editor_accepts_the_proposal(multilabel_project: Project, app_for) -> None:
    at = app_for(multilabel_project, user="alice")
    at.run()
    _button(at, "al_btn_accept").click().run()
    assert not at.exception
    (answer,) = _answers(multilabel_project)
    assert answer["value"] == {"labels": ["sports"]} and answer["status"] == "accepted"


def test_dashboard_review_and_report_pages_render_a_trained_multilabel_project(tmp_path: Path, app_for) -> None:
    from activelabel.samples.multilabel import LABELS as TOPICS
    from activelabel.samples.multilabel import make_sample

    project = new_project(tmp_path / "topics", "multilabel", TOPICS)
    try:
        project.import_file(make_sample(tmp_path / "sample", 80, seed=2, with_labels=True))
        project.train(wait=True)
        project.prelabel()
        for page in ("dashboard", "review", "report"):
            at = app_for(project, page=page, user="adam")
            at.run()
            assert not at.exception, (page, at.exception)
            if page == "dashboard":
                assert "Label distribution" in "\n".join(m.value for m in at.markdown)
    finally:
        project.close()
