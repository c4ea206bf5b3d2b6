"""The detection editor in real headless Chromium: the class chosen applies to new boxes only, and boxes
drawn without the widget's Complete button are stored exactly as drawn (Ctrl+Enter or the Submit button)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from activelabel.project import Project
from tests.ui.browser import CHROMIUM, chromium, settle, shown_item, sign_in, streamlit_server, wait_next_item
from tests.ui.conftest import USERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DISPLAY_FACTOR = 5  # the 96x64 test images are shown enlarged 5x (detection.DISPLAY_PX // 96)


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


class Canvas:
    """The widget's drawing area, addressed in the image's own pixels."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self._attach()

    def _attach(self) -> None:
        """The current item's widget: after a submit Streamlit keeps the previous item's frame on screen for
        a moment, and a frame taken then is detached under the test; wait until only one is left."""
        frames = self.page.locator('iframe[src*="al-detection"]')
        deadline = time.time() + 60
        while frames.count() != 1 and time.time() < deadline:
            self.page.wait_for_timeout(50)
        handle = frames.first.element_handle(timeout=60_000)
        self.frame = handle.content_frame()
        stage = self.frame.locator(".konvajs-content").first
        stage.wait_for(timeout=60_000)
        self.box = stage.bounding_box()
        self.scale = self.box["width"] / (96 * DISPLAY_FACTOR)

    def at(self, x: float, y: float) -> tuple[float, float]:
        return (self.box["x"] + x * DISPLAY_FACTOR * self.scale, self.box["y"] + y * DISPLAY_FACTOR * self.scale)

    def click(self, x: float, y: float) -> None:
        self.page.mouse.click(*self.at(x, y))

    def drag(self, x0: float, y0: float, x1: float, y1: float) -> None:
        mouse = self.page.mouse
        mouse.move(*self.at(x0, y0))
        mouse.down()
        mouse.move(*self.at((x0 + x1) / 2, (y0 + y1) / 2), steps=4)
        mouse.move(*self.at(x1, y1), steps=4)
        mouse.up()
        self.page.wait_for_timeout(150)

    def choose_class(self, label: str) -> None:
        for attempt in range(3):  # a rerun can replace the frame between finding and using it
            try:
                self.frame.locator("select").nth(1).select_option(label)
                break
            except PlaywrightError as exc:
                if "detached" not in str(exc) or attempt == 2:
                    raise
                self._attach()
        self.page.wait_for_timeout(150)


def _boxes(project: Project) -> dict[str, Any]:
    rows = [a for a in project.store.all_annotations() if a["status"] != "auto"]
    return {a["item_id"]: (a["status"], a["value"]["boxes"]) for a in rows}


def _close(got: list[dict[str, Any]], want: list[tuple[float, float, float, float, str]]) -> bool:
    if len(got) != len(want):
        return False
    return all(g["label"] == w[4] and all(abs(g[k] - v) <= 1.0 for k, v in zip(("x0", "y0", "x1", "y1"), w))
               for g, w in zip(sorted(got, key=lambda b: (b["x0"], b["y0"])), sorted(want)))


def test_class_switching_and_uncompleted_edits_store_the_drawn_boxes(detection_project: Project,
                                                                     tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECT", detection_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        first = shown_item(page)
        assert page.get_by_text("The model proposes 1 box: square 0.50").count() == 1
        assert "Mode Draw" not in page.inner_text("body")  # the caption names the widget's own modes
        canvas = Canvas(page)
        canvas.choose_class("circle")
        canvas.drag(60, 20, 80, 50)  # a circle; it is selected now
        canvas.choose_class("square")  # the class for the next box: the circle stays a circle
        canvas.click(90, 5)  # deselect
        canvas.drag(50, 52, 90, 60)  # a square
        settle(page)
        page.screenshot(path=str(tmp_path / "detection-drawn.png"))
        page.keyboard.press("Control+Enter")  # no Complete pressed
        second = wait_next_item(page, first)

        canvas = Canvas(page)
        canvas.choose_class("circle")
        canvas.drag(55, 5, 85, 30)
        settle(page)
        page.get_by_role("button", name="Submit (Ctrl+Enter)").click()
        page.get_by_text("Nothing left in your queue").wait_for(timeout=60_000)  # det1 was the last item

    got = _boxes(detection_project)
    assert got[first][0] == "corrected"
    assert _close(got[first][1], [(10, 10, 41, 41, "square"), (60, 20, 80, 50, "circle"), (50, 52, 90, 60, "square")])
    assert got[second][0] == "corrected"
    assert _close(got[second][1], [(10, 10, 41, 41, "square"), (55, 5, 85, 30, "circle")])
