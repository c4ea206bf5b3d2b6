"""The segmentation editor in real headless Chromium: outline a triangle by three clicks and Enter,
drag one point of a proposed polygon, delete a proposed object, relabel one, add a second part to an
object (A) and remove one part of it (Shift+Delete); Ctrl+Enter stores what is drawn, in image pixels. The editor's texts, and its refusal to submit before the component has
reported the item, are checked without a browser.

One server and one signed-in page serve the browser tests: each works on the item on screen (the
least confident one not answered yet) and checks the answer stored for it.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from activelabel.config import parse_config
from activelabel.errors import InvalidLabelError
from activelabel.project import Project
from activelabel.samples.segmentation import LABELS, make_sample, truth
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item, Masks
from activelabel.ui.editors import segmentation as editor_module
from tests.ui.browser import CHROMIUM, chromium, settle, shown_item, sign_in, streamlit_server
from tests.ui.conftest import USERS, add_users, seed_round

SIZE = 64  # shown 8 times as large (512 px)
SCREENSHOT = Path("/tmp/seg_editor.png")
CONFIDENCES = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]  # the order the items are shown in: one item a browser test
TWO_PARTS_SCREENSHOT = Path("/tmp/seg_two_parts.png")


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="module")
def seg_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """Six shape images of two objects each, with the sample's truth seeded as the model's proposal."""
    root = tmp_path_factory.mktemp("seg-ui")
    cfg = parse_config({"name": "ui-segmentation", "task": "segmentation", "labels": LABELS,
                        "loop": {"human_budget_per_round": 40, "retrain_every": 0}})
    project = Project.init(root / "seg", cfg)
    add_users(project)
    sample = make_sample(root / "sample", n=len(CONFIDENCES) + 4, seed=5, size=SIZE, max_objects=2)
    known = truth(sample)
    names = [name for name in sorted(known) if len(known[name]["objects"]) == 2][:len(CONFIDENCES)]
    assert len(names) == len(CONFIDENCES), "the tests need two objects on every image: change the seed"
    items, preds = [], []
    for n, name in enumerate(names):
        rel = f"media/{name}"
        (project.dir / "media").mkdir(exist_ok=True)
        shutil.copy(sample / "images" / name, project.dir / rel)
        items.append(Item(f"seg{n}", "image", rel, {"file": name, "width": SIZE, "height": SIZE}))
        value = known[name]
        for k, o in enumerate(value["objects"]):
            o["confidence"] = [0.8, 0.6][k % 2]
        preds.append(dict(item_id=f"seg{n}", confidence=CONFIDENCES[n], parts=[0.8], value=value))
    project.store.add_items([NewItem(it) for it in items])
    seed_round(project, preds)
    yield project
    project.close()


@pytest.fixture(scope="module")
def page(seg_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Alice signed in on the label page."""
    _need_chromium()
    log = tmp_path_factory.mktemp("seg-ui-log") / "server.log"
    with streamlit_server("ACTIVELABEL_PROJECT", seg_project.dir, log) as url, chromium() as browser:
        pg = browser.new_context(viewport={"width": 1280, "height": 1100}).new_page()
        sign_in(pg, url, "alice", USERS["alice"][1])
        yield pg


def _answers(project: Project) -> dict[str, dict[str, Any]]:
    return {a["item_id"]: a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value}


def _proposal(project: Project, item_id: str) -> list[dict[str, Any]]:
    rows = project.store.predictions_for(project.store.current_version() or "", [item_id])
    return list(rows[item_id]["value"]["objects"])


def _on_screen(page: Any, project: Project) -> tuple[str, Any, float]:
    """The next item to answer, its editor once drawn, and the scale its image is shown at."""
    done = _answers(project)
    item_id = next(f"seg{n}" for n in range(len(CONFIDENCES)) if f"seg{n}" not in done)
    editor = page.locator(f".st-key-al_ed_{item_id}")
    editor.get_by_test_id("alPgStage").wait_for(timeout=60_000)
    settle(page)
    assert shown_item(page) == item_id
    img = editor.locator("img.al-pg-img").bounding_box()
    assert img is not None
    return item_id, editor, img["width"] / SIZE


def _origin(editor: Any) -> tuple[float, float]:
    box = editor.get_by_test_id("alPgStage").locator("svg").bounding_box()
    assert box is not None
    return box["x"], box["y"]


def _submit(page: Any, project: Project, item_id: str) -> dict[str, Any]:
    """Ctrl+Enter (after the last report has reached the server), then the answer stored for the item."""
    page.wait_for_timeout(500)
    settle(page)
    page.keyboard.press("Control+Enter")
    deadline = time.time() + 60
    while time.time() < deadline:
        answer = _answers(project).get(item_id)
        if answer is not None:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"no answer stored for {item_id}; the page says: {page.inner_text('body')[:2000]}")


def _shape(o: dict[str, Any]) -> tuple[str, list[list[float]]]:
    return str(o["label"]), [[float(v) for v in p] for p in o["polygons"]]


def _free_triangle(objects: list[dict[str, Any]], margin: float = 4.0) -> list[tuple[float, float]]:
    """Three image points of a triangle clear of every proposed object's box (so clicks add points)."""
    for ay in range(3, SIZE - 16, 2):
        for ax in range(3, SIZE - 16, 2):
            pts = [(float(ax), float(ay)), (ax + 12.0, ay + 2.0), (ax + 5.0, ay + 12.0)]
            if not any(ax - margin < o["x1"] and o["x0"] < ax + 12 + margin
                       and ay - margin < o["y1"] and o["y0"] < ay + 12 + margin for o in objects):
                return pts
    raise AssertionError(f"no room for a triangle beside {objects}")


@pytest.mark.browser
@pytest.mark.slow
def test_outline_a_triangle_with_label_key_and_submit(page: Any, seg_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, seg_project)
    proposed = _proposal(seg_project, item_id)
    status = editor.get_by_test_id("alPgStatus")
    said = "; ".join(f"{o['label']} {o['confidence']:.2f}" for o in proposed)
    page.get_by_text(f"The model proposes 2 objects: {said}").wait_for(timeout=5_000)
    assert editor.get_by_test_id("alPgObject").count() == len(proposed) == 2
    tags = editor.locator("text.al-pg-tag").all_text_contents()
    assert tags == [f"{o['label']} {o['confidence']:.2f}" for o in proposed]
    editor.get_by_test_id("alPgStage").focus()
    page.keyboard.press("2")
    assert editor.locator(".al-pg-chip-on").get_attribute("data-class") == LABELS[1] == "triangle"
    points = _free_triangle(proposed)
    x0, y0 = _origin(editor)
    page.mouse.click(x0 + points[0][0] * scale, y0 + points[0][1] * scale)  # an outline begun, then taken back
    page.mouse.click(x0 + points[1][0] * scale, y0 + points[1][1] * scale)
    page.keyboard.press("Backspace")
    assert editor.get_by_test_id("alPgDraftPoint").count() == 1
    page.keyboard.press("Escape")
    assert editor.get_by_test_id("alPgDraftPoint").count() == 0 and "Cancelled" in status.inner_text()
    for n, (x, y) in enumerate(points, 1):
        page.mouse.click(x0 + x * scale, y0 + y * scale)
        assert editor.get_by_test_id("alPgDraftPoint").count() == n
    page.keyboard.press("Enter")
    assert "Added a triangle (3 points)" in status.inner_text()
    assert editor.get_by_test_id("alPgObject").count() == 3
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    answer = _submit(page, seg_project, item_id)
    assert answer["status"] == AnnotationStatus.CORRECTED.value
    objects = answer["value"]["objects"]
    assert [_shape(o) for o in objects[:2]] == [_shape(o) for o in proposed]  # the proposal, as it was
    assert all("confidence" not in o for o in objects)  # a person's answer carries no model confidence
    (new,) = objects[2:]
    assert new["label"] == "triangle"
    (poly,) = new["polygons"]
    got = list(zip(poly[0::2], poly[1::2]))
    assert len(got) == 3
    for (gx, gy), (x, y) in zip(got, points):
        assert abs(gx - x) <= 1.5 and abs(gy - y) <= 1.5, (got, points)
    assert (new["x0"], new["y0"]) == (min(poly[0::2]), min(poly[1::2]))  # the box is the polygon's


@pytest.mark.browser
@pytest.mark.slow
def test_drag_a_vertex_of_a_proposed_polygon(page: Any, seg_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, seg_project)
    proposed = _proposal(seg_project, item_id)
    poly = proposed[0]["polygons"][0]
    target = (min(SIZE - 1.0, poly[0] + 4.0), min(SIZE - 1.0, poly[1] + 3.0))
    vertex = editor.locator('[data-testid="alPgVertex"][data-obj="0"][data-poly="0"][data-vtx="0"]').bounding_box()
    assert vertex is not None
    x0, y0 = _origin(editor)
    page.mouse.move(vertex["x"] + vertex["width"] / 2, vertex["y"] + vertex["height"] / 2)
    page.mouse.down()
    page.mouse.move(x0 + target[0] * scale, y0 + target[1] * scale, steps=8)
    page.mouse.up()
    assert f"Moved a point of the {proposed[0]['label']}" in editor.get_by_test_id("alPgStatus").inner_text()
    answer = _submit(page, seg_project, item_id)
    assert answer["status"] == AnnotationStatus.CORRECTED.value
    moved, other = answer["value"]["objects"]
    stored = moved["polygons"][0]
    assert abs(stored[0] - target[0]) <= 1.5 and abs(stored[1] - target[1]) <= 1.5, (stored[:2], target)
    assert stored[2:] == poly[2:]  # the other points stay where they were
    assert moved["label"] == proposed[0]["label"]
    assert _shape(other) == _shape(proposed[1])


@pytest.mark.browser
@pytest.mark.slow
def test_delete_removes_the_selected_object(page: Any, seg_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, seg_project)
    proposed = _proposal(seg_project, item_id)
    poly = proposed[1]["polygons"][0]
    cx, cy = _center(poly)
    x0, y0 = _origin(editor)
    page.mouse.click(x0 + cx * scale, y0 + cy * scale)
    status = editor.get_by_test_id("alPgStatus")
    assert status.inner_text().startswith(f"Selected: {proposed[1]['label']} (model 0.60)")
    page.keyboard.press("Delete")
    assert f"Deleted the {proposed[1]['label']}" in status.inner_text()
    assert editor.get_by_test_id("alPgObject").count() == len(proposed) - 1
    answer = _submit(page, seg_project, item_id)
    assert answer["status"] == AnnotationStatus.CORRECTED.value
    assert [_shape(o) for o in answer["value"]["objects"]] == [_shape(proposed[0])]


@pytest.mark.browser
@pytest.mark.slow
def test_relabel_with_shift_digit_and_close_on_the_first_point(page: Any, seg_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, seg_project)
    proposed = _proposal(seg_project, item_id)
    status = editor.get_by_test_id("alPgStatus")
    poly = proposed[0]["polygons"][0]
    cx, cy = _center(poly)
    x0, y0 = _origin(editor)
    page.mouse.click(x0 + cx * scale, y0 + cy * scale)
    relabel = next(n for n, lab in enumerate(LABELS) if lab != proposed[0]["label"])
    page.keyboard.press(f"Shift+Digit{relabel + 1}")
    assert f"The selected object is now {LABELS[relabel]}" in status.inner_text()
    page.keyboard.press("1")  # the label of new objects: the selected one keeps its own
    assert "the selected object keeps its label" in status.inner_text()
    points = _free_triangle(proposed)
    for x, y in points + points[:1]:  # the last click, on the first point, closes the outline
        page.mouse.click(x0 + x * scale, y0 + y * scale)
    assert "Added a disc (3 points)" in status.inner_text()
    answer = _submit(page, seg_project, item_id)
    relabeled, other, new = answer["value"]["objects"]
    assert _shape(relabeled) == (LABELS[relabel], _shape(proposed[0])[1])
    assert _shape(other) == _shape(proposed[1])
    assert new["label"] == "disc" and len(new["polygons"][0]) == 6


def _center(poly: list[float]) -> tuple[float, float]:
    """A point inside a convex polygon (the sample's shapes are)."""
    return sum(poly[0::2]) / (len(poly) / 2), sum(poly[1::2]) / (len(poly) / 2)


def _outline_part(page: Any, editor: Any, scale: float, proposed: list[dict[str, Any]], n: int,
                  start: str) -> list[tuple[float, float]]:
    """Select proposed object ``n`` (a click inside its polygon), start a part (``start``: "key" for A, or
    "button"), outline a triangle clear of every object and close it with Enter; returns its image points."""
    obj = proposed[n]
    x0, y0 = _origin(editor)
    cx, cy = _center(obj["polygons"][0])
    page.mouse.click(x0 + cx * scale, y0 + cy * scale)
    status = editor.get_by_test_id("alPgStatus")
    assert status.inner_text().startswith(f"Selected: {obj['label']}")
    if start == "key":
        page.keyboard.press("a")
    else:
        editor.locator('[data-action="add-part"]').click()
    assert status.inner_text().startswith(f"Outlining part 2 of the {obj['label']}: 0 points")
    points = _free_triangle(proposed)
    for x, y in points:
        page.mouse.click(x0 + x * scale, y0 + y * scale)
    page.keyboard.press("Enter")
    assert f"Added part 2 to the {obj['label']} (3 points)" in status.inner_text()
    assert editor.get_by_test_id("alPgObject").count() == len(proposed)  # no new object
    assert editor.locator(f'g[data-obj="{n}"] [data-testid="alPgPart"]').count() == 2
    return points


def _near(poly: list[float], points: list[tuple[float, float]]) -> bool:
    got = list(zip(poly[0::2], poly[1::2]))
    return len(got) == len(points) and all(abs(gx - x) <= 1.5 and abs(gy - y) <= 1.5
                                           for (gx, gy), (x, y) in zip(got, points))


@pytest.mark.browser
@pytest.mark.slow
def test_a_adds_a_second_polygon_to_the_selected_object(page: Any, seg_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, seg_project)
    proposed = _proposal(seg_project, item_id)
    points = _outline_part(page, editor, scale, proposed, 0, "key")
    status = editor.get_by_test_id("alPgStatus")
    assert "in 2 parts, part 2 selected" in status.inner_text()
    page.wait_for_timeout(300)
    editor.screenshot(path=str(TWO_PARTS_SCREENSHOT))
    answer = _submit(page, seg_project, item_id)
    assert answer["status"] == AnnotationStatus.CORRECTED.value
    (two, other) = answer["value"]["objects"]
    assert two["label"] == proposed[0]["label"]
    first, second = two["polygons"]
    assert first == proposed[0]["polygons"][0]  # the object's own outline, as it was
    assert _near(second, points), (second, points)
    xs, ys = first[0::2] + second[0::2], first[1::2] + second[1::2]
    assert (two["x0"], two["y0"], two["x1"], two["y1"]) == (min(xs), min(ys), max(xs), max(ys))  # both parts' box
    assert _shape(other) == _shape(proposed[1])


@pytest.mark.browser
@pytest.mark.slow
def test_shift_delete_removes_the_clicked_part_only(page: Any, seg_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, seg_project)
    proposed = _proposal(seg_project, item_id)
    obj = proposed[1]
    points = _outline_part(page, editor, scale, proposed, 1, "button")
    status = editor.get_by_test_id("alPgStatus")
    x0, y0 = _origin(editor)
    cx, cy = _center(obj["polygons"][0])
    page.mouse.click(x0 + cx * scale, y0 + cy * scale)  # the object's first part, the model's outline
    assert "in 2 parts, part 1 selected" in status.inner_text()
    assert editor.locator(".al-pg-part-on").get_attribute("data-poly") == "0"
    page.keyboard.press("Shift+Delete")
    assert f"Removed part 1 of the {obj['label']} (1 part left)" in status.inner_text()
    assert editor.get_by_test_id("alPgObject").count() == len(proposed)  # the object stays
    page.keyboard.press("Shift+Delete")  # its last part: only Delete removes the object
    assert "has one part: Delete removes the whole object" in status.inner_text()
    answer = _submit(page, seg_project, item_id)
    assert answer["status"] == AnnotationStatus.CORRECTED.value
    (other, kept) = answer["value"]["objects"]
    assert _shape(other) == _shape(proposed[0])
    assert kept["label"] == obj["label"]
    (poly,) = kept["polygons"]
    assert _near(poly, points), (poly, points)
    assert (kept["x0"], kept["y0"], kept["x1"], kept["y1"]) == (min(poly[0::2]), min(poly[1::2]),
                                                                 max(poly[0::2]), max(poly[1::2]))


def test_help_text_says_how_to_add_and_remove_a_part() -> None:
    assert "press A (or Add part)" in editor_module.HELP and "Shift+Delete" in editor_module.HELP
    assert "Delete removes it" in editor_module.HELP  # the whole object, as before


def test_proposal_text_says_what_the_model_proposed() -> None:
    assert editor_module.proposal_text({"proposed": None}) == "No model proposal yet (cold start): outline the objects."
    assert editor_module.proposal_text({"proposed": {"objects": []}}) == "The model proposes no objects."
    one = {"label": "disc", "polygons": [[1, 1, 9, 1, 5, 8]], "confidence": 0.42}
    assert editor_module.proposal_text({"proposed": {"objects": [one]}}) == "The model proposes 1 object: disc 0.42"
    text = editor_module.proposal_text({"proposed": {"objects": [one, {**one, "label": "square", "confidence": None}]},
                                        "confidence": 0.3})
    assert text.endswith("The model proposes 2 objects: disc 0.42; square -") and "0.30" in text


def test_value_needs_the_components_report_and_drops_confidences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(editor_module, "reported_objects", lambda key, item_id: None)
    with pytest.raises(InvalidLabelError, match="has not shown this item yet"):
        editor_module.value(None, {"id": "seg0"}, "al_ed_seg0")  # type: ignore[arg-type]
    reported = [{"label": "disc", "polygons": [[1, 1, 9, 1, 5, 8]], "x0": 1, "y0": 1, "x1": 9, "y1": 8,
                 "confidence": None}]
    monkeypatch.setattr(editor_module, "reported_objects", lambda key, item_id: reported)
    value = editor_module.value(None, {"id": "seg0"}, "al_ed_seg0")  # type: ignore[arg-type]
    assert isinstance(value, Masks)
    assert value.to_json() == {"objects": [{"x0": 1.0, "y0": 1.0, "x1": 9.0, "y1": 8.0, "label": "disc",
                                            "polygons": [[1.0, 1.0, 9.0, 1.0, 5.0, 8.0]]}]}
    monkeypatch.setattr(editor_module, "reported_objects", lambda key, item_id: [{"label": "disc", "polygons": "1 2"}])
    with pytest.raises(InvalidLabelError, match="malformed"):
        editor_module.value(None, {"id": "seg0"}, "al_ed_seg0")  # type: ignore[arg-type]
