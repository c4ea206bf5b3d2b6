"""Detection: the proposed boxes drawn on the image; move, resize, delete and add them, a label each.

The drawing is ``streamlit-image-annotation`` (its JavaScript ships inside the wheel, so it works
offline), served patched (``detection_widget``): the class choice applies to new boxes only, and every
edit is reported as it is made, so nothing waits on a Complete button. Its value (boxes in image pixels)
is kept per item in the session until it is submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError
from activelabel.types import Box, Boxes, Payload
from activelabel.ui.common import fmt_float
from activelabel.ui.editors.detection_widget import draw

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


CAPTION = ("Mode *Transform*: drag on the image to draw a box of the *Class* chosen (click the image once first "
           "if a box is selected); click a box to select it, drag it to move it, drag its corners to resize it. "
           "Mode *Del*: click a box to delete it. The *Class* applies to new boxes; to change a box's class, "
           "delete it and draw it again. Edits are kept as you make them: **Submit** (Ctrl+Enter) stores the "
           "boxes as shown.")


def proposal_text(item: dict[str, Any]) -> str:
    """What the model proposed, with each box's confidence; says so when it proposed no boxes."""
    if item.get("proposed") is None:
        return "No model proposal yet (cold start): draw the boxes."
    parts = item.get("parts") or []
    boxes = _proposed(item)
    if not boxes:
        return "The model proposes no boxes."
    shown = []
    for i, b in enumerate(boxes):
        conf = b.get("confidence")
        if conf is None and i < len(parts):  # a box without its own confidence: the model's per-part one
            conf = parts[i]
        shown.append(f"{b['label']} {fmt_float(conf, 2)} at ({round(b['x0'])}, {round(b['y0'])})"
                     f"-({round(b['x1'])}, {round(b['y1'])})")
    return f"The model proposes {len(boxes)} box{'es' if len(boxes) > 1 else ''}: " + "; ".join(shown)


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    labels = project.config.labels
    boxes = st.session_state.get(f"{key}_value")
    if boxes is None:
        boxes = [{"bbox": [b["x0"], b["y0"], b["x1"] - b["x0"], b["y1"] - b["y0"]], "label": b["label"]}
                 for b in _proposed(item) if b["label"] in labels]
    st.caption(CAPTION)
    st.caption(proposal_text(item))
    image, factor = _display_image(str(image_path(project, item)))
    result = draw(image, labels, [[v * factor for v in b["bbox"]] for b in boxes],
                  [labels.index(b["label"]) for b in boxes], size=DISPLAY_PX, line_width=2, key=key)
    if result is not None:  # back to the image's own pixels
        st.session_state[f"{key}_value"] = [{"bbox": [v / factor for v in r["bbox"]], "label": r["label"]}
                                            for r in result]


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
