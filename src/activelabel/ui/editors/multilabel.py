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


def _chosen_key(key: str) -> str:
    return f"{key}_chosen"


def _box_key(key: str, i: int, rev: int) -> str:
    return f"{key}_box_{i}_r{rev}"


def _proposed(item: dict[str, Any]) -> set[str]:
    return {str(x) for x in (item.get("proposed") or {}).get("labels") or ()}


def _probabilities(project: Project, item: dict[str, Any]) -> list[float] | None:
    """Per-label probabilities of the proposal (stored as its parts, in label order), if they fit."""
    parts = item.get("parts") or []
    return [float(p) for p in parts] if len(parts) == len(project.config.labels) else None


def _chosen(item: dict[str, Any], key: str) -> list[str]:
    """The labels checked so far: a plain session value (not widget state, which a rerun may reset),
    starting from the proposal."""
    return st.session_state.setdefault(_chosen_key(key), sorted(_proposed(item)))  # type: ignore[no-any-return]


def _toggle(key: str, label: str) -> None:
    chosen = st.session_state[_chosen_key(key)]
    st.session_state[_chosen_key(key)] = sorted(set(chosen) ^ {label})
    st.session_state[f"{key}_rev"] = st.session_state.get(f"{key}_rev", 0) + 1  # fresh boxes show the change


def _on_box(key: str, label: str, box: str) -> None:
    chosen = set(st.session_state[_chosen_key(key)])
    st.session_state[_chosen_key(key)] = sorted(chosen | {label} if st.session_state[box] else chosen - {label})


def _toggle_keys(labels: list[str], key: str) -> None:
    import streamlit_hotkeys as hotkeys

    hotkeys.activate([hotkeys.hk(f"toggle:{i}", key=str(i + 1), help=f"toggle {lab}")
                      for i, lab in enumerate(labels[:9])], key=HOTKEYS)
    for i in range(min(len(labels), 9)):
        if hotkeys.pressed(f"toggle:{i}", key=HOTKEYS):
            _toggle(key, labels[i])
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
    _chosen(item, key)
    _toggle_keys(labels, key)
    chosen = set(_chosen(item, key))
    rev = st.session_state.get(f"{key}_rev", 0)
    cols = st.columns(min(len(labels), 3))
    for i, lab in enumerate(labels):
        hint = f"{i + 1} · " if i < 9 else ""
        p = f" ({proba[i]:.2f})" if proba is not None else ""
        box = _box_key(key, i, rev)
        cols[i % len(cols)].checkbox(f"{hint}{lab}{p}", value=lab in chosen, key=box, on_change=_on_box,
                                     args=(key, lab, box), help=project.config.label_descriptions.get(lab))
    st.caption("Number keys toggle labels; submit the boxes as checked (nothing checked: no label applies).")


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    chosen = set(_chosen(item, key))
    return LabelSet(tuple(lab for lab in project.config.labels if lab in chosen))
