"""Multi-label: the text, one checkbox per label, the model's proposal pre-checked with each label's probability.

Number keys 1-9 toggle the first nine labels (the editor's own hotkeys; the page's Alt+A accepts the
proposal and Ctrl+Enter submits the boxes as checked). Nothing checked submits the empty set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.types import LabelSet, Payload
from activelabel.ui.common import confidence_color, md_escape
from activelabel.ui.editors.classification import show_media

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False  # the page's plain number keys would submit one label; ours toggle a box instead
HOTKEYS = "multilabel"


def _box_key(key: str, i: int) -> str:
    return f"{key}_box_{i}"


def _proposed(item: dict[str, Any]) -> set[str]:
    return {str(x) for x in (item.get("proposed") or {}).get("labels") or ()}


def _probabilities(project: Project, item: dict[str, Any]) -> list[float] | None:
    """Per-label probabilities of the proposal (stored as its parts, in label order), if they fit."""
    parts = item.get("parts") or []
    return [float(p) for p in parts] if len(parts) == len(project.config.labels) else None


def _toggle_keys(labels: list[str], key: str) -> None:
    import streamlit_hotkeys as hotkeys

    hotkeys.activate([hotkeys.hk(f"toggle:{i}", key=str(i + 1), help=f"toggle {lab}")
                      for i, lab in enumerate(labels[:9])], key=HOTKEYS)
    for i in range(min(len(labels), 9)):
        if hotkeys.pressed(f"toggle:{i}", key=HOTKEYS):
            st.session_state[_box_key(key, i)] = not st.session_state.get(_box_key(key, i), False)
            break


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    show_media(project, item)
    labels = project.config.labels
    proposed = _proposed(item)
    proba = _probabilities(project, item)
    conf = item.get("confidence")
    if item.get("proposed") is not None and conf is not None:
        shown = ", ".join(md_escape(lab) for lab in labels if lab in proposed) or "no label"
        st.markdown(f"Model proposes **{shown}** with confidence :{confidence_color(conf)}[**{conf:.2f}**]")
    for i, lab in enumerate(labels):  # pre-check the proposal once, then the boxes keep the person's choice
        st.session_state.setdefault(_box_key(key, i), lab in proposed)
    _toggle_keys(labels, key)
    cols = st.columns(min(len(labels), 3))
    for i, lab in enumerate(labels):
        hint = f"{i + 1} · " if i < 9 else ""
        p = f" ({proba[i]:.2f})" if proba is not None else ""
        cols[i % len(cols)].checkbox(f"{hint}{lab}{p}", key=_box_key(key, i),
                                     help=project.config.label_descriptions.get(lab))
    st.caption("Number keys toggle labels; submit the boxes as checked (nothing checked: no label applies).")


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    labels = project.config.labels
    if not any(_box_key(key, i) in st.session_state for i in range(len(labels))):
        return LabelSet(tuple(lab for lab in labels if lab in _proposed(item)))
    return LabelSet(tuple(lab for i, lab in enumerate(labels) if st.session_state.get(_box_key(key, i), False)))
