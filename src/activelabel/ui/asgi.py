"""What ``activelabel ui`` serves: the Streamlit app plus ``POST /_al/session``, which turns a sign-in
into an HttpOnly session cookie.

Streamlit talks to the page over a websocket and cannot set cookies, and a cookie that page
JavaScript writes cannot be HttpOnly. So right after a sign-in the page posts the one-minute
handoff tokens the server gave it here, and this route answers with a ``Set-Cookie`` per project:
a session token (``activelabel.sessions``), HttpOnly, SameSite=Strict, Secure over HTTPS. A later
page load (reload, new tab) sends the cookie with its websocket request and ``ui.common`` reads
it from ``st.context.cookies``. Requests from another origin are refused, so no other site can
plant a session in the browser.

The label page's fast lane posts its answers to the JSON routes of ``ui/fastlane_api.py``,
mounted here beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from activelabel.sessions import SESSION_TTL_S, issue, load_secret, verify
from activelabel.ui.app import project_choices
from activelabel.ui.common import cookie_name
from activelabel.ui.fastlane_api import fastlane_routes
from activelabel.ui.route_auth import same_origin
from activelabel.ui.session_cookie import SESSION_ROUTE


async def session_route(request: Request) -> Response:
    """Exchange handoff tokens ``{"handoffs": [{"cookie", "token"}]}`` for session cookies."""
    if not same_origin(request):
        return JSONResponse({"error": "cross-origin request"}, status_code=403)
    try:
        body: Any = await request.json()
        handoffs = [(str(h["cookie"]), str(h["token"])) for h in body["handoffs"]]
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "expected {\"handoffs\": [{\"cookie\", \"token\"}]}"}, status_code=400)
    projects = {cookie_name(d): d for d in project_choices()}
    response = JSONResponse({"ok": len(handoffs)})
    for cookie, token in handoffs:
        directory = projects.get(cookie)
        claims = verify(load_secret(directory), token, "handoff") if directory is not None else None
        if directory is None or claims is None:
            return JSONResponse({"error": "invalid or expired sign-in: sign in again"}, status_code=403)
        session = issue(load_secret(directory), claims.name, "session", ttl_s=SESSION_TTL_S, jti=claims.jti)
        response.set_cookie(cookie, session, max_age=SESSION_TTL_S, path="/", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
    return response


app = st.App(Path(__file__).with_name("app.py"),
             routes=[Route(SESSION_ROUTE, session_route, methods=["POST"]), *fastlane_routes()])
