"""Helpers every page shares: the opened project, the signed-in user, safe Markdown.

Streamlit reruns the whole script on each interaction, so nothing here holds state of its own:
the project is a cached resource (one engine per project folder and server), the user and the
label buffer live in ``st.session_state`` (per browser session, on the server), and a signed
session cookie (``activelabel.sessions``) brings the user back after a reload.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel import sessions
from activelabel.auth import Guard, User

if TYPE_CHECKING:
    from activelabel.project import Project

USER_KEY = "al_user"  # {"name", "role", "project"} once signed in
PROJECT_KEY = "al_project_dir"
PICK_KEY = "al_project_pick"  # the picker widget
SESSIONS_KEY = "al_sessions"  # project folder -> {"name", "jti", "issued", "expires"}: signed in there
HANDOFF_KEY = "al_handoff"  # handoff tokens the page has yet to exchange for session cookies

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


def cookie_name(directory: Path) -> str:
    """The session cookie of one project (each project signs its own tokens)."""
    return "al_session_" + hashlib.sha256(str(directory.resolve()).encode("utf-8")).hexdigest()[:12]


def _cookie_session(project: Project) -> dict[str, Any] | None:
    """The session of a valid, unrevoked cookie this browser sent for the project, if any."""
    try:
        token = st.context.cookies.get(cookie_name(project.dir))
    except Exception:  # no request context (AppTest, bare mode): no cookies
        token = None
    if not isinstance(token, str) or not token:
        return None
    claims = sessions.verify(sessions.load_secret(project.dir), token, "session")
    if claims is None:
        return None
    return {"name": claims.name, "jti": claims.jti, "issued": claims.issued, "expires": claims.expires}


def current_user(project: Project) -> User | None:
    """The user signed in to *this* project in this browser session, re-checked against the store.

    From the session state, else from the project's session cookie (a reload, a new tab, a switch
    back to a project signed in before). The account and the session's revocation are read again on
    every run, so a removed user, a changed role or an admin's sign-out takes effect at once.
    """
    directory = str(project.dir)
    signed: dict[str, dict[str, Any]] = st.session_state.setdefault(SESSIONS_KEY, {})
    data = st.session_state.get(USER_KEY)
    if not isinstance(data, dict) or data.get("project") != directory:
        session = signed.get(directory) or _cookie_session(project)
        if session is None:
            return None
        signed[directory] = session
        data = {"name": session["name"], "project": directory}
    session = signed.get(directory)
    if session is not None and sessions.is_revoked(project.store, session["name"], session["jti"], session["issued"]):
        signed.pop(directory, None)
        st.session_state.pop(USER_KEY, None)
        return None
    row = project.store.get_user(str(data.get("name", "")))
    if row is None:
        st.session_state.pop(USER_KEY, None)
        return None
    st.session_state[USER_KEY] = {"name": row["name"], "role": row["role"], "project": directory}
    return User(row["name"], row["role"])


def sign_in_session(project: Project, user: User) -> None:
    """Sign ``user`` in to the project in this browser session, and queue the handoff token that
    the page exchanges for the session cookie (``ui/session_cookie.py``)."""
    now = time.time()
    jti = secrets.token_urlsafe(16)
    st.session_state.setdefault(SESSIONS_KEY, {})[str(project.dir)] = {
        "name": user.name, "jti": jti, "issued": now,
        "expires": now + sessions.SESSION_TTL_S + sessions.HANDOFF_TTL_S}
    token = sessions.issue(sessions.load_secret(project.dir), user.name, "handoff", ttl_s=sessions.HANDOFF_TTL_S,
                           jti=jti, now=now)
    st.session_state.setdefault(HANDOFF_KEY, []).append({"cookie": cookie_name(project.dir), "token": token})
    st.session_state[USER_KEY] = {"name": user.name, "role": user.role, "project": str(project.dir)}


def clear_page_state() -> None:
    """Forget the pages' state (buffers, leases shown), keeping who is signed in where."""
    for key in list(st.session_state.keys()):
        if str(key).startswith("al_") and key not in (USER_KEY, SESSIONS_KEY, HANDOFF_KEY, PROJECT_KEY, PICK_KEY):
            del st.session_state[key]


def sign_out_session() -> None:
    """Sign out of every project of this browser session; their sessions are revoked in the store,
    so the cookies the browser keeps no longer sign anyone in."""
    for directory, session in dict(st.session_state.get(SESSIONS_KEY, {})).items():
        sessions.revoke(open_project_cached(directory).store, session["jti"], session["expires"])
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
