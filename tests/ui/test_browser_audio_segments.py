"""The audio-segments editor in a real headless Chromium: change a segment's label in the table, press
Ctrl+Enter (the page's hotkey must reach it: no iframe in the editor traps the keys), check the stored segments."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from activelabel.samples.audio_segments import LABELS
from tests.ui.browser import CHROMIUM, chromium, settle, shown_item, sign_in, streamlit_server, wait_hotkeys
from tests.ui.conftest import USERS
from tests.ui.test_audio_segments_editor import segments_project  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def _until(done: Any, wait: float = 30.0) -> None:
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            if done():
                return
        except Exception:  # mid-rerun
            pass
        time.sleep(0.05)
    raise TimeoutError("the page did not get there")


def test_relabel_a_segment_and_ctrl_enter_stores_the_table(segments_project: Project,  # noqa: F811
                                                           tmp_path: Path) -> None:
    proposed = segments_project.store.predictions_for(segments_project.store.current_version(), ["segitem0"])
    segs = proposed["segitem0"]["value"]["segments"]
    other = next(lab for lab in LABELS if lab not in (segs[0]["label"], segs[1]["label"]))
    with streamlit_server("ACTIVELABEL_PROJECT", segments_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        first = shown_item(page)
        settle(page)
        box = page.get_by_role("combobox", name="label of segment 1")
        _until(lambda: box.input_value() == segs[0]["label"])
        box.click()
        page.get_by_role("option", name=other).click()
        _until(lambda: box.input_value() == other)
        settle(page)
        page.screenshot(path=str(tmp_path / "segments-editor.png"), full_page=True)
        for _ in range(3):  # a press that lands while a rerun replaces the hotkeys frame is lost: press again
            wait_hotkeys(page)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("Control+Enter")
            try:
                _until(lambda: shown_item(page) != first, wait=15)
                break
            except TimeoutError:
                continue
    answers = [a for a in segments_project.store.all_annotations() if a["status"] != "auto"]
    assert len(answers) == 1 and answers[0]["status"] == "corrected"
    stored = answers[0]["value"]["segments"]
    assert [s["label"] for s in stored] == [other] + [s["label"] for s in segs[1:]]
    assert [(s["start"], s["end"]) for s in stored] == [(round(s["start"], 4), round(s["end"], 4)) for s in segs]
