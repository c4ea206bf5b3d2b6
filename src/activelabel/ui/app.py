"""The Streamlit entry point: ``activelabel ui DIR`` runs ``streamlit run app.py``.

Which project to serve comes from the environment the CLI sets: ``ACTIVELABEL_PROJECT`` (one
folder) or ``ACTIVELABEL_PROJECTS`` (a folder of projects: the demo's picker). Every page needs a
signed-in user; the review pages need a reviewer, the settings page an admin.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from activelabel.project import Project

PROJECT_ENV = "ACTIVELABEL_PROJECT"
PROJECTS_ENV = "ACTIVELABEL_PROJECTS"
PAGES = ("label", "dashboard", "review", "settings", "report")


def project_choices() -> list[Path]:
    """The projects this server may open: the one named, or every project under the picker folder."""
    one = os.environ.get(PROJECT_ENV)
    if one:
        return [Path(one).resolve()]
    root = os.environ.get(PROJECTS_ENV)
    if root:
        return sorted(p.parent.resolve() for p in Path(root).glob("*/activelabel.toml"))
    return []


def _pick_project() -> Path | None:
    from activelabel.ui.common import PICK_KEY, PROJECT_KEY, clear_page_state

    choices = project_choices()
    if not choices:
        st.error(f"No project to serve: start the UI with `activelabel ui DIR` (or set {PROJECT_ENV}).")
        return None
    if len(choices) == 1:
        return choices[0]
    names = [p.name for p in choices]
    current = st.session_state.get(PROJECT_KEY)
    if st.session_state.get(PICK_KEY) not in names:
        st.session_state[PICK_KEY] = current if current in names else names[0]
    chosen = str(st.sidebar.selectbox("Project", names, key=PICK_KEY))
    if chosen != current:
        if current is not None:
            clear_page_state()  # who is signed in where stays: a switch keeps the user
        st.session_state[PROJECT_KEY] = chosen
    return choices[names.index(chosen)]


def _page_fn(name: str, directory: Path) -> Callable[[], None]:
    def run() -> None:
        from activelabel.ui.common import open_project_cached

        project = open_project_cached(str(directory))
        from activelabel.errors import PermissionDeniedError

        module = importlib.import_module(f"activelabel.ui.{name}_page")
        try:
            if name == "report":  # the quality engineer's page takes the user too
                from activelabel.ui.common import current_user

                module.render(project, current_user(project))
            else:
                module.render(project)
        except PermissionDeniedError as exc:
            st.error(f"Not allowed: {exc}")

    run.__name__ = f"page_{name}"
    return run


def _signin_fn(name: str, project: Project, others: list[Path]) -> Callable[[], None]:
    def run() -> None:
        from activelabel.ui import signin

        signin.render(project, others)

    run.__name__ = f"signin_{name}"
    return run


def main(only: str | None = None) -> None:
    """Draw the app; ``only`` renders one page without navigation (for tests and screenshots)."""
    from activelabel.ui import signin
    from activelabel.ui.common import current_user, open_project_cached, page_icon, sign_out_session

    st.set_page_config(page_title="activelabel", page_icon=page_icon(), layout="wide")
    directory = _pick_project()
    if directory is None:
        return
    project = open_project_cached(str(directory))
    user = current_user(project)
    if user is None:
        others = [p for p in project_choices() if p != directory]
        if only is not None:
            signin.render(project, others)
            return
        # every page's address shows the sign-in form, so a deep link (/dashboard) lands there after it
        st.navigation([st.Page(_signin_fn(name, project, others), title="Sign in", url_path=name,
                               default=name == "label") for name in PAGES], position="hidden").run()
        return
    from activelabel.ui.session_cookie import exchange_handoffs

    with st.sidebar:
        exchange_handoffs()
        st.markdown(f"**{user.name}** · {user.role}")
        st.caption(f"{project.config.name} · {project.task}")
        if st.button("Sign out", key="al_signout"):
            sign_out_session()
            if getattr(getattr(st, "user", None), "is_logged_in", False):
                st.logout()
            st.rerun()
    if only is not None:
        _page_fn(only, directory)()
        return
    pages = [st.Page(_page_fn("label", directory), title="Label", icon=":material/edit:", url_path="label",
                     default=True),
             st.Page(_page_fn("dashboard", directory), title="Dashboard", icon=":material/monitoring:",
                     url_path="dashboard")]
    if user.has("reviewer"):
        pages.append(st.Page(_page_fn("review", directory), title="Review", icon=":material/fact_check:",
                             url_path="review"))
        if importlib.util.find_spec("activelabel.ui.report_page") is not None:
            pages.append(st.Page(_page_fn("report", directory), title="Report", icon=":material/summarize:",
                                 url_path="report"))
    if user.has("admin"):
        pages.append(st.Page(_page_fn("settings", directory), title="Settings", icon=":material/settings:",
                             url_path="settings"))
    st.navigation(pages).run()


if __name__ == "__main__":
    main(os.environ.get("ACTIVELABEL_UI_PAGE") or None)
