"""The image-classification editor in the label page (AppTest): the image and proposal shown, answers stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from activelabel.project import Project
from activelabel.samples.image_classification import labeled_images
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item
from tests.ui.conftest import new_project, seed_round

LABELS = ["zero", "one", "two"]


@pytest.fixture()
def image_project(tmp_path: Path) -> Iterator[Project]:
    project = new_project(tmp_path / "img", "image_classification", LABELS)
    (project.dir / "media").mkdir(exist_ok=True)
    items = []
    for i, (name, data, _label) in enumerate(labeled_images(2, seed=1)):
        (project.dir / "media" / name).write_bytes(data)
        items.append(Item(f"imgitem{i}", "image", f"media/{name}", {"width": 32, "height": 32, "file": name}))
    project.store.add_items([NewItem(it) for it in items])
    seed_round(project, [dict(item_id="imgitem0", confidence=0.4, value={"label": "one"}),
                         dict(item_id="imgitem1", confidence=0.8, value={"label": "two"})])
    yield project
    project.close()


def _answers(project: Project) -> list[dict]:
    return [a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]


def _button(at, suffix: str):
    return next(b for b in at.button if b.key and b.key.endswith(suffix))


def test_image_editor_shows_the_image_and_stores_a_chosen_label(image_project: Project, app_for) -> None:
    at = app_for(image_project, user="alice")
    at.run()
    assert not at.exception
    item = at.session_state["al_buf"][0]
    assert item["id"] == "imgitem0"  # least confident first
    assert len(at.get("image")) == 1  # the image itself
    assert any("Model proposes **one**" in m.value for m in at.markdown)
    key = f"al_ed_{item['id']}"
    assert [at.button(key=f"{key}_lab_{i}").label for i in range(3)] == ["1 · zero", "2 · one", "3 · two"]
    at.button(key=f"{key}_lab_2").click().run()  # the person says two
    assert not at.exception
    (first,) = _answers(image_project)
    assert first["value"] == {"label": "two"} and first["status"] == "corrected"

    _button(at, "al_btn_accept").click().run()  # the next image: accept the proposal
    second = _answers(image_project)[1]
    assert second["item_id"] == "imgitem1" and second["value"] == {"label": "two"} and second["status"] == "accepted"


@pytest.mark.slow
def test_dashboard_review_and_report_render_a_trained_image_project(tmp_path: Path, app_for) -> None:
    from activelabel.samples.image_classification import LABELS as DIGITS
    from activelabel.samples.image_classification import make_sample
    from tests.image_classification_helpers import TINY_CLS_PARAMS

    project = new_project(tmp_path / "digits", "image_classification", DIGITS)
    try:
        cfg = project.config.model_copy(deep=True)
        cfg.model.params = dict(TINY_CLS_PARAMS)
        project.save_config(cfg)
        project.import_file(make_sample(tmp_path / "sample", 40, seed=2, with_labels=True))
        project.train(wait=True)
        project.prelabel()
        for page in ("dashboard", "review", "report"):
            at = app_for(project, page=page, user="adam")
            at.run()
            assert not at.exception, (page, at.exception)
    finally:
        project.close()
