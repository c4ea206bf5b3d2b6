"""Helpers every page shares: the opened project, the signed-in user, safe Markdown.

Streamlit reruns the whole script on each interaction, so nothing here holds state of its own:
the project is a cached resource (one engine per project folder and server), the user and the
label buffer live in ``st.session_state`` (per browser session, on the server).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.auth import Guard, User

if TYPE_CHECKING:
    from activelabel.project import Project

USER_KEY = "al_user"  # {"name", "role", "project"} once signed in
PROJECT_KEY = "al_project_dir"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~:$<&])")
_AUTOLINK = re.compile(r"(\\[.:]|@)")


@st.cache_resource(show_spinner=False)
def open_project_cached(directory: str) -> Project:
    """One Project (and one connection pool) per folder per server process."""
    from activelabel.project import Project

    return Project.open(Path(directory))


@st.cache_resource(show_spinner=False)
def page_icon() -> Any:
    """The tab icon, drawn here: Streamlit fetches ``:material/...:`` icons from fonts.gstatic.com,
    and the UI must not reach the internet."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.polygon([(6, 18), (40, 18), (58, 32), (40, 46), (6, 46)], fill=(37, 99, 235, 255))  # a label tag
    draw.ellipse((12, 28, 20, 36), fill=(255, 255, 255, 255))
    return img


def md_escape(text: str) -> str:
    """Escape user data for st.markdown, so that no item text can inject formatting or links.

    Backslashes stop Markdown syntax; a word joiner (zero-width, no line break) before ``.``, ``:`` and ``@`` stops the
    automatic links that GitHub-flavoured Markdown makes of bare URLs and emails.
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    escaped = _AUTOLINK.sub("\u2060\\1", escaped)
    return escaped.replace("\n", "  \n")


def current_user(project: Project) -> User | None:
    """The user signed in to *this* project in this browser session, re-checked against the store.

    The account is read again on every run, so a removed user or a changed role takes effect at once.
    """
    data = st.session_state.get(USER_KEY)
    if not isinstance(data, dict) or data.get("project") != str(project.dir):
        return None
    row = project.store.get_user(str(data.get("name", "")))
    if row is None:
        st.session_state.pop(USER_KEY, None)
        return None
    return User(row["name"], row["role"])


def sign_in_session(project: Project, user: User) -> None:
    st.session_state[USER_KEY] = {"name": user.name, "role": user.role, "project": str(project.dir)}


def sign_out_session() -> None:
    for key in list(st.session_state.keys()):
        if str(key).startswith("al_"):
            del st.session_state[key]


def guard(project: Project) -> Guard:
    """The signed-in user's guarded view of the project; pages call this, never the project's writes."""
    user = current_user(project)
    if user is None:
        st.stop()
    return Guard(project, user)


def fmt_float(x: Any, digits: int = 3) -> str:
    return "-" if x is None else f"{float(x):.{digits}f}"


def confidence_color(conf: float | None) -> str:
    """Streamlit Markdown colour names by confidence: red below 0.5, orange below 0.8, else green."""
    if conf is None:
        return "gray"
    return "red" if conf < 0.5 else ("orange" if conf < 0.8 else "green")
