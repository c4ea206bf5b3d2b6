"""Drag keypoints on the image: the keypoints editor's ``st.components.v2`` component.

No maintained PyPI component fits: the image-annotation ones are v1 iframe components, so keys
pressed in them never reach the page's hotkeys (Ctrl+Enter would be lost). This one is plain
JavaScript and CSS shipped in the package (``ui/assets``), mounted in the page's own DOM, with no
network access; the image travels inline as a data URL. Coordinates go both ways in image pixels.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import streamlit as st

EDIT = "edit"  # the component's one state value: {"item", "objects": [stored object values]}


def _asset(name: str) -> str:
    from importlib.resources import files

    return (files("activelabel.ui") / "assets" / name).read_text(encoding="utf-8")


_component = st.components.v2.component("activelabel_keypoint_select", js=_asset("keypoint_select.js"),
                                        css=_asset("keypoint_select.css"), isolate_styles=False)


def _noop() -> None:
    """The state callback Streamlit needs to keep the component's ``edit`` value."""


def data_url(image: Any) -> str:
    """A PIL image as an inline PNG."""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def keypoint_select(*, key: str, item_id: str, image: Any, scale: int, names: list[str],
                    objects: list[dict[str, Any]], reported: bool, add: int = 0,
                    template: dict[str, Any] | None = None) -> None:
    """Draw the image (a PIL image, shown ``scale`` times its size) with ``objects`` (stored values).

    ``reported`` says the component has already reported this item (its objects are ``objects``), so
    a remount restores the edits instead of reporting them again. Each time ``add`` grows, the
    component adds ``template`` (one object) to what it shows."""
    width, height = image.size
    _component(key=key, data={"item": item_id, "image": data_url(image), "width": width, "height": height,
                              "scale": scale, "names": names, "objects": objects, "reported": reported,
                              "add": add, "template": template},
               on_edit_change=_noop)


def reported_objects(key: str, item_id: str) -> list[dict[str, Any]] | None:
    """The component's last report for this item (stored object values), or None while it has reported none."""
    state = st.session_state.get(key)
    raw = state.get(EDIT) if isinstance(state, Mapping) else None
    if not isinstance(raw, dict) or raw.get("item") != item_id:
        return None
    return [dict(o) for o in raw.get("objects") or []]
