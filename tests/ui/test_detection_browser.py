"""The detection editor in real headless Chromium: the class chosen applies to new boxes only, edits are
stored exactly as drawn with no Complete step (Ctrl+Enter or the Submit button), a selected box changes
class only through its own buttons, and Accept stores the proposal shown."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from tests.ui.browser import CHROMIUM, chromium, fast_lane, shown_item, sign_in, streamlit_server, wait_saved
from tests.ui.conftest import USERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


class Stage:
    """The item's image, addressed in the image's own pixels (the editor enlarges small images)."""

    def __init__(self, page: Any, item: str, width: int) -> None:
        self.page = page
        stage = page.locator(f'.al-fl-det[data-item="{item}"] [data-testid="alBoxStage"]')
        stage.wait_for(timeout=30_000)
        self.box = stage.bounding_box()
        self.scale = self.box["width"] / width

    def at(self, x: float, y: float) -> tuple[float, float]:
        return (self.box["x"] + x * self.scale, self.box["y"] + y * self.scale)

    def click(self, x: float, y: float) -> None:
        self.page.mouse.click(*self.at(x, y))

    def drag(self, x0: float, y0: float, x1: float, y1: float) -> None:
        mouse = self.page.mouse
        mouse.move(*self.at(x0, y0))
        mouse.down()
        mouse.move(*self.at((x0 + x1) / 2, (y0 + y1) / 2), steps=4)
        mouse.move(*self.at(x1, y1), steps=4)
        mouse.up()


def _boxes(project: Project) -> dict[str, Any]:
    rows = [a for a in project.store.all_annotations() if a["status"] != "auto" and a["revoked_at"] is None]
    return {a["item_id"]: (a["status"], a["value"]["boxes"]) for a in rows}


def _close(got: list[dict[str, Any]], want: list[tuple[float, float, float, float, str]]) -> bool:
    if len(got) != len(want):
        return False
    return all(g["label"] == w[4] and all(abs(g[k] - v) <= 1.0 for k, v in zip(("x0", "y0", "x1", "y1"), w))
               for g, w in zip(sorted(got, key=lambda b: (b["x0"], b["y0"])), sorted(want)))


def test_class_switching_and_edits_store_exactly_the_drawn_boxes(detection_project: Project, tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECT", detection_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        wait_saved(page, buffered=2)  # the page has settled before the first key
        first = shown_item(page)
        text = fast_lane(page).inner_text()
        assert "The model proposes 1 box: square 0.50" in text and "square 0.50" in text  # the box's own tag
        assert "Complete" not in text and "Mode" not in text  # no step to forget, no mode the widget lacks
        stage = Stage(page, first, 96)
        page.keyboard.press("2")  # circle for new boxes
        stage.drag(60, 20, 80, 50)  # a circle; it is selected now
        page.keyboard.press("1")  # square for the next box: the selected circle stays a circle
        stage.click(90, 5)  # select none
        stage.drag(50, 52, 90, 60)  # a square
        stage.click(15, 15)  # the proposed square: change its class with its own button, then back with Shift+1
        page.locator('[data-relabel="circle"]').click()
        page.keyboard.press("Shift+Digit1")
        page.screenshot(path=str(tmp_path / "detection-drawn.png"))
        page.keyboard.press("Control+Enter")
        page.locator(f'.al-fl-det:not([data-item="{first}"])').wait_for(timeout=10_000)
        second = shown_item(page)

        stage = Stage(page, second, 96)
        page.keyboard.press("2")
        stage.drag(55, 5, 85, 30)
        stage.click(15, 15)  # the proposed square: delete it
        page.keyboard.press("Delete")
        page.get_by_role("button", name="Submit (Ctrl+Enter)").click()
        page.get_by_text("Nothing left in your queue").wait_for(timeout=30_000)  # det1 was the last item
        wait_saved(page)

    got = _boxes(detection_project)
    assert got[first][0] == "corrected"
    assert _close(got[first][1], [(10, 10, 41, 41, "square"), (60, 20, 80, 50, "circle"), (50, 52, 90, 60, "square")])
    assert got[second][0] == "corrected"
    assert _close(got[second][1], [(55, 5, 85, 30, "circle")])


def test_accept_stores_the_proposal_and_undo_brings_the_item_back(detection_project: Project, tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECT", detection_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        wait_saved(page, buffered=2)  # the page has settled: a key during the sign-in's rerun has no page to reach
        first = shown_item(page)
        page.keyboard.press("Alt+KeyA")
        wait_saved(page)
        assert _boxes(detection_project)[first][0] == "accepted"
        page.keyboard.press("Alt+KeyU")
        page.get_by_text("Undone: the item is back.").wait_for(timeout=10_000)
        assert shown_item(page) == first
        wait_saved(page)
        assert first not in _boxes(detection_project)
