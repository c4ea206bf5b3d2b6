"""Classification: the text (or audio), the proposed label with its confidence, a button per label.

Number keys 1-9 choose labels; choosing the proposed label counts as accepting it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.types import ClassLabel, Payload
from activelabel.ui.audio_player import audio_player
from activelabel.ui.common import confidence_color, md_escape

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = True
FAST_LANE = ("text",)  # text items are labeled in the browser (ui/fastlane.py); render() serves audio


def show_media(project: Project, item: dict[str, Any]) -> None:
    if item["media"] == "audio":
        audio_player(project.dir / item["content"])
    else:
        with st.container(border=True):
            st.text(item["content"] or "(empty text)")  # plain text: no Markdown, no links from data


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    show_media(project, item)
    label_buttons(project, item, key, act)


def label_buttons(project: Project, item: dict[str, Any], key: str,
                  act: Callable[[str, Payload | None], None]) -> None:
    """The proposal with its confidence and one button per label (the proposed one highlighted)."""
    proposed = (item.get("proposed") or {}).get("label")
    conf = item.get("confidence")
    if proposed is not None:
        st.markdown(f"Model proposes **{md_escape(proposed)}** "
                    f"with confidence :{confidence_color(conf)}[**{conf:.2f}**]")
    labels = project.config.labels
    cols = st.columns(min(len(labels), 6))
    for i, label in enumerate(labels):
        hint = f"{i + 1} · " if i < 9 else ""
        cols[i % len(cols)].button(
            f"{hint}{label}", key=f"{key}_lab_{i}", width="stretch",
            type="primary" if label == proposed else "secondary",
            help=project.config.label_descriptions.get(label),
            on_click=act, args=("label", ClassLabel(label)),
        )


def fast_view(project: Project, item: dict[str, Any]) -> dict[str, Any]:
    """What the fast lane needs beyond the queued item: nothing, it draws the text and the labels."""
    return {}


def fast_value(project: Project, item_id: str, raw: dict[str, Any]) -> Payload:
    """The fast lane's answer, ``{"label": ...}``, as a payload (the project validates the label)."""
    return project.spec.payload(raw)


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    proposed = (item.get("proposed") or {}).get("label")
    return ClassLabel(proposed) if proposed is not None else None
