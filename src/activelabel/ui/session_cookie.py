"""The page's half of the session cookie: right after a sign-in, post the handoff tokens to
``/_al/session`` (``ui/asgi.py``), whose answer sets the HttpOnly cookie that a reload sends back.

A ``st.components.v2`` component with a few lines of JavaScript and no markup; it reports back
once, and the tokens are dropped from the session state then (they expire within a minute anyway).
"""

from __future__ import annotations

import streamlit as st

from activelabel.ui.common import HANDOFF_KEY

SESSION_ROUTE = "/_al/session"

_JS = """
export default function (component) {
  const { data, setTriggerValue } = component;
  if (!data || !data.handoffs || data.handoffs.length === 0) return;
  fetch(data.route, {
    method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({handoffs: data.handoffs}),
  }).then((r) => setTriggerValue("done", r.ok ? "ok" : `error ${r.status}`))
    .catch((e) => setTriggerValue("done", `error ${e}`));
}
"""

_exchange = st.components.v2.component("activelabel_session_cookie", js=_JS)


def _done() -> None:
    st.session_state.pop(HANDOFF_KEY, None)


def exchange_handoffs() -> None:
    """Mount the exchange while handoff tokens are pending (once after a sign-in)."""
    pending = st.session_state.get(HANDOFF_KEY)
    if pending:
        _exchange(data={"route": SESSION_ROUTE, "handoffs": pending}, key="al_session_cookie", on_done_change=_done)
