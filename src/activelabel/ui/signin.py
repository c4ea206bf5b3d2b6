"""The sign-in page: name + password against the project's users table, or OIDC via ``st.login``.

Failed sign-ins are counted per name and address (``activelabel.signin_limits``); a successful
one also signs in to the other projects of the server that know the same name and password.
OIDC is offered only when ``[auth]`` is configured in the Streamlit secrets; the verified identity
(email, else name) must be listed in the project's users table, which gives its role.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.auth import authenticate, oidc_user
from activelabel.signin_limits import SignInThrottledError, sign_in
from activelabel.ui.common import open_project_cached, sign_in_session

if TYPE_CHECKING:
    from activelabel.project import Project


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises a FileNotFoundError-like error
        return False


def _oidc_identity() -> str | None:
    user: Any = getattr(st, "user", None)
    if user is None or not getattr(user, "is_logged_in", False):
        return None
    return str(user.get("email") or user.get("name") or "") or None


def _address() -> str | None:
    try:
        address = st.context.ip_address
    except Exception:  # no request context
        return None
    return address if isinstance(address, str) else None  # AppTest gives a stand-in


def _sign_in_elsewhere(others: list[Path], name: str, password: str) -> None:
    """Sign in to the other projects this server offers where the same name and password hold,
    so that switching project keeps the user (each project still checks its own accounts)."""
    for directory in others:
        other = open_project_cached(str(directory))
        user = authenticate(other.store, name, password)
        if user is not None:
            sign_in_session(other, user)


def render(project: Project, others: list[Path] | None = None) -> None:
    st.title("activelabel")
    st.caption(f"Project **{project.config.name}** ({project.task}). Sign in to label.")
    if oidc_configured():
        identity = _oidc_identity()
        if identity:
            user = oidc_user(project.store, identity)
            if user is None:
                st.error(f"{identity} is not an annotator of this project. Ask an admin to run "
                         f"`activelabel user add {project.dir} {identity} --role annotator --oidc`.")
            else:
                sign_in_session(project, user)
                st.rerun()
        st.button("Sign in with single sign-on", on_click=st.login, type="primary")
        st.divider()
    with st.form("signin", clear_on_submit=False, enter_to_submit=True):
        name = st.text_input("Name", key="al_signin_name")
        password = st.text_input("Password", type="password", key="al_signin_password")
        ok = st.form_submit_button("Sign in", type="primary")
    if ok:
        try:
            user = sign_in(project.store, name, password, _address())
        except SignInThrottledError as exc:
            st.error(str(exc))
            return
        if user is None:
            st.error("Unknown name or wrong password.")
        else:
            sign_in_session(project, user)
            _sign_in_elsewhere(others or [], name, password)
            st.rerun()
    if not project.store.list_users():
        st.info(f"This project has no annotators yet. Create one with `activelabel user add {project.dir} NAME "
                "--role admin`.")
