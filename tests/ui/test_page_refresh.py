"""Pages follow the project: the dashboard shows a promoted version on its own (real Chromium), and the
label page says so when the queue was re-ranked under the person (AppTest)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from activelabel.ui.page_refresh import marker
from tests.ui.browser import CHROMIUM, chromium, settle, sign_in, streamlit_server
from tests.ui.conftest import USERS, seed_round


def _predictions(project: Project, confidence: float) -> list[dict[str, Any]]:
    items = [it for page in project.store.iter_pool() for it in page]
    return [dict(item_id=it.id, confidence=confidence, parts=[], value={"label": "ham"}) for it in items]


def test_the_marker_changes_with_a_promotion(cls_project: Project) -> None:
    before = marker(cls_project)
    version = seed_round(cls_project, _predictions(cls_project, 0.6))
    after = marker(cls_project)
    assert before != after and after[0] == version and after[1] is not None


def test_the_label_page_announces_a_re_ranking_under_the_person(transcription_project: Project,
                                                               app_for: Any) -> None:
    at = app_for(transcription_project, user="alice")  # a kind the server draws (the fast lane has its own test)
    at.run()
    assert not any("new model ranking" in i.value for i in at.info)
    seed_round(transcription_project, [dict(item_id=f"asr{i}", confidence=0.3, parts=[0.3],
                                            value={"text": "a fox"}) for i in range(2)])
    next(b for b in at.button if b.key == "al_btn_skip").click().run()
    assert not at.exception
    assert any("A new model ranking is in force" in i.value for i in at.info)


@pytest.mark.browser
@pytest.mark.slow
def test_the_dashboard_shows_a_new_version_within_5_s_of_its_promotion(cls_project: Project,
                                                                       tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with streamlit_server("ACTIVELABEL_PROJECT", cls_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "adam", USERS["adam"][1], hotkeys=False)
        page.goto(f"{url}/dashboard")
        model = page.locator('[data-testid="stMetric"]').filter(has_text="Model")
        model.wait_for(timeout=60_000)
        settle(page)
        assert "none" in model.inner_text()
        page.wait_for_timeout(1500)  # a few polls with nothing new: no rerun
        version = seed_round(cls_project, _predictions(cls_project, 0.6))
        page.locator('[data-testid="stMetric"]').filter(has_text=version).wait_for(timeout=5_000)  # the bound


def test_the_dashboard_and_the_report_show_the_same_counts(trained_project: Project, app_for: Any) -> None:
    from activelabel.quality.counts import COUNTS

    tiles = {}
    for page in ("dashboard", "report"):
        at = app_for(trained_project, page=page, user="adam")
        at.run()
        assert not at.exception
        tiles[page] = {m.label: m.value for m in at.metric}
    for title, _, _ in COUNTS:
        assert tiles["dashboard"][title] == tiles["report"][title], title
    assert tiles["report"]["Answers"] == str(trained_project.store.counts()["answers"])
