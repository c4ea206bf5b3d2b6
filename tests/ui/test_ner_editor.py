"""The NER editor: select text to make a span (AppTest for the Python half, Chromium for the whole).

The texts put a non-BMP character (an emoji: one code point, two UTF-16 units) before an entity, so
an offset counted in the browser's string units instead of code points would be off by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item
from activelabel.ui.editors import ner
from tests.ui.conftest import new_project, seed_round

TEXT_A = "Ada Lovelace worked with Charles Babbage in London."
TEXT_B = "🙂 Grace Hopper joined the US Navy in 1943."


@pytest.fixture()
def ner_editor_project(tmp_path: Path) -> Iterator[Project]:
    project = new_project(tmp_path / "ner", "ner", ["PER", "ORG", "LOC"])
    project.store.add_items([NewItem(Item("ner-item-a", "text", TEXT_A)), NewItem(Item("ner-item-b", "text", TEXT_B))])
    seed_round(project, [
        dict(item_id="ner-item-a", confidence=0.41, parts=[0.95, 0.41],
             value={"spans": [{"start": 0, "end": 12, "label": "PER", "confidence": 0.95},
                              {"start": 25, "end": 40, "label": "ORG", "confidence": 0.41}]}),
        dict(item_id="ner-item-b", confidence=0.7, parts=[0.7],
             value={"spans": [{"start": 2, "end": 14, "label": "PER", "confidence": 0.7}]}),
    ])
    yield project
    project.close()


def _answers(project: Project) -> list[dict[str, Any]]:
    return [a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]


def test_the_fast_lane_gets_the_tokens_the_proposal_and_the_confidence_cause(ner_editor_project: Project,
                                                                               app_for: Any) -> None:
    """NER runs in the browser's fast lane: the script hands it the items with their tokens, the
    proposal as token spans, the why line and the confidence's cause as plain text."""
    at = app_for(ner_editor_project, user="alice")
    at.run()
    assert not at.exception
    item = at.session_state["al_fast_items"][0]
    assert item["id"] == "ner-item-a"  # least confident first
    assert "".join(t for t, _ in item["segments"]) == TEXT_A
    assert item["spans"] == [{"first": 0, "last": 1, "label": "PER", "confidence": 0.95},
                             {"first": 4, "last": 5, "label": "ORG", "confidence": 0.41}]
    assert item["cause"] == "Model confidence 0.41 · least confident entity: 'Charles Babbage' ORG 0.41"
    assert item["why"].startswith("Why this item: picked by least_confidence") and item["overlap"] is None


def test_token_spans_from_the_browser_become_code_point_offsets(ner_editor_project: Project) -> None:
    from activelabel.errors import InvalidLabelError

    # ORG rejected, "London" (token 7) added as LOC
    got = ner.fast_value(ner_editor_project, "ner-item-a", {"token_spans": [
        {"first": 0, "last": 1, "label": "PER"}, {"first": 7, "last": 7, "label": "LOC"}]})
    assert got.to_json() == {"spans": [{"start": 0, "end": 12, "label": "PER"}, {"start": 44, "end": 50, "label": "LOC"}]}
    emoji = ner.fast_value(ner_editor_project, "ner-item-b", {"token_spans": [{"first": 5, "last": 6, "label": "ORG"}]})
    assert emoji.to_json() == {"spans": [{"start": 26, "end": 33, "label": "ORG"}]}  # code points, after the emoji
    with pytest.raises(InvalidLabelError, match="outside"):
        ner.fast_value(ner_editor_project, "ner-item-a", {"token_spans": [{"first": 7, "last": 40, "label": "LOC"}]})
    with pytest.raises(InvalidLabelError, match="malformed"):
        ner.fast_value(ner_editor_project, "ner-item-a", {"token_spans": [{"first": 7}]})
    accepted = ner.fast_value(ner_editor_project, "ner-item-b", {"spans": [
        {"start": 2, "end": 14, "label": "PER", "confidence": 0.7}]})  # an accept: the proposal as stored
    assert accepted.to_json()["spans"][0]["start"] == 2


def _editor(page: Any, item_id: str) -> Any:
    """One item's span editor in the fast lane."""
    return page.locator(f'.al-fl-ner[data-item="{item_id}"]')


def _token_box(editor: Any, i: int) -> dict[str, float]:
    box = editor.locator(f'.al-ner-tok[data-i="{i}"]').bounding_box()
    assert box is not None
    return dict(box)


@pytest.mark.browser
@pytest.mark.slow
def test_ner_spans_by_mouse_and_keyboard_in_chromium(ner_editor_project: Project, tmp_path: Path) -> None:
    """In real Chromium: a mouse selection (snapped), relabel and remove by click, Ctrl+Enter from the
    text; then shift+arrows and a label key on a text with an emoji, relabel and remove by keyboard,
    Ctrl+Enter. The store holds the spans drawn, at code-point offsets."""
    from tests.ui.browser import (
        CHROMIUM,
        chromium,
        settle,
        shown_item,
        sign_in,
        streamlit_server,
        wait_next_item,
    )
    from tests.ui.conftest import USERS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with streamlit_server("ACTIVELABEL_PROJECT", ner_editor_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        first = shown_item(page)
        editor = _editor(page, "ner-item-a")
        status = editor.get_by_test_id("alNerStatus")
        editor.get_by_test_id("alNerText").wait_for(timeout=30_000)
        assert editor.get_by_test_id("alNerSpan").count() == 2
        page.get_by_text("least confident entity").wait_for(timeout=10_000)

        # the mouse: drag over part of "London" -> snapped to the whole word; label key 3 = LOC
        box = _token_box(editor, 7)
        page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2, steps=5)
        page.mouse.up()
        assert "Snapped to whole words: “London”" in status.inner_text()
        page.wait_for_timeout(300)  # then the shot (docs/img/ner-label.png is this one)
        page.screenshot(path=str(tmp_path / "ner-label.png"), full_page=True)
        page.keyboard.press("3")
        assert "Added “London” LOC" in status.inner_text()
        # click "Charles Babbage" (ORG 0.41): relabel to PER with the label button
        editor.locator('.al-ner-tok[data-i="4"]').click()
        editor.locator(".al-ner-label", has_text="1 PER").click()
        assert "“Charles Babbage” is now PER" in status.inner_text()
        # click "Ada Lovelace": remove it
        editor.locator('.al-ner-tok[data-i="0"]').click()
        editor.locator(".al-ner-remove").click()
        assert editor.get_by_test_id("alNerSpan").count() == 2
        editor.get_by_test_id("alNerText").focus()
        page.keyboard.press("Control+Enter")  # focus is in the text
        wait_next_item(page, first)

        # the keyboard: move to "US" (token 5), Shift+Right twice selects "US Navy", key 2 = ORG
        editor = _editor(page, "ner-item-b")
        status = editor.get_by_test_id("alNerStatus")
        text = editor.get_by_test_id("alNerText")
        text.wait_for(timeout=30_000)
        page.get_by_text("least confident entity: 'Grace Hopper'").wait_for(timeout=10_000)
        assert text.evaluate("e => document.activeElement === e")  # the keyboard stays in the text
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("Shift+ArrowRight")
        assert "Selected “US Navy”" in status.inner_text()
        page.keyboard.press("Control+Enter")  # the selection has no label yet: refused, and kept
        page.get_by_text("'US Navy' is selected but has no label").wait_for(timeout=30_000)
        settle(page)
        assert "Selected “US Navy”" in status.inner_text() and len(_answers(ner_editor_project)) == 1
        page.keyboard.press("2")
        assert "Added “US Navy” ORG" in status.inner_text()
        # relabel and remove with the keyboard: move onto a span, then a label key or Delete
        page.keyboard.press("ArrowLeft")
        assert "“US Navy” ORG: press 1-3 to change its label" in status.inner_text()
        page.keyboard.press("3")
        assert "“US Navy” is now LOC" in status.inner_text()
        for _ in range(4):
            page.keyboard.press("ArrowLeft")
        page.keyboard.press("Delete")
        assert "Removed “Grace Hopper” PER" in status.inner_text()
        page.keyboard.press("Control+Enter")
        page.get_by_text("Nothing left in your queue").wait_for(timeout=30_000)
    answers = {a["item_id"]: a for a in _answers(ner_editor_project)}
    assert answers["ner-item-a"]["value"] == {"spans": [{"start": 25, "end": 40, "label": "PER"},
                                                  {"start": 44, "end": 50, "label": "LOC"}]}
    assert answers["ner-item-b"]["value"] == {"spans": [{"start": 26, "end": 33, "label": "LOC"}]}
    assert TEXT_B[26:33] == "US Navy"
    assert all(a["status"] == "corrected" for a in answers.values())
    assert (tmp_path / "ner-label.png").stat().st_size > 10_000  # docs/img/ner-label.png is this shot
