"""The fast lane in real headless Chromium: keys answer the items in the order they were shown,
each stored once with its label (a burst of keys, a replayed POST, a POST that fails at first),
a re-ranking is announced, and a refused answer is shown to the person."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from tests.ui.browser import CHROMIUM, chromium, fast_lane, shown_item, sign_in, streamlit_server, wait_saved
from tests.ui.conftest import USERS, seed_round

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUFFER_JS = "() => Object.values(window.__alFastlane)[0].items.map((i) => i.id)"
REPLAY_JS = """async (body) => {
  const r = await fetch("/_al/answer", {method: "POST", credentials: "same-origin",
                                        headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  return [r.status, await r.json()];
}"""


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def _answers(project: Project, name: str) -> list[dict[str, Any]]:
    return [a for a in project.store.all_annotations() if a["annotator"] == name and a["status"] != "auto"]


def test_keys_answer_in_order_once_each_with_retries_and_refusals(cls_project: Project, tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECT", cls_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        wait_saved(page, buffered=5)  # the browser has topped its buffer up
        page.screenshot(path=str(tmp_path / "fastlane.png"), full_page=True)

        text = fast_lane(page).inner_text()
        assert "Why this item: picked by" in text and "rank" in text  # why it was picked
        assert "1 label ham" in text and "U / Ctrl+Z undo last answer" in text  # the shortcuts are shown
        page.keyboard.press("a")  # cold start: nothing to accept, and nothing is stored
        page.get_by_text("There is no proposal to accept yet").wait_for(timeout=5_000)

        # 1. a burst of keys, none awaited: each answers the item that was on screen, in order
        shown = page.evaluate(BUFFER_JS)
        assert shown_item(page) == shown[0]
        for key in "1212":
            page.keyboard.press(key)
        assert shown_item(page) == shown[4]  # drawn before any answer came back
        wait_saved(page)
        answers = _answers(cls_project, "alice")
        assert [a["item_id"] for a in answers] == shown[:4]
        assert [a["value"]["label"] for a in answers] == ["ham", "spam", "ham", "spam"]
        assert len({a["submission_id"] for a in answers}) == 4
        assert "Answers this session: 4" in fast_lane(page).inner_text()

        # 2. the same POST again (same submission id): acknowledged, stored once
        last = answers[-1]
        status, reply = page.evaluate(REPLAY_JS, {"project": _cookie(cls_project), "item": last["item_id"],
                                                  "sid": last["submission_id"], "value": {"label": "spam"}})
        assert status == 200 and reply["created"] is False
        assert len(_answers(cls_project, "alice")) == 4

        # 3. an answer whose first POST fails is sent again with its submission id and stored once
        failed: list[str] = []

        def fail_once(route: Any) -> None:
            if not failed:
                failed.append(route.request.post_data or "")
                route.abort()
            else:
                route.continue_()

        page.route("**/_al/answer", fail_once)
        wait_saved(page, buffered=3)
        target = shown_item(page)
        page.keyboard.press("2")
        wait_saved(page)
        page.unroute("**/_al/answer")
        answers = _answers(cls_project, "alice")
        assert failed and target in failed[0]
        assert [(a["item_id"], a["value"]["label"]) for a in answers[4:]] == [(target, "spam")]

        # 4. reject, then undo: the answer is revoked and its item is back on screen
        wait_saved(page, buffered=3)
        rejected = shown_item(page)
        page.keyboard.press("r")
        page.keyboard.press("u")
        page.get_by_text("Undone: the item is back.").wait_for(timeout=10_000)
        wait_saved(page)
        assert shown_item(page) == rejected
        last = _answers(cls_project, "alice")[-1]
        assert (last["item_id"], last["status"]) == (rejected, "rejected") and last["revoked_at"] is not None

        # 5. a new model ranking: the next answer's reply says so, and the page announces it
        seed_round(cls_project, [dict(item_id=it.id, confidence=0.6, parts=[], value={"label": "ham"})
                                 for page_ in cls_project.store.iter_pool() for it in page_])
        page.keyboard.press("s")
        page.get_by_text("A new model ranking is in force").wait_for(timeout=10_000)
        wait_saved(page, buffered=3)
        assert _answers(cls_project, "alice")[-1]["status"] == "skipped"

        # 6. the item on screen was handed to someone else: the answer is refused, and the page says so
        on_screen = shown_item(page)
        cls_project.store.release("alice")
        cls_project.claim("bob", 60)
        page.keyboard.press("1")
        errors = page.get_by_test_id("alFastlaneErrors")
        errors.wait_for(timeout=10_000)
        assert on_screen in errors.inner_text() and "Not saved" in errors.inner_text()
        wait_saved(page)
    mine = _answers(cls_project, "alice")
    assert on_screen not in [a["item_id"] for a in mine] and len(mine) == 7  # nothing stored as alice's
    assert len([a for a in mine if a["revoked_at"] is None]) == 6
    assert (tmp_path / "fastlane.png").stat().st_size > 10_000


def _cookie(project: Project) -> str:
    from activelabel.ui.common import cookie_name

    return cookie_name(project.dir)


def test_a_revoked_session_keeps_the_waiting_answer_takes_no_new_one_and_sends_it_after_sign_in(
        cls_project: Project, tmp_path: Path) -> None:
    from activelabel.sessions import revoke_user

    with streamlit_server("ACTIVELABEL_PROJECT", cls_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        wait_saved(page, buffered=5)
        shown = page.evaluate(BUFFER_JS)
        revoke_user(cls_project.store, "alice")  # an admin signs alice out everywhere

        page.keyboard.press("1")  # answered before the page knows: it waits, unsaved
        page.get_by_text("You are signed out").wait_for(timeout=15_000)
        assert shown_item(page) == shown[1]
        page.keyboard.press("2")  # refused on the page: the item stays, nothing piles up
        assert shown_item(page) == shown[1]
        assert page.evaluate("() => Object.values(window.__alFastlane)[0].queue.length") == 1
        assert _answers(cls_project, "alice") == []

        again = context.new_page()  # signing in in another tab sets the cookie the first tab sends
        sign_in(again, url, "alice", USERS["alice"][1])
        page.get_by_text("Signed in again").wait_for(timeout=15_000)
        wait_saved(page)
        assert [(a["item_id"], a["value"]["label"]) for a in _answers(cls_project, "alice")] == [(shown[0], "ham")]
        page.keyboard.press("2")  # and answering goes on
        wait_saved(page)
        assert len(_answers(cls_project, "alice")) == 2
