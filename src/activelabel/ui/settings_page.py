"""The settings page (admins): strategy, auto-accept threshold, budget per round, retrain trigger,
overlap share (the report page points here for it), and signing a user out everywhere.

The new values are validated by the same pydantic model as ``activelabel.toml`` and written to it
atomically; an invalid value is refused with the key it concerns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from activelabel.auth import Guard, require
from activelabel.config import parse_config
from activelabel.errors import ActiveLabelError
from activelabel.strategies import available_strategies
from activelabel.ui.common import guard, md_escape

if TYPE_CHECKING:
    from activelabel.project import Project


def _sessions(g: Guard) -> None:
    """Sign a user out of every browser: their session cookies are refused from now on."""
    st.markdown("##### Sessions")
    names = [u["name"] for u in g.project.store.list_users()]
    if not names:
        return
    with st.form("al_revoke_form"):
        name = st.selectbox("User", names, key="al_revoke_name")
        revoke = st.form_submit_button("Sign out everywhere")
    if revoke:
        g.revoke_sessions(name)
        st.success(f"{name} is signed out of every browser; they sign in again with their password.")


def render(project: Project) -> None:
    g = guard(project)
    require(g.user, "admin")
    st.markdown(f"#### Settings · {md_escape(project.config.name)}")
    loop = project.config.loop
    fitting = set(project.config.fitting_strategies())
    strategies = {name: info for name, info in available_strategies().items() if name in fitting}
    names = list(strategies)
    if loop.strategy not in names:
        names.append(loop.strategy)
    with st.form("al_settings"):
        strategy = st.selectbox("Strategy", names, index=names.index(loop.strategy),
                                format_func=lambda n: f"{n} — {strategies[n].description}" if n in strategies else n)
        # no min/max on the widget: the browser would only paint a red border; the config says what is wrong
        threshold = st.number_input("Auto-accept threshold, 0 to 1 (confidence at or above it is labeled by the "
                                    "model)", value=float(loop.auto_accept_threshold), step=0.01, format="%.2f")
        budget = st.number_input("Human budget per round (items queued for people)", min_value=1,
                                 value=int(loop.human_budget_per_round), step=1)
        retrain = st.number_input("Retrain every N new answers (0: only on demand)", min_value=0,
                                  value=int(loop.retrain_every), step=1)
        overlap = st.number_input("Overlap share, 0 to 1 (items answered by several people, for agreement)",
                                  value=float(project.config.quality.overlap_share), step=0.05, format="%.2f")
        saved = st.form_submit_button("Save settings", type="primary")
    if saved:
        data = project.config.model_dump(mode="json")
        data["loop"].update(strategy=strategy, auto_accept_threshold=float(threshold),
                            human_budget_per_round=int(budget), retrain_every=int(retrain))
        data["quality"]["overlap_share"] = float(overlap)
        try:
            g.save_config(parse_config(data, source="settings"))
        except ActiveLabelError as exc:
            st.error(f"Not saved: {exc}")
        else:
            st.success("Saved to activelabel.toml. The next round (pre-label or training) uses them.")
    _sessions(g)
    st.caption(f"Project folder: `{project.dir}` · task {project.task} · labels: "
               + md_escape(", ".join(project.config.labels) or "-"))
