"""The review page (reviewers and admins): audits of auto-accepted items, disagreements, suspected
label errors; any of them can be sent back to the human queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.auth import require
from activelabel.errors import ActiveLabelError
from activelabel.ui import review_data as data
from activelabel.ui.common import guard, md_escape
from activelabel.ui.page_refresh import follow

if TYPE_CHECKING:
    from activelabel.auth import Guard
    from activelabel.project import Project


@st.cache_data(show_spinner="Re-predicting the human labels with the current model…", max_entries=8)
def _suspects(directory: str, version: str | None, last_answer: int, threshold: float) -> list[dict[str, Any]]:
    from activelabel.ui.common import open_project_cached

    return data.suspected_errors(open_project_cached(directory), threshold)


def _requeue(g: Guard, key: str) -> None:
    ids = st.session_state.get(key) or []
    try:
        for item_id in ids:
            g.requeue(item_id)
    except ActiveLabelError as exc:
        st.session_state["al_review_msg"] = ("error", str(exc))
    else:
        st.session_state["al_review_msg"] = ("success", f"Re-queued {len(ids)} item(s) at the front of the queue.")
        st.session_state[key] = []


def _section(g: Guard, title: str, rows: list[dict[str, Any]], key: str, empty: str) -> None:
    st.markdown(f"**{title}** ({len(rows)})")
    if not rows:
        st.caption(empty)
        return
    # the picker names each item by its row number in the table above and its content, not an id prefix
    shown = [{"#": n, **r} for n, r in enumerate(rows, 1)]
    st.dataframe(shown, hide_index=True, width="stretch", height=min(35 * (len(rows) + 1) + 3, 283))
    names = {r["item"]: f"#{r['#']} · {r['content'][:60]}" for r in shown}
    st.multiselect("Items to re-queue", list(names), format_func=names.__getitem__, key=key)
    st.button("Re-queue selected", key=f"{key}_btn", on_click=_requeue, args=(g, key))


def render(project: Project) -> None:
    g = guard(project)
    require(g.user, "reviewer")
    st.markdown(f"#### Review · {md_escape(project.config.name)}")
    msg = st.session_state.pop("al_review_msg", None)
    if msg:
        getattr(st, msg[0])(msg[1])
    _section(g, "Audit sample of auto-accepted items", data.audit_sample(project), "al_rq_audit",
             "No audit sample in the current round (nothing was auto-accepted).")
    _section(g, "Disagreements between annotators", data.disagreements(project), "al_rq_disagree",
             "No two annotators disagree on an item.")
    threshold = st.slider("Suspect a human label when the model contradicts it with confidence at least",
                          0.5, 0.99, 0.8, 0.01, key="al_suspect_threshold")
    suspects = _suspects(str(project.dir), project.store.current_version(), project.store.max_annotation_id(),
                         float(threshold))
    _section(g, "Suspected label errors (most suspect first)", suspects, "al_rq_suspect",
             "No human label is contradicted by the current model" if project.store.current_version()
             else "No trained model yet.")
    follow(project, "review")
