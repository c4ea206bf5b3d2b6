"""Outline objects on the image: the segmentation editor's ``st.components.v2`` component.

Built as ``keypoint_select`` is, for the same reason: the image-annotation packages on PyPI are v1
iframe components, whose keys never reach the page's hotkeys (Ctrl+Enter would be lost). This one is
plain JavaScript and CSS shipped in the package (``ui/assets/polygon_select.*``), mounted in the
page's own DOM, with no network access; the image travels inline as a data URL. Polygons go both
ways in image pixels, as the stored value has them (``[x1, y1, x2, y2, ...]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from activelabel.ui.keypoint_select import data_url

EDIT = "edit"  # the component's one state value: {"item", "objects": [stored object values]}


def _asset(name: str) -> str:
    from importlib.resources import files

    return (files("activelabel.ui") / "assets" / name).read_text(encoding="utf-8")


_component = st.components.v2.component("activelabel_polygon_select", js=_asset("polygon_select.js"),
                                        css=_asset("polygon_select.css"), isolate_styles=False)


def _noop() -> None:
    """The state callback Streamlit needs to keep the component's ``edit`` value."""


def polygon_select(*, key: str, item_id: str, image: Any, width: int, height: int, scale: float,
                   labels: list[str], objects: list[dict[str, Any]], reported: bool) -> None:
    """Draw ``image`` (a PIL image of a ``width`` x ``height`` item, shown ``scale`` times that size)
    with ``objects`` (stored values).

    ``image`` may be smaller than the item (a large photo is sent at the size shown); coordinates are
    always the item's pixels. ``reported`` says the component has already reported this item (its
    objects are ``objects``), so a remount restores the edits instead of reporting them again."""
    _component(key=key, data={"item": item_id, "image": data_url(image), "width": width, "height": height,
                              "scale": scale, "labels": labels, "objects": objects, "reported": reported},
               on_edit_change=_noop)


def reported_objects(key: str, item_id: str) -> list[dict[str, Any]] | None:
    """The component's last report for this item (stored object values), or None while it has reported none."""
    state = st.session_state.get(key)
    raw = state.get(EDIT) if isinstance(state, Mapping) else None
    if not isinstance(raw, dict) or raw.get("item") != item_id:
        return None
    return [dict(o) for o in raw.get("objects") or []]
