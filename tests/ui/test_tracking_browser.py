"""The tracking editor in real headless Chromium: go to the frame the model flagged (N) and drag the
drifted box back onto its object; swap two identities on a frame; delete a box from a frame and
draw one; relabel a whole track (Shift+digit); a fix between two checked frames fades linearly into
the next one's, in the preview as in what is stored; Z undoes edits one by one.
Ctrl+Enter stores the corrections carried along the tracks (``tracking.propagation``), in the
video's pixels. The editor's texts, and its refusal to submit before the component has reported the
item, are checked without a browser.

One server and one signed-in page serve the browser tests: each works on the item on screen (the
least confident one not answered yet) and checks the answer stored for it, so the project has one
clip per browser test.
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
from activelabel.samples.tracking import LABELS, make_sample, truth
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item, Tracks
from activelabel.ui.editors import tracking as editor_module
from tests.ui.browser import CHROMIUM, chromium, settle, shown_item, sign_in, streamlit_server
from tests.ui.conftest import USERS, add_users, seed_round

SIZE = 96  # shown 5 times as large (480 px)
N_FRAMES = 24
SHIFT_FROM = 10  # the proposal's track 1 of the first clip drifts by SHIFT px from this frame on
SHIFT = 6.0
SCREENSHOT = Path("/tmp/track_editor.png")
CONFIDENCES = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9]  # the order the items are shown in
TRUTH: dict[str, dict[str, Any]] = {}  # item id -> the clip's true tracks (stored values)


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def _drifted(value: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The truth with track 1 moved by SHIFT px along x from SHIFT_FROM on (away from the nearer edge),
    and the shift made."""
    track = value["tracks"][0]
    late = [b for b in track["boxes"] if b["frame"] >= SHIFT_FROM]
    dx = SHIFT if max(b["x1"] for b in late) + SHIFT <= SIZE else -SHIFT
    assert min(b["x0"] for b in late) + dx >= 0, "no room to shift track 1: change the seed"
    for b in late:
        b["x0"], b["x1"] = round(b["x0"] + dx, 2), round(b["x1"] + dx, 2)
    return value, dx


@pytest.fixture(scope="module")
def track_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """Six clips of 24 frames with the sample's truth as the model's proposal; on the first, track 1
    drifts by 6 px from frame 10 on and the model flags frame 10."""
    root = tmp_path_factory.mktemp("track-ui")
    cfg = parse_config({"name": "ui-tracking", "task": "tracking", "labels": LABELS,
                        "loop": {"human_budget_per_round": 40, "retrain_every": 0}})
    project = Project.init(root / "trk", cfg)
    add_users(project)
    sample = make_sample(root / "sample", n=len(CONFIDENCES), seed=4, n_frames=N_FRAMES)
    known = truth(sample)
    (project.dir / "media").mkdir(exist_ok=True)
    items, preds = [], []
    for n, name in enumerate(sorted(known)):
        rel = f"media/{name}"
        shutil.copy(sample / name, project.dir / rel)
        item_id = f"trk{n}"
        items.append(Item(item_id, "video", rel, {"file": name, "width": SIZE, "height": SIZE, "n_frames": N_FRAMES,
                                                   "fps": 12.0}))
        TRUTH[item_id] = truth(sample)[name]
        value = known[name]
        assert len(value["tracks"]) >= 2, "the tests need two tracks in every clip: change the seed"
        if n == 0:
            value, _dx = _drifted(value)
            value["uncertain_frames"] = [{"frame": SHIFT_FROM, "reason": "track 1 jumps"}]
        for k, t in enumerate(value["tracks"]):
            for b in t["boxes"]:
                b["confidence"] = [0.8, 0.6, 0.7][k % 3]
        preds.append(dict(item_id=item_id, confidence=CONFIDENCES[n], parts=[0.8, 0.6], value=value))
    project.store.add_items([NewItem(it) for it in items])
    seed_round(project, preds)
    yield project
    project.close()


@pytest.fixture(scope="module")
def page(track_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Alice signed in on the label page."""
    _need_chromium()
    log = tmp_path_factory.mktemp("track-ui-log") / "server.log"
    with streamlit_server("ACTIVELABEL_PROJECT", track_project.dir, log) as url, chromium() as browser:
        pg = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
        sign_in(pg, url, "alice", USERS["alice"][1])
        yield pg


def _answers(project: Project) -> dict[str, dict[str, Any]]:
    return {a["item_id"]: a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value}


def _on_screen(page: Any, project: Project) -> tuple[str, Any, float]:
    """The next item to answer, its editor once drawn, and the scale its frames are shown at."""
    done = _answers(project)
    item_id = next(f"trk{n}" for n in range(len(CONFIDENCES)) if f"trk{n}" not in done)
    editor = page.locator(f".st-key-al_ed_{item_id}")
    editor.get_by_test_id("alTkStage").wait_for(timeout=60_000)
    settle(page)
    assert shown_item(page) == item_id
    img = editor.locator("img.al-tk-img").bounding_box()
    assert img is not None
    return item_id, editor, img["width"] / SIZE


def _frame(editor: Any) -> int:
    return int(editor.get_by_test_id("alTkEditor").get_attribute("data-frame"))


def _go(page: Any, editor: Any, frame: int) -> None:
    """Step to ``frame`` with the arrow keys (the stage has focus)."""
    editor.get_by_test_id("alTkStage").focus()
    while _frame(editor) != frame:
        page.keyboard.press("ArrowRight" if _frame(editor) < frame else "ArrowLeft")
    assert f"Frame {frame}" in editor.get_by_test_id("alTkFrame").inner_text()


def _box(editor: Any, track_id: int) -> dict[str, float]:
    """The box of a track on the frame shown, in video pixels, as the editor draws it."""
    g = editor.locator(f'[data-testid="alTkBox"][data-id="{track_id}"]')
    assert g.count() == 1, f"track {track_id} is not on frame {_frame(editor)}"
    return {k: float(g.get_attribute(f"data-{k}")) for k in ("x0", "y0", "x1", "y1")}


def _centre(editor: Any, scale: float, b: dict[str, float]) -> tuple[float, float]:
    origin = editor.get_by_test_id("alTkStage").locator("svg").bounding_box()
    assert origin is not None
    return origin["x"] + (b["x0"] + b["x1"]) / 2 * scale, origin["y"] + (b["y0"] + b["y1"]) / 2 * scale


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


def _boxes(value: dict[str, Any], track_id: int) -> dict[int, dict[str, Any]]:
    (track,) = [t for t in value["tracks"] if t["id"] == track_id]
    return {b["frame"]: b for b in track["boxes"]}


def _near(a: dict[str, Any], b: dict[str, Any], tol: float) -> bool:
    return all(abs(float(a[k]) - float(b[k])) <= tol for k in ("x0", "y0", "x1", "y1"))


def _clickable(value: dict[str, Any], track_id: int, frame: int) -> bool:
    """No box drawn over the track's box (a later id) covers its centre on the frame: a click there selects it."""
    mine = _boxes(value, track_id)[frame]
    x, y = (mine["x0"] + mine["x1"]) / 2, (mine["y0"] + mine["y1"]) / 2
    above = [b for t in value["tracks"] if t["id"] > track_id for b in t["boxes"] if b["frame"] == frame]
    return not any(b["x0"] - 1 <= x <= b["x1"] + 1 and b["y0"] - 1 <= y <= b["y1"] + 1 for b in above)


def _free_spot(value: dict[str, Any], frame: int, side: float = 14.0, margin: float = 4.0) -> dict[str, float]:
    """A box clear of every box on the frame (a drag there draws a new one)."""
    boxes = [b for t in value["tracks"] for b in t["boxes"] if b["frame"] == frame]
    for y in range(4, int(SIZE - side - 4), 2):
        for x in range(4, int(SIZE - side - 4), 2):
            if not any(x - margin < b["x1"] and b["x0"] < x + side + margin and y - margin < b["y1"]
                       and b["y0"] < y + side + margin for b in boxes):
                return {"x0": float(x), "y0": float(y), "x1": x + side, "y1": y + side}
    raise AssertionError(f"no room for a box on frame {frame}")


@pytest.mark.browser
@pytest.mark.slow
def test_drag_the_drifted_box_back_on_the_flagged_frame(page: Any, track_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, track_project)
    known = TRUTH[item_id]
    t1 = known["tracks"][0]
    page.get_by_text(f"The model proposes {len(known['tracks'])} tracks: {t1['label']} #1 (24 frames)").wait_for(
        timeout=5_000)
    assert "1 frame flagged" in page.get_by_text("The model proposes").inner_text()
    flags = editor.get_by_test_id("alTkFlag")
    assert flags.count() == 1 and flags.first.inner_text() == f"{SHIFT_FROM} · track 1 jumps"
    assert _frame(editor) == 0
    tags = editor.locator("text.al-tk-tag").all_text_contents()
    assert f"{t1['label']} #1 0.80" in tags
    editor.get_by_test_id("alTkStage").focus()
    page.keyboard.press("n")
    assert _frame(editor) == SHIFT_FROM
    assert "flagged: track 1 jumps" in editor.get_by_test_id("alTkFrame").inner_text()
    shown = _box(editor, 1)
    want = _boxes(known, 1)[SHIFT_FROM]
    dx = want["x0"] - shown["x0"]
    assert abs(abs(dx) - SHIFT) < 0.2, (shown, want)
    x, y = _centre(editor, scale, shown)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx * scale, y, steps=8)
    page.mouse.up()
    assert f"Moved {t1['label']} #1 on frame {SHIFT_FROM}" in editor.get_by_test_id("alTkStatus").inner_text()
    assert _near(_box(editor, 1), want, 0.5)
    assert "Frames checked: 1 of 24 (10)" in editor.get_by_test_id("alTkChecked").inner_text()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.keyboard.press("Shift+ArrowRight")  # a later frame shows the fix carried along the track
    assert _frame(editor) == SHIFT_FROM + 10
    assert _near(_box(editor, 1), _boxes(known, 1)[SHIFT_FROM + 10], 0.5)
    answer = _submit(page, track_project, item_id)
    assert answer["status"] == AnnotationStatus.CORRECTED.value
    value = answer["value"]
    assert value["keyframes"] == [SHIFT_FROM]
    stored, true1 = _boxes(value, 1), _boxes(known, 1)
    assert sorted(stored) == sorted(true1)
    for f in range(SHIFT_FROM, N_FRAMES):
        assert _near(stored[f], true1[f], 1.5), (f, stored[f], true1[f])
    for f in range(SHIFT_FROM):  # before the keyframe the proposal stays, and it was right there
        assert _near(stored[f], true1[f], 0.01)
    for t in known["tracks"][1:]:
        assert _boxes(value, t["id"]).keys() == {b["frame"] for b in t["boxes"]}
    assert all("confidence" not in b for t in value["tracks"] for b in t["boxes"])


@pytest.mark.browser
@pytest.mark.slow
def test_swap_two_identities_on_a_frame(page: Any, track_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, track_project)
    known = TRUTH[item_id]
    status = editor.get_by_test_id("alTkStatus")
    assert editor.get_by_test_id("alTkFlags").inner_text().endswith("no frame flagged")
    swap_at = next(f for f in range(8, N_FRAMES) if _clickable(known, 1, f))
    editor.get_by_test_id("alTkStage").focus()
    page.keyboard.press("k")  # frame 0 checked as it is: the ids before the swap stay as they are
    assert "Frame 0 checked as it is" in status.inner_text()
    _go(page, editor, swap_at)
    first, second = _box(editor, 1), _box(editor, 2)
    page.mouse.click(*_centre(editor, scale, first))
    assert status.inner_text().startswith(f"Selected: {known['tracks'][0]['label']} #1")
    page.keyboard.press("i")
    assert "New id for" in status.inner_text()
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    assert f"Swapped the ids #1 and #2 on frame {swap_at}" in status.inner_text()
    assert _near(_box(editor, 2), first, 0.01) and _near(_box(editor, 1), second, 0.01)
    editor.get_by_test_id("alTkIdSelect").select_option("1")  # the id list swaps them back ...
    assert f"Swapped the ids #2 and #1 on frame {swap_at}" in status.inner_text()
    assert _near(_box(editor, 1), first, 0.01)
    for key in ("i", "2", "Enter"):  # ... and the keys once more
        page.keyboard.press(key)
    assert _near(_box(editor, 2), first, 0.01) and _near(_box(editor, 1), second, 0.01)
    answer = _submit(page, track_project, item_id)
    value = answer["value"]
    assert value["keyframes"] == [0, swap_at]
    one, two = _boxes(value, 1), _boxes(value, 2)
    true1, true2 = _boxes(known, 1), _boxes(known, 2)
    for f in range(N_FRAMES):
        a, b = (true1[f], true2[f]) if f < swap_at else (true2[f], true1[f])
        assert _near(one[f], a, 0.01) and _near(two[f], b, 0.01), f


@pytest.mark.browser
@pytest.mark.slow
def test_delete_a_box_and_draw_one_on_a_frame(page: Any, track_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, track_project)
    known = TRUTH[item_id]
    at = next(f for f in range(4, N_FRAMES) if _clickable(known, 2, f))
    _go(page, editor, at)
    n = editor.get_by_test_id("alTkBox").count()
    page.mouse.click(*_centre(editor, scale, _box(editor, 2)))
    label = known["tracks"][1]["label"]
    assert editor.get_by_test_id("alTkStatus").inner_text().startswith(f"Selected: {label} #2 (model 0.60)")
    page.keyboard.press("Delete")
    assert f"Deleted {label} #2 from frame {at}" in editor.get_by_test_id("alTkStatus").inner_text()
    assert editor.get_by_test_id("alTkBox").count() == n - 1
    page.keyboard.press("ArrowRight")  # deleted on the keyframe: gone from the frames carried from it
    assert editor.locator('[data-testid="alTkBox"][data-id="2"]').count() == 0
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("3")  # a new box: a triangle, with the next id
    assert editor.locator(".al-tk-chip-on[data-class]").get_attribute("data-class") == LABELS[2] == "triangle"
    spot = _free_spot(known, at)
    origin = editor.get_by_test_id("alTkStage").locator("svg").bounding_box()
    assert origin is not None
    page.mouse.move(origin["x"] + spot["x0"] * scale, origin["y"] + spot["y0"] * scale)
    page.mouse.down()
    page.mouse.move(origin["x"] + spot["x1"] * scale, origin["y"] + spot["y1"] * scale, steps=6)
    page.mouse.up()
    new_id = max(t["id"] for t in known["tracks"]) + 1
    assert f"Drew triangle #{new_id} on frame {at}" in editor.get_by_test_id("alTkStatus").inner_text()
    assert "Frames checked: 1 of 24" in editor.get_by_test_id("alTkChecked").inner_text()
    answer = _submit(page, track_project, item_id)
    value = answer["value"]
    assert value["keyframes"] == [at]
    two = _boxes(value, 2)
    assert at not in two
    assert sorted(two) == list(range(at))  # the proposal's boxes before the keyframe stay
    assert _boxes(value, 1).keys() == _boxes(known, 1).keys()
    drawn = _boxes(value, new_id)  # an added box stays where it was put until the next keyframe
    assert [t["label"] for t in value["tracks"] if t["id"] == new_id] == ["triangle"]
    assert sorted(drawn) == list(range(at, N_FRAMES))
    assert all(_near(b, spot, 0.5) for b in drawn.values()), (drawn[at], spot)


@pytest.mark.browser
@pytest.mark.slow
def test_shift_digit_relabels_the_whole_track(page: Any, track_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, track_project)
    known = TRUTH[item_id]
    was = known["tracks"][0]["label"]
    new = next(lab for lab in LABELS if lab != was)
    at = next(f for f in range(6, N_FRAMES) if _clickable(known, 1, f))
    status = editor.get_by_test_id("alTkStatus")
    _go(page, editor, at)
    page.keyboard.press(f"Shift+{LABELS.index(new) + 1}")  # nothing selected: it says what to do
    assert "Select a box first" in status.inner_text()
    page.mouse.click(*_centre(editor, scale, _box(editor, 1)))
    assert status.inner_text().startswith(f"Selected: {was} #1")
    chosen = editor.locator(".al-tk-chip-on[data-class]").get_attribute("data-class")
    page.keyboard.press(f"Shift+{LABELS.index(new) + 1}")
    assert f"Track #1 is now {new} (was {was}), on all its frames." in status.inner_text()
    assert editor.locator(".al-tk-chip-on[data-class]").get_attribute("data-class") == chosen  # new boxes' label kept
    assert editor.locator('[data-testid="alTkBox"][data-id="1"]').get_attribute("data-label") == new
    page.keyboard.press("Home")  # a frame before the keyframe shows the track's new label too
    assert editor.locator('[data-testid="alTkBox"][data-id="1"]').get_attribute("data-label") == new
    answer = _submit(page, track_project, item_id)
    value = answer["value"]
    assert answer["status"] == AnnotationStatus.CORRECTED.value and value["keyframes"] == [at]
    (track,) = [t for t in value["tracks"] if t["id"] == 1]
    assert track["label"] == new
    stored, true1 = _boxes(value, 1), _boxes(known, 1)
    assert sorted(stored) == sorted(true1) and all(_near(stored[f], true1[f], 0.01) for f in true1)
    for t in known["tracks"][1:]:  # the other tracks keep their labels
        assert [s["label"] for s in value["tracks"] if s["id"] == t["id"]] == [t["label"]]


@pytest.mark.browser
@pytest.mark.slow
def test_a_fix_fades_linearly_into_the_next_checked_frame(page: Any, track_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, track_project)
    known = TRUTH[item_id]
    at = next(f for f in range(2, N_FRAMES - 8) if _clickable(known, 1, f))
    _go(page, editor, at)  # (the boxes' data-x0 ... are shown to 0.1 px)
    before = _box(editor, 1)
    x, y = _centre(editor, scale, before)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 4 * scale, y, steps=6)  # 4 px right on this frame
    page.mouse.up()
    moved = _box(editor, 1)["x0"] - before["x0"]
    assert abs(moved - 4) < 0.5, moved
    _go(page, editor, at + 6)  # 6 frames on, the fix is carried: drag the box back where the proposal had it
    true1 = _boxes(known, 1)
    carried = _box(editor, 1)
    assert carried["x0"] == pytest.approx(true1[at + 6]["x0"] + moved, abs=0.11)
    x, y = _centre(editor, scale, carried)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - moved * scale, y, steps=6)
    page.mouse.up()
    back = _box(editor, 1)["x0"] - true1[at + 6]["x0"]
    assert abs(back) < 0.5, back
    _go(page, editor, at + 3)  # half way: the fix half gone
    shown = _box(editor, 1)
    assert shown["x0"] == pytest.approx(true1[at + 3]["x0"] + (moved + back) / 2, abs=0.11)
    answer = _submit(page, track_project, item_id)
    value = answer["value"]
    assert value["keyframes"] == [at, at + 6]
    stored = _boxes(value, 1)
    # the preview is what is stored (shown to 0.1 px, and JavaScript's rounding to 0.01 px may differ from Python's)
    assert _near(stored[at + 3], shown, 0.07), (stored[at + 3], shown)
    for f in range(at + 1, at + 6):
        w = (f - at) / 6
        assert stored[f]["x0"] == pytest.approx(true1[f]["x0"] + moved * (1 - w) + back * w, abs=0.11), f
    assert all(abs(stored[f]["x0"] - true1[f]["x0"] - back) < 0.11 for f in range(at + 6, N_FRAMES))


@pytest.mark.browser
@pytest.mark.slow
def test_z_undoes_the_edits_one_by_one(page: Any, track_project: Project) -> None:
    item_id, editor, scale = _on_screen(page, track_project)
    known = TRUTH[item_id]
    at = next(f for f in range(2, N_FRAMES) if _clickable(known, 1, f) and _clickable(known, 2, f))
    status, checked = editor.get_by_test_id("alTkStatus"), editor.get_by_test_id("alTkChecked")
    _go(page, editor, at)
    page.keyboard.press("z")
    assert "Nothing to undo in this clip." in status.inner_text()
    n, first = editor.get_by_test_id("alTkBox").count(), _box(editor, 1)
    page.mouse.click(*_centre(editor, scale, _box(editor, 2)))
    page.keyboard.press("Delete")
    x, y = _centre(editor, scale, first)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 5 * scale, y, steps=6)
    page.mouse.up()
    assert editor.get_by_test_id("alTkBox").count() == n - 1 and not _near(_box(editor, 1), first, 1.0)
    _go(page, editor, 0)  # an undo goes back to the frame of the change
    page.keyboard.press("z")
    assert _frame(editor) == at and f"Undid: Moved {known['tracks'][0]['label']} #1 on frame {at}." in status.inner_text()
    assert _near(_box(editor, 1), first, 0.01) and editor.get_by_test_id("alTkBox").count() == n - 1
    editor.locator('[data-action="undo"]').click()  # the button does the same
    assert "Undid: Deleted" in status.inner_text() and editor.get_by_test_id("alTkBox").count() == n
    assert checked.inner_text().startswith("Frames checked: 0 of 24")  # the frame is as proposed again
    editor.get_by_test_id("alTkStage").focus()
    page.keyboard.press("z")
    assert "Nothing to undo in this clip." in status.inner_text()
    page.keyboard.press("k")
    answer = _submit(page, track_project, item_id)
    value = answer["value"]
    assert value["keyframes"] == [at]
    for t in known["tracks"]:  # the clip as proposed (the truth here): every edit undone
        stored, true = _boxes(value, t["id"]), _boxes(known, t["id"])
        assert sorted(stored) == sorted(true) and all(_near(stored[f], true[f], 0.01) for f in true), t["id"]


# ---- without a browser -----------------------------------------------------------------------


def _item(proposed: dict[str, Any] | None, **more: Any) -> dict[str, Any]:
    return {"id": "trk0", "proposed": proposed, "meta": {"width": SIZE, "height": SIZE, "n_frames": 4}, **more}


PROPOSED = {"tracks": [{"id": 1, "label": "disc", "boxes": [
    {"frame": f, "x0": 10.0 + f, "y0": 10.0, "x1": 20.0 + f, "y1": 20.0, "confidence": 0.9} for f in range(4)]},
    {"id": 2, "label": "square", "boxes": [{"frame": 3, "x0": 50.0, "y0": 50.0, "x1": 60.0, "y1": 60.0}]}]}


def test_proposal_text_says_what_the_model_proposed() -> None:
    assert editor_module.proposal_text(_item(None)) == ("No model proposal yet (cold start): draw the boxes on a "
                                                        "frame, then check the next frames.")
    assert editor_module.proposal_text(_item({"tracks": []})) == "The model proposes no tracks; no frame flagged"
    flagged = {**PROPOSED, "uncertain_frames": [{"frame": 3, "reason": "new track"}, {"frame": 1, "reason": "swap?"}]}
    text = editor_module.proposal_text(_item(flagged, confidence=0.3))
    assert text.endswith("The model proposes 2 tracks: disc #1 (4 frames), square #2 (1 frame); 2 frames flagged")
    assert "0.30" in text
    assert editor_module.flagged_frames(_item(flagged)) == [{"frame": 1, "reason": "swap?"},
                                                            {"frame": 3, "reason": "new track"}]
    with pytest.raises(InvalidLabelError, match="malformed tracking value"):
        editor_module.flagged_frames(_item({**PROPOSED, "uncertain_frames": [{"frame": "two"}]}))


def test_value_needs_the_components_report_and_carries_the_corrections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(editor_module, "reported_corrections", lambda key, item_id: None)
    with pytest.raises(InvalidLabelError, match="has not shown this item yet"):
        editor_module.value(None, _item(PROPOSED), "al_ed_trk0")  # type: ignore[arg-type]
    moved = {"1": [{"id": 1, "label": "disc", "x0": 12.0, "y0": 12.0, "x1": 22.0, "y1": 22.0}]}  # +1, +2 on frame 1
    monkeypatch.setattr(editor_module, "reported_corrections", lambda key, item_id: moved)
    value = editor_module.value(None, _item(PROPOSED), "al_ed_trk0")  # type: ignore[arg-type]
    assert isinstance(value, Tracks)
    assert value.keyframes == (1,)
    (disc,) = [t for t in value.tracks if t.id == 1]
    assert [(b.frame, b.x0, b.y0) for b in disc.boxes] == [(0, 10.0, 10.0), (1, 12.0, 12.0), (2, 13.0, 12.0),
                                                          (3, 14.0, 12.0)]
    assert all(b.confidence is None for t in value.tracks for b in t.boxes)  # a person's answer carries none
    assert [t.id for t in value.tracks] == [1, 2]  # a track that starts after the keyframe: as proposed
    near = {"tracks": [{"id": 1, "label": "disc", "boxes": [
        {"frame": f, "x0": 80.0 + 2 * f, "y0": 10.0, "x1": 90.0 + 2 * f, "y1": 20.0} for f in range(4)]}]}
    edge = {"0": [{"id": 1, "label": "disc", "x0": 84.0, "y0": 10.0, "x1": 94.0, "y1": 20.0}]}  # carried past the edge
    monkeypatch.setattr(editor_module, "reported_corrections", lambda key, item_id: edge)
    value = editor_module.value(None, _item(near), "al_ed_trk0")  # type: ignore[arg-type]
    (disc,) = value.tracks  # type: ignore[union-attr]
    assert [(b.frame, b.x0, b.x1) for b in disc.boxes] == [(0, 84.0, 94.0), (1, 86.0, 96.0), (2, 88.0, 96.0),
                                                          (3, 90.0, 96.0)]
    cold = editor_module.value(None, _item(None), "al_ed_trk0")  # type: ignore[arg-type]
    assert cold.to_json()["tracks"] == [{"id": 1, "label": "disc", "boxes": [  # type: ignore[union-attr]
        {"frame": f, "x0": 84.0, "y0": 10.0, "x1": 94.0, "y1": 20.0} for f in range(4)]}]
    bads: list[Any] = [{"1": [{"id": 1.5, "label": "disc", "x0": 1, "y0": 1, "x1": 5, "y1": 5}]},
                       {"1": [{"id": 1, "label": "disc", "x0": 1, "y0": 1, "x1": 5, "y1": 5}] * 2},
                       {"x": []}, [1, 2]]
    for bad in bads:
        monkeypatch.setattr(editor_module, "reported_corrections", lambda key, item_id, bad=bad: bad)
        with pytest.raises(InvalidLabelError, match="malformed|reported list"):
            editor_module.value(None, _item(PROPOSED), "al_ed_trk0")  # type: ignore[arg-type]


def test_a_clip_too_long_is_refused_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(editor_module, "reported_corrections", lambda key, item_id: {})
    long = {"id": "trk0", "proposed": PROPOSED, "meta": {"width": SIZE, "height": SIZE,
                                                        "n_frames": editor_module.MAX_FRAMES + 1}}
    with pytest.raises(InvalidLabelError, match="more than the 900"):
        editor_module.value(None, long, "al_ed_trk0")  # type: ignore[arg-type]
