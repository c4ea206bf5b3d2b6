"""Sessions in a real headless Chromium: a reload and a project switch keep the user, an admin's
revocation signs them out, and ten failed sign-ins are throttled."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from activelabel.project import Project
from activelabel.sessions import revoke_user
from tests.ui.browser import CHROMIUM, chromium, settle, sign_in, streamlit_server
from tests.ui.conftest import USERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture()
def two_projects(tmp_path: Path, cls_template: Path) -> Path:
    """A picker folder with two classification projects, alpha and beta, with the same accounts."""
    root = tmp_path / "projects"
    for name in ("alpha", "beta"):
        shutil.copytree(cls_template, root / name)
        toml = root / name / "activelabel.toml"
        toml.write_text(re.sub(r'^name = ".*"$', f'name = "{name}"', toml.read_text(), count=1, flags=re.M))
    return root


def _label_page(page: Any, project: str, timeout: float = 60_000) -> None:
    """The label page of ``project`` is on screen (no sign-in form)."""
    page.get_by_text("Why this item").wait_for(timeout=timeout)
    page.get_by_text(f"Label · {project}").wait_for(timeout=timeout)
    settle(page)  # the sign-in form stays on screen, stale, until the run that replaced it has finished
    assert page.get_by_label("Password", exact=True).count() == 0


def _switch(page: Any, project: str) -> None:
    settle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Project").click()
    page.get_by_role("option", name=project).click()
    page.wait_for_timeout(200)
    settle(page)


def _try_sign_in(page: Any, name: str, password: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_timeout(200)
    settle(page)


def test_reload_and_project_switch_keep_the_user(two_projects: Path, tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECTS", two_projects, tmp_path / "server.log") as url, \
            chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        sign_in(page, url, "alice", USERS["alice"][1], hotkeys=False)
        _label_page(page, "alpha")
        page.wait_for_timeout(1000)  # the page posts its handoff for the cookie right after the sign-in
        cookies = [c for c in context.cookies() if c["name"].startswith("al_session_")]
        assert len(cookies) == 2  # one per project that knows alice's name and password
        assert all(c["httpOnly"] and c["sameSite"] == "Strict" and c["expires"] > 0 for c in cookies)
        assert page.evaluate("document.cookie").count("al_session_") == 0  # out of page scripts' reach

        page.reload()
        _label_page(page, "alpha")
        page.screenshot(path=str(tmp_path / "after-reload.png"), full_page=True)

        _switch(page, "beta")
        _label_page(page, "beta")
        assert page.get_by_text("alice · annotator").count() == 1
        page.reload()  # the picker starts on the first project again, still signed in
        _label_page(page, "alpha")
        _switch(page, "beta")
        _label_page(page, "beta")
        page.screenshot(path=str(tmp_path / "after-switch.png"), full_page=True)

        with Project.open(two_projects / "beta") as beta:  # an admin signs alice out everywhere
            revoke_user(beta.store, "alice")
        page.reload()
        _label_page(page, "alpha")  # alpha's session is not beta's
        _switch(page, "beta")
        page.get_by_label("Password", exact=True).wait_for(timeout=60_000)

        # sign out: both projects' sessions are revoked, the cookies the browser keeps sign nobody in
        _switch(page, "alpha")
        _label_page(page, "alpha")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Password", exact=True).wait_for(timeout=60_000)
        page.reload()
        page.get_by_label("Password", exact=True).wait_for(timeout=60_000)
    assert (tmp_path / "after-switch.png").stat().st_size > 10_000


def test_ten_failed_sign_ins_are_throttled(cls_project: Project, tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECT", cls_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.goto(url)
        page.get_by_label("Name").wait_for(timeout=60_000)
        settle(page)
        for attempt in range(1, 10):
            _try_sign_in(page, "bob", f"wrong-{attempt}")
            page.get_by_text("Unknown name or wrong password.").wait_for(timeout=30_000)
        _try_sign_in(page, "bob", "wrong-10")
        page.get_by_text(re.compile("Too many failed sign-ins")).wait_for(timeout=30_000)
        _try_sign_in(page, "bob", USERS["bob"][1])  # even the right password waits now
        page.get_by_text(re.compile("Too many failed sign-ins")).wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "throttled.png"), full_page=True)
        assert page.get_by_text("Why this item").count() == 0


def test_a_deep_link_lands_on_its_page_after_the_sign_in(cls_project: Project, tmp_path: Path) -> None:
    with streamlit_server("ACTIVELABEL_PROJECT", cls_project.dir, tmp_path / "server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.goto(f"{url}/dashboard")
        page.get_by_label("Name").wait_for(timeout=60_000)
        settle(page)
        assert page.url.endswith("/dashboard")
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # no page links before the sign-in
        _try_sign_in(page, "alice", USERS["alice"][1])
        page.get_by_text("Retrain", exact=True).wait_for(timeout=60_000)
        assert page.url.endswith("/dashboard") and page.get_by_text("Why this item").count() == 0
        page.wait_for_timeout(500)
        settle(page)
        page.screenshot(path=str(tmp_path / "deep-link.png"), full_page=True)
