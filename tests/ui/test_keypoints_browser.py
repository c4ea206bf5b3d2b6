"""The keypoints editor in real headless Chromium: drag a point, toggle one hidden, Ctrl+Enter stores
the points drawn, in image pixels."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.samples.keypoints import EXTRA, LABELS, make_sample, truth
from activelabel.types import AnnotationStatus
from tests.ui.browser import CHROMIUM, chromium, settle, shown_item, sign_in, streamlit_server, wait_next_item
from tests.ui.conftest import USERS, add_users, seed_round

SIZE = 64  # shown 8 times as large (512 px)


@pytest.fixture()
def keypoints_project(tmp_path: Path) -> Iterator[Project]:
    cfg = parse_config({"name": "ui-keypoints", "task": "keypoints", "labels": LABELS, "extra": EXTRA,
                        "loop": {"human_budget_per_round": 40, "retrain_every": 0}})
    project = Project.init(tmp_path / "kp", cfg)
    add_users(project)
    sample = make_sample(tmp_path / "sample", n=2, seed=4, size=SIZE, max_objects=1)
    known = truth(sample)
    (sample / "annotations.json").unlink()
    project.import_file(sample / "images")
    items = sorted((it for page in project.store.iter_pool() for it in page), key=lambda it: str(it.meta["file"]))
    preds = []
    for n, it in enumerate(items):
        value = known[str(it.meta["file"])]
        for o in value["objects"]:
            o["confidence"] = 0.8
            for i, k in enumerate(o["keypoints"]):
                k["confidence"] = [0.9, 0.55, 0.7][i]
        preds.append(dict(item_id=it.id, confidence=0.3 + 0.4 * n, parts=[0.8], value=value))
    seed_round(project, preds)
    yield project
    project.close()


def truth_points(project: Project, item: Any) -> list[dict[str, Any]]:
    """The first object's points as seeded (the sample's truth), from the stored predictions."""
    rows = project.store.predictions_for(project.store.current_version() or "", [item.id])
    return list(rows[item.id]["value"]["objects"][0]["keypoints"])


def _answers(project: Project) -> list[dict[str, Any]]:
    return [a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]


@pytest.mark.browser
@pytest.mark.slow
def test_drag_a_point_and_submit_stores_image_pixels(keypoints_project: Project, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    items = sorted((it for page in keypoints_project.store.iter_pool() for it in page), key=lambda it: str(it.meta["file"]))
    first_id = items[0].id  # the least confident (0.3): shown first
    proposed = truth_points(keypoints_project, items[0])
    with streamlit_server("ACTIVELABEL_PROJECT", keypoints_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        first = shown_item(page)
        editor = page.locator(f".st-key-al_ed_{first_id}")
        stage = editor.get_by_test_id("alKpStage")
        stage.wait_for(timeout=30_000)
        status = editor.get_by_test_id("alKpStatus")
        assert editor.get_by_test_id("alKpPoint").count() == 3
        settle(page)
        # drag "tip" to image pixel (10, 12): the stage shows the image 8 times as large
        tip = editor.locator('[data-testid="alKpPoint"][data-name="tip"] circle').bounding_box()
        origin = stage.locator("svg").bounding_box()
        assert tip is not None and origin is not None
        page.mouse.move(tip["x"] + tip["width"] / 2, tip["y"] + tip["height"] / 2)
        page.mouse.down()
        page.mouse.move(origin["x"] + 10 * 8, origin["y"] + 12 * 8, steps=8)
        page.mouse.up()
        assert "Moved" in status.inner_text() and "tip to (10.0, 12.0)" in status.inner_text()
        # click "left" to mark it hidden
        editor.locator('[data-testid="alKpPoint"][data-name="left"] circle').click()
        assert "left is now hidden" in status.inner_text()
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / "keypoints-label.png"), full_page=True)
        stage.focus()
        page.keyboard.press("Control+Enter")
        wait_next_item(page, first)

        # the next item: add an object (the template), remove the proposed one with X, submit
        editor = page.locator(f".st-key-al_ed_{items[1].id}")
        editor.get_by_test_id("alKpStage").wait_for(timeout=30_000)
        settle(page)
        page.get_by_role("button", name="Add object").click()
        editor.locator('[data-testid="alKpPoint"]').nth(5).wait_for(timeout=30_000)
        assert "Added a arrow" in editor.get_by_test_id("alKpStatus").inner_text()
        editor.locator('[data-testid="alKpPoint"][data-obj="0"][data-name="tip"] circle').click()
        page.keyboard.press("x")
        assert editor.get_by_test_id("alKpPoint").count() == 3
        page.keyboard.press("Control+Enter")
        deadline = time.time() + 60  # the last item: no next one comes, so wait for its answer
        while len(_answers(keypoints_project)) < 2 and time.time() < deadline:
            time.sleep(0.2)
    answer, added = sorted(_answers(keypoints_project), key=lambda a: a["id"])
    (obj,) = added["value"]["objects"]
    assert obj["label"] == "arrow" and [k["name"] for k in obj["keypoints"]] == ["tip", "left", "right"]
    assert obj["keypoints"][0] == {"name": "tip", "x": 32.0, "y": 16.0, "v": 2}  # the template's top point
    points = {k["name"]: k for k in answer["value"]["objects"][0]["keypoints"]}
    assert answer["status"] == "corrected"
    assert (points["tip"]["x"], points["tip"]["y"], points["tip"]["v"]) == (10.0, 12.0, 2)
    assert points["left"]["v"] == 1 and (points["left"]["x"], points["left"]["y"]) == (proposed[1]["x"], proposed[1]["y"])
    assert (points["right"]["x"], points["right"]["y"]) == (proposed[2]["x"], proposed[2]["y"])
    box = answer["value"]["objects"][0]
    assert box["x0"] <= 10.0 and box["y0"] <= 12.0  # the box grew with its point
