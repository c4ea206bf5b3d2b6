"""End-to-end in a real headless Chromium: keyboard-only labeling, reload (still signed in), and two
annotators at once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from tests.ui.browser import (
    CHROMIUM,
    chromium,
    shown_item,
    sign_in,
    streamlit_server,
    wait_hotkeys,
    wait_next_item,
    wait_saved,
)
from tests.ui.conftest import USERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def _human_answers(project: Project) -> list[dict[str, Any]]:
    return [a for a in project.store.all_annotations() if a["status"] != "auto" and a["revoked_at"] is None]


def test_keyboard_labeling_reload_and_two_annotators_at_once(cls_project: Project, tmp_path: Path) -> None:
    """One server and one browser for both scenarios (they are the slow part)."""
    with streamlit_server("ACTIVELABEL_PROJECT", cls_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        # 1. sign in and label 5 items with the keyboard alone, then reload
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        seen = [shown_item(page)]
        for key in ["1", "2", "1", "2", "1"]:  # ham, spam, ...
            page.keyboard.press(key)
            seen.append(wait_next_item(page, seen[-1]))
        wait_saved(page)  # the answers go out in the background: all acknowledged before the reload
        page.reload()  # the session cookie keeps alice signed in
        page.get_by_text("Why this item").wait_for(timeout=90_000)
        wait_hotkeys(page)
        assert page.get_by_label("Password", exact=True).count() == 0
        page.screenshot(path=str(tmp_path / "label.png"), full_page=True)
        after_reload = shown_item(page)

        answers = _human_answers(cls_project)
        assert len(answers) == 5
        assert [a["item_id"] for a in answers] == seen[:5]
        assert [a["value"]["label"] for a in answers] == ["ham", "spam", "ham", "spam", "ham"]
        assert len({a["submission_id"] for a in answers}) == 5
        assert after_reload == seen[5]  # the item leased before the reload comes back, not a new one
        assert (tmp_path / "label.png").stat().st_size > 10_000

        # 2. a second session (bob, another browser context) labels at the same time as alice
        rounds = 4
        pages = {"alice": page, "bob": browser.new_context(viewport={"width": 1280, "height": 800}).new_page()}
        sign_in(pages["bob"], url, "bob", USERS["bob"][1])
        shown = {name: [shown_item(p)] for name, p in pages.items()}
        for _ in range(rounds):
            for name in pages:  # both keys go out before either page is awaited: the server runs overlap
                pages[name].keyboard.press("2" if name == "bob" else "1")
            for name in pages:
                shown[name].append(wait_next_item(pages[name], shown[name][-1]))
        for p in pages.values():
            wait_saved(p)

    assert not set(shown["alice"]) & set(shown["bob"]) & set(seen)
    assert not set(shown["alice"]) & set(shown["bob"])
    answers = _human_answers(cls_project)
    by = {name: [a for a in answers if a["annotator"] == name] for name in pages}
    assert len(by["alice"]) == 5 + rounds and len(by["bob"]) == rounds  # no answer lost
    assert len({a["item_id"] for a in answers}) == 5 + 2 * rounds  # nor any item answered twice
    assert [a["item_id"] for a in by["alice"][5:]] == shown["alice"][:rounds]
    assert [a["item_id"] for a in by["bob"]] == shown["bob"][:rounds]
