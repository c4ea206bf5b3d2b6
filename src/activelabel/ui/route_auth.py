"""Who is calling a JSON route of the UI server: same origin only, signed in by the project's cookie.

The label page's fast lane (``ui/fastlane_api.py``) posts answers with ``fetch`` from the page, so
the browser sends the project's HttpOnly session cookie along (SameSite=Strict, same origin). The
same checks as a Streamlit run apply: the token's signature and expiry, its revocation, and the
account read again from the store (a removed user or a changed role counts at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from activelabel import sessions
from activelabel.auth import Guard, User
from activelabel.ui.app import project_choices
from activelabel.ui.common import cookie_name, open_project_cached


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused, and its HTTP status (401: sign in; 403: not allowed)."""

    status: int
    error: str


def same_origin(request: Request) -> bool:
    origin, host = request.headers.get("origin"), request.headers.get("host")
    return bool(origin and host) and origin == f"{request.url.scheme}://{host}"


def project_dir(cookie: str) -> Path | None:
    """The served project whose session cookie is called ``cookie``."""
    return {cookie_name(d): d for d in project_choices()}.get(cookie)


def signed_in_guard(request: Request, cookie: str) -> Guard | Refusal:
    """The Guard of the person whose session cookie ``cookie`` came with the request."""
    if not same_origin(request):
        return Refusal(403, "cross-origin request")
    directory = project_dir(cookie)
    if directory is None:
        return Refusal(403, f"no such project here ({cookie!r})")
    project = open_project_cached(str(directory))
    token = request.cookies.get(cookie)
    claims = sessions.verify(sessions.load_secret(project.dir), token, "session") if token else None
    if claims is None:
        return Refusal(401, "not signed in (no valid session cookie): sign in again")
    if sessions.is_revoked(project.store, claims.name, claims.jti, claims.issued):
        return Refusal(401, "this session was signed out: sign in again")
    row = project.store.get_user(claims.name)
    if row is None:
        return Refusal(401, f"the account {claims.name!r} no longer exists")
    return Guard(project, User(row["name"], row["role"]))
