"""The label page's fast lane: the next item is drawn in the browser before the server hears of the answer.

A Streamlit rerun per answer costs a websocket round trip and a redraw (p95 of several hundred
ms on a busy machine, docs/ui.md "Latency"), far more than the database. So for editors that
allow it (``FAST_LANE`` in the editor module names the media it draws: texts for classification and
NER, images for detection), the page mounts one
``st.components.v2`` component (``ui/assets/fastlane.js``, in the page's own DOM) with the items
this script claimed; from then on the component owns the keys, draws the next buffered item at
once, posts each answer in the background to ``ui/fastlane_api.py`` with its submission id, and
tops its buffer up there. The script itself reruns only for other reasons (the sidebar, a page
switch), never on a key press.
"""

from __future__ import annotations

from importlib.resources import files
from types import ModuleType
from typing import TYPE_CHECKING

import streamlit as st

from activelabel.auth import Guard
from activelabel.ui.common import cookie_name, md_escape
from activelabel.ui.fastlane_api import ANSWER_ROUTE, CLAIM_ROUTE, UNDO_ROUTE, fast_item
from activelabel.ui.queue_items import queued_json

if TYPE_CHECKING:
    from activelabel.project import Project

FIRST = 2  # items this script claims for the first draw; the browser claims the rest
TARGET = 5  # items the browser keeps in its buffer (the one on screen included)
ITEMS = "al_fast_items"


def _asset(name: str) -> str:
    return (files("activelabel.ui") / "assets" / name).read_text(encoding="utf-8")


# the editors' code comes first: the NER fast lane draws each item with span_core.js, detection with box_core.js
_component = st.components.v2.component(
    "activelabel_fastlane", js=_asset("span_core.js") + _asset("box_core.js") + _asset("fastlane.js"),
    css=_asset("span_select.css") + _asset("box_core.css") + _asset("fastlane.css"), isolate_styles=False)


def applies(project: Project, editor: ModuleType) -> bool:
    """The editor offers the fast lane for the project's media (audio still needs the server's player)."""
    return project.spec.media in getattr(editor, "FAST_LANE", ())


def render(project: Project, g: Guard, legend: list[tuple[str, str, str]]) -> None:
    """Mount the component with the first items, claimed once per browser session under this user's lease.

    ``legend``: (action, keys as shown, what they do) for the keys the component binds, as the page's legend.
    """
    ss = st.session_state
    st.markdown(f"#### Label · {md_escape(project.config.name)}")
    if ITEMS not in ss:  # a rerun passes the same items: the browser has moved on and keeps its own buffer
        ss[ITEMS] = [fast_item(project, queued_json(q)) for q in g.claim(FIRST)]
    rnd = project.store.current_round()
    _component(key="al_fastlane", data={
        "project": cookie_name(project.dir), "user": g.user.name, "role": g.user.role, "editor": project.spec.editor,
        "routes": {"claim": CLAIM_ROUTE, "answer": ANSWER_ROUTE, "undo": UNDO_ROUTE},
        "items": ss[ITEMS], "round": rnd.id if rnd else None, "target": TARGET,
        "labels": list(project.config.labels), "descriptions": dict(project.config.label_descriptions),
        "legend": [list(row) for row in legend],
    })
