"""The ranking editor (AppTest): the proposal is shown, typed numbers or picks store the order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from activelabel.preferences import RankingItem
from activelabel.project import Project
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item
from tests.ui.conftest import new_project, seed_round

ITEMS = [RankingItem("How do I brew coffee?", ("Grind, bloom, pour.", "Buy a machine.", "Use tea.")),
         RankingItem("Say hi", ("hello", "go away"))]


@pytest.fixture()
def ranking_project(tmp_path: Path) -> Iterator[Project]:
    project = new_project(tmp_path / "rank", "ranking", [])
    project.store.add_items([NewItem(Item(f"rank-{i}", "text", it.content())) for i, it in enumerate(ITEMS)])
    seed_round(project, [dict(item_id="rank-0", confidence=0.55, parts=[0.9, 0.55], value={"order": [0, 1, 2]}),
                         dict(item_id="rank-1", confidence=0.8, parts=[0.8], value={"order": [0, 1]})])
    yield project
    project.close()


def _answers(project: Project) -> list[dict[str, Any]]:
    return [a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]


def _texts(at: Any) -> str:
    return "\n".join([m.value for m in at.markdown] + [e.value for e in at.error] + [t.value for t in at.text])


def _button(at: Any, suffix: str) -> Any:
    return next(b for b in at.button if b.key and b.key.endswith(suffix))


def test_ranking_editor_shows_the_proposal_and_stores_the_typed_order(ranking_project: Project,
                                                                      app_for: Any) -> None:
    at = app_for(ranking_project, user="alice")
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "How do I brew coffee?" in text and "Use tea." in text
    assert "Model proposes **1 > 2 > 3**" in text and "0.55" in text
    box = at.text_input(key="al_ed_rank-0")
    assert box.value == "123"  # the model's order, ready to accept with Ctrl+Enter
    box.input("31").run()  # the last response is implied
    _button(at, "al_btn_correct").click().run()
    assert not at.exception
    (answer,) = _answers(ranking_project)
    assert (answer["item_id"], answer["value"], answer["status"]) == ("rank-0", {"order": [2, 0, 1]}, "corrected")

    # the next item: clicking the responses in preference order, with a rating
    _button(at, "al_ed_rank-1_clear").click().run()
    _button(at, "al_ed_rank-1_pick_1").click().run()
    _button(at, "al_ed_rank-1_pick_0").click().run()
    assert at.text_input(key="al_ed_rank-1").value == "21"
    at.number_input(key="al_ed_rank-1_rating").set_value(4.0).run()
    _button(at, "al_btn_correct").click().run()
    assert [a["value"] for a in _answers(ranking_project)][-1] == {"order": [1, 0], "rating": 4.0}


def test_ranking_editor_refuses_an_order_that_is_not_a_permutation(ranking_project: Project,
                                                                    app_for: Any) -> None:
    at = app_for(ranking_project, user="alice")
    at.run()
    at.text_input(key="al_ed_rank-0").input("11").run()
    _button(at, "al_btn_correct").click().run()
    assert "Not saved" in _texts(at) and not _answers(ranking_project)
    _button(at, "al_btn_accept").click().run()
    assert [a["value"] for a in _answers(ranking_project)] == [{"order": [0, 1, 2]}]


@pytest.fixture()
def trained_ranking_project(tmp_path: Path) -> Iterator[Project]:
    """40 items, 30 ranked by alice (and 3 by bob, one of them otherwise), one trained version."""
    from activelabel.samples.ranking import make_items
    from activelabel.types import Ranking

    project = new_project(tmp_path / "trained", "ranking", [])
    rows = make_items(40, seed=6)
    project.store.add_items([NewItem(Item(f"item-{i}", "text", it.content())) for i, (it, _) in enumerate(rows)])
    for i, (_, order) in enumerate(rows[:30]):
        project.submit(f"item-{i}", Ranking(order), annotator="alice", trigger_retrain=False)
    for i, (_, order) in enumerate(rows[:3]):
        project.submit(f"item-{i}", Ranking(order[::-1] if i == 0 else order), annotator="bob", trigger_retrain=False)
    project.train(wait=True)
    yield project
    project.close()


@pytest.mark.parametrize("page", ["dashboard", "review"])
def test_dashboard_and_review_render_for_rankings(trained_ranking_project: Project, app_for: Any,
                                                   page: str) -> None:
    at = app_for(trained_ranking_project, page=page, user="adam")
    at.run()
    assert not at.exception, at.exception
    if page == "review":
        assert "Disagreements between annotators** (1)" in _texts(at)
        shown = "".join(d.value.to_string() for d in at.dataframe)
        assert "item-0" in shown and " > " in shown  # answers are shown as orders


@pytest.mark.browser
@pytest.mark.slow
def test_ranking_by_keyboard_in_chromium(ranking_project: Project, tmp_path: Path) -> None:
    """Type the response numbers best first in real Chromium, Ctrl+Enter: the order is stored."""
    from tests.ui.browser import CHROMIUM, chromium, shown_item, sign_in, streamlit_server, wait_next_item
    from tests.ui.conftest import USERS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with streamlit_server("ACTIVELABEL_PROJECT", ranking_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "alice", USERS["alice"][1])
        first = shown_item(page)
        page.get_by_text("Model proposes").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "ranking.png"), full_page=True)
        box = page.get_by_label("Order, best first", exact=False)
        box.click()
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.type("312")
        page.keyboard.press("Control+Enter")
        wait_next_item(page, first)
    answers = [a for a in ranking_project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]
    assert [(a["item_id"], a["value"]) for a in answers] == [("rank-0", {"order": [2, 0, 1]})]
    assert (tmp_path / "ranking.png").stat().st_size > 10_000
