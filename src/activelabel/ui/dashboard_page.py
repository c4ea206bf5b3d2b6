"""The dashboard: learning curve, label distribution, queue, audits, throughput, versions, retraining.

Training runs in a background worker process; the progress panel polls the version's progress and
message once a second, and the new ranking is picked up by the label page on its own. The whole page
is redrawn when a version is promoted or the queue is re-ranked (``page_refresh.follow``), so the
model tile, the counts and the Train button follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from activelabel.errors import ActiveLabelError
from activelabel.ui import dashboard_data as data
from activelabel.ui.common import guard, md_escape
from activelabel.ui.page_refresh import follow

if TYPE_CHECKING:
    from activelabel.auth import Guard
    from activelabel.project import Project


def _start_training(g: Guard) -> None:
    try:
        version = g.train()
    except (ActiveLabelError, RuntimeError) as exc:
        st.session_state["al_train_error"] = str(exc)
    else:
        st.session_state["al_train_error"] = None
        st.session_state["al_training_version"] = version


def _height(rows: int) -> int:
    """A table's height that fits its rows (35 px each, plus the header), up to 7 rows before it scrolls."""
    return 35 * (min(max(rows, 1), 7) + 1) + 3


@st.fragment(run_every=1.0)
def training_panel(project: Project) -> None:
    """Live progress of a background training run (reruns alone, every second)."""
    running = data.training_progress(project)
    if running is not None:
        st.progress(min(1.0, running["progress"]),
                    text=f"Training {running['version']}: {running['message']} ({running['progress']:.0%})")
        return
    last = st.session_state.get("al_training_version")
    if last:
        v = project.store.get_version(last)
        if v.status == "failed":
            st.error(f"Training {last} failed: {v.message}")
        elif v.status == "ready":  # done, but the promotion gate kept the current version
            st.warning(md_escape(data.promotion_note(project) or f"{last} was not promoted."))
        else:
            metric = v.metrics.get("metric")
            st.success(f"{last} is {v.status}" + (f" (held-out metric {metric:.3f})" if metric is not None else "")
                       + ". The queue was re-ordered with its scores.")


def render(project: Project) -> None:
    g = guard(project)
    st.markdown(f"#### Dashboard · {md_escape(project.config.name)}")
    tiles = data.count_tiles(project)
    cols = st.columns(len(tiles) + 1)
    for col, (title, value, what) in zip(cols, tiles):
        col.metric(title, value, help=what)
    cols[-1].metric("Model", project.store.current_version() or "none", help="the model version in force")

    left, right = st.columns(2)
    with left:
        st.markdown("**Learning curve** (held-out metric per model version, over labels)")
        curve = data.learning_curve(project)
        if curve:
            st.line_chart(curve, x="labels", y="metric", height=240)
        else:
            st.caption("No trained version yet: answer some items, then train.")
    with right:
        st.markdown("**Label distribution** (labels in force, by source)")
        dist = data.label_distribution(project)
        if dist:
            st.bar_chart(dist, x="label", y="count", color="source", height=240)
        else:
            st.caption("No labels yet.")

    left, right = st.columns(2)
    with left:
        st.markdown("**Auto-accepted items and their audits**")
        audit = data.audit_findings(project)
        # one row per figure: five columns side by side did not fit half the page
        st.dataframe([{"audits": name, "items": n} for name, n in data.readable([audit])[0].items()], hide_index=True,
                     width="stretch", height=_height(len(audit)))
        st.markdown("**Answers per annotator per hour**")
        rate = data.answers_per_hour(project)
        if rate:
            st.dataframe(rate, hide_index=True, width="stretch", height=_height(len(rate)))
        else:
            st.caption("No answers yet.")
    with right:
        st.markdown("**Model versions**")
        versions = data.versions_table(project)
        st.dataframe(data.readable(versions), hide_index=True, width="stretch", height=_height(len(versions)))
        note = data.promotion_note(project)
        if note is not None:
            st.warning(md_escape(note))
        advice = data.stopping_advice(project)
        if advice is not None:
            st.markdown("**When to stop**")
            st.caption(md_escape(advice))

    st.markdown("**Retrain**")
    if g.user.has("reviewer"):
        st.button("Train a new version now", key="al_train", on_click=_start_training, args=(g,),
                  disabled=data.training_progress(project) is not None, type="primary")
    else:
        every = project.config.loop.retrain_every
        st.caption("A reviewer or admin can start training" + (
            f"; it also starts on its own every {every} answers." if every else "."))
    if st.session_state.get("al_train_error"):
        st.error(st.session_state["al_train_error"])
    training_panel(project)
    follow(project, "dashboard")
