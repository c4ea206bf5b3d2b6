"""Pages that follow the project on their own: a poll of a cheap store read reruns the page on a change.

The dashboard, review and report pages draw figures that go stale when a model version is promoted,
a training run ends, or the queue is re-ranked (a new round). Each calls ``follow`` once per full
run: it remembers what the page was drawn from, and a small fragment re-reads it every
``POLL_S`` seconds and reruns the whole page when it changed, so the model tile, the counts and
the Train button follow without a click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from activelabel.project import Project

POLL_S = 1.0
Marker = tuple[str | None, int | None, str | None, str | None]


def marker(project: Project) -> Marker:
    """What the pages are drawn from: the version in force, the round (ranking), the newest version and its status."""
    store = project.store
    rnd = store.current_round()
    versions = store.list_versions()
    newest = versions[-1] if versions else None
    return (store.current_version(), rnd.id if rnd else None, newest.id if newest else None,
            newest.status if newest else None)


def follow(project: Project, page: str) -> None:
    """Rerun this page whenever ``marker`` changes (call it once, anywhere on the page)."""
    key = f"al_follow_{page}"
    st.session_state[key] = marker(project)
    _poll(project, key)


@st.fragment(run_every=POLL_S)
def _poll(project: Project, key: str) -> None:
    now = marker(project)
    if now != st.session_state.get(key):
        st.session_state[key] = now
        st.rerun(scope="app")
