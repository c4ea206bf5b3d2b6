"""The multilabel editor in a real headless Chromium: number keys toggle labels, Ctrl+Enter submits the set."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from tests.ui.browser import CHROMIUM, chromium, settle, shown_item, sign_in, streamlit_server
from tests.ui.conftest import USERS
from tests.ui.test_multilabel_editor import multilabel_project  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def _wait_all_hotkeys(page: Any, n: int, timeout: float = 90.0) -> None:
    """Wait until ``n`` hotkeys frames (the page's and the editor's) have loaded."""
    frames = page.locator('iframe[src*="streamlit_hotkeys"]')
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            states = [frames.nth(i).element_handle(timeout=2000).content_frame().evaluate("document.readyState")
                      for i in range(frames.count())]
        except Exception:  # a frame is being replaced by a rerun
            states = []
        if len(states) >= n and all(s == "complete" for s in states):
            page.wait_for_timeout(300)
            return
        time.sleep(0.1)
    raise TimeoutError(f"fewer than {n} hotkeys frames loaded")


def _checked(page: Any, name: str) -> bool:
    return bool(page.get_by_role("checkbox", name=name).is_checked())


def _press_until(page: Any, key: str, done: Any, tries: int = 3, wait: float = 15.0) -> None:
    """Press ``key`` until ``done()``; a press that lands while a rerun replaces the hotkeys frames is lost,
    so it is pressed again (only after ``wait`` seconds without effect)."""
    for _ in range(tries):
        _wait_all_hotkeys(page, 2)
        page.keyboard.press(key)
        deadline = time.time() + wait
        while time.time() < deadline:
            try:
                if done():
                    return
            except Exception:  # mid-rerun
                pass
            time.sleep(0.05)
    raise TimeoutError(f"pressing {key} {tries} times had no effect")


def test_number_keys_toggle_labels_and_ctrl_enter_stores_the_set(multilabel_project: Project,  # noqa: F811
                                                                 tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECT", multilabel_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1], hotkeys=False)
        first = shown_item(page)
        settle(page)
        import sys
        for _ in range(20):
            print([_checked(page, n) for n in ("1 · sports (0.90)", "2 · politics (0.40)")], file=sys.stderr)
            time.sleep(0.2)
        assert _checked(page, "1 · sports (0.90)") and not _checked(page, "2 · politics (0.40)")
        _press_until(page, "2", lambda: _checked(page, "2 · politics (0.40)"))  # toggle politics on
        settle(page)
        page.screenshot(path=str(tmp_path / "multilabel-editor.png"), full_page=True)
        _press_until(page, "Control+Enter", lambda: shown_item(page) != first)
    answers = [a for a in multilabel_project.store.all_annotations() if a["status"] != "auto"]
    assert [(a["value"], a["status"]) for a in answers] == [({"labels": ["sports", "politics"]}, "corrected")]
