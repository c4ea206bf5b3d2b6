"""Detection: the proposed boxes drawn on the image; move, resize, delete and add them, a label each.

The drawing is ``streamlit-image-annotation`` (its JavaScript ships inside the wheel, so it works
offline). Its value (boxes in image pixels) is kept per item in the session until it is submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError, MissingDependencyError
from activelabel.types import Box, Boxes, Payload
from activelabel.ui.common import fmt_float

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False
DISPLAY_PX = 512


def image_path(project: Project, item: dict[str, Any]) -> Path:
    path = Path(item["content"])
    return path if path.is_absolute() else project.dir / path


def _display_image(path: str) -> tuple[Any, int]:
    """The image, enlarged by a whole factor when it is small, so that boxes are easy to grab."""
    from PIL import Image

    image = Image.open(path).convert("RGB")
    factor = max(1, DISPLAY_PX // max(image.size))
    if factor > 1:
        image = image.resize((image.size[0] * factor, image.size[1] * factor), Image.Resampling.NEAREST)
    return image, factor


def _proposed(item: dict[str, Any]) -> list[dict[str, Any]]:
    return list((item.get("proposed") or {}).get("boxes", []))


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    try:
        from streamlit_image_annotation import detection
    except ImportError as exc:
        raise MissingDependencyError("streamlit-image-annotation", "ui") from exc
    labels = project.config.labels
    boxes = st.session_state.get(f"{key}_value")
    if boxes is None:
        boxes = [{"bbox": [b["x0"], b["y0"], b["x1"] - b["x0"], b["y1"] - b["y0"]], "label": b["label"]}
                 for b in _proposed(item) if b["label"] in labels]
    st.caption("Mode *Transform*: drag a box to move it, its corners to resize, select it and press Delete to "
               "remove it. Mode *Draw*: draw a new box with the *Class* chosen. Press **Complete** to keep the "
               "edits, then **Submit** (Ctrl+Enter).")
    image, factor = _display_image(str(image_path(project, item)))
    result = detection(
        image_path=image, label_list=labels,
        bboxes=[[v * factor for v in b["bbox"]] for b in boxes], labels=[labels.index(b["label"]) for b in boxes],
        height=DISPLAY_PX, width=DISPLAY_PX, line_width=2, key=key,
    )
    if result is not None:  # back to the image's own pixels
        st.session_state[f"{key}_value"] = [{"bbox": [v / factor for v in r["bbox"]], "label": r["label"]}
                                            for r in result]
    parts = item.get("parts") or []
    rows = [{"label": b["label"], "confidence": b.get("confidence", parts[i] if i < len(parts) else None),
             "x0": round(b["x0"]), "y0": round(b["y0"]), "x1": round(b["x1"]), "y1": round(b["y1"])}
            for i, b in enumerate(_proposed(item))]
    if rows:
        st.caption("Proposed boxes: " + "; ".join(f"{r['label']} {fmt_float(r['confidence'], 2)}" for r in rows))


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    boxes = st.session_state.get(f"{key}_value")
    if boxes is None:
        return Boxes(tuple(Box(float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]), str(b["label"]))
                           for b in _proposed(item)))
    width, height = item.get("meta", {}).get("width"), item.get("meta", {}).get("height")
    out = []
    for b in boxes:
        x, y, w, h = (float(v) for v in b["bbox"])
        x0, y0, x1, y1 = x, y, x + w, y + h
        if width and height:  # the canvas lets a corner go a pixel past the edge; clip, do not refuse
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
        if x1 <= x0 or y1 <= y0:
            raise InvalidLabelError(f"box {b['bbox']}: draw a box with a positive area")
        out.append(Box(x0, y0, x1, y1, str(b["label"])))
    return Boxes(tuple(out))
