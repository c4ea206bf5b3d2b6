"""Keypoints: the proposed objects on the image, each point with its name and confidence; drag a
point to move it, click it to toggle visible / hidden (``ui/keypoint_select.py``).

What a submit stores is the component's own report of what it drew, in image pixels: until it has
reported this item, Ctrl+Enter stores nothing and says why. "Add object" puts one object of the
chosen label on the image, its points laid out in the middle, to drag into place (a cold start, or a
missed object); X removes the selected point's object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError
from activelabel.tasks.keypoints import keypoint_names
from activelabel.types import Payload, Poses
from activelabel.ui.common import confidence_color, fmt_float
from activelabel.ui.editors.detection import image_path
from activelabel.ui.keypoint_select import keypoint_select, reported_objects

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False  # V, Delete and the arrows belong to the image while it has focus
DISPLAY_PX = 512


def _display(project: Project, item: dict[str, Any]) -> tuple[Any, int]:
    """The image and the whole factor it is enlarged by, so that small images have grabbable points."""
    from PIL import Image, ImageOps

    with Image.open(image_path(project, item)) as img:
        image = ImageOps.exif_transpose(img).convert("RGB")
    return image, max(1, DISPLAY_PX // max(image.size))


def template(label: str, names: list[str], width: int, height: int) -> dict[str, Any]:
    """One object with its points spread on a circle in the middle of the image, to drag into place."""
    import math

    cx, cy, r = width / 2, height / 2, min(width, height) / 4
    points = [{"name": n, "x": round(cx + r * math.cos(2 * math.pi * i / len(names) - math.pi / 2), 1),
               "y": round(cy + r * math.sin(2 * math.pi * i / len(names) - math.pi / 2), 1), "v": 2}
              for i, n in enumerate(names)]
    return {"x0": cx - r, "y0": cy - r, "x1": cx + r, "y1": cy + r, "label": label, "keypoints": points}


def proposal_text(item: dict[str, Any]) -> str:
    """What the model proposed: each object's confidence and its least confident point."""
    conf = item.get("confidence")
    proposed = item.get("proposed")
    if proposed is None:
        return "No model proposal yet (cold start): add an object and drag its points into place."
    objects = proposed.get("objects", [])
    head = f"Model confidence :{confidence_color(conf)}[**{conf:.2f}**] · " if conf is not None else ""
    if not objects:
        return head + "the model proposes no object."
    shown = []
    for o in objects:
        points = [k for k in o.get("keypoints", []) if k.get("confidence") is not None]
        weakest = min(points, key=lambda k: float(k["confidence"])) if points else None
        part = f"{o['label']} {fmt_float(o.get('confidence'), 2)}"
        if weakest is not None:
            part += f" (least sure point: {weakest['name']} {float(weakest['confidence']):.2f})"
        shown.append(part)
    return head + f"{len(objects)} object{'s' if len(objects) > 1 else ''}: " + "; ".join(shown)


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    names = keypoint_names(project.config.extra)
    st.caption(proposal_text(item))
    image, scale = _display(project, item)
    edit = reported_objects(key, item["id"])
    objects = edit if edit is not None else list((item.get("proposed") or {}).get("objects", []))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    label = left.selectbox("Label of a new object", project.config.labels, key=f"{key}_label")
    if right.button("Add object", key=f"{key}_add"):
        st.session_state[f"{key}_adds"] = int(st.session_state.get(f"{key}_adds", 0)) + 1
    keypoint_select(key=key, item_id=item["id"], image=image, scale=scale, names=names, objects=objects,
                    reported=edit is not None, add=int(st.session_state.get(f"{key}_adds", 0)),
                    template=template(str(label), names, *image.size))
    st.caption("Drag a point to move it; click it (or press V) to toggle visible / hidden; Delete marks it not "
               "labeled; arrow keys nudge the selected point; X removes its object. A box grows with its points. "
               "Ctrl+Enter submits the points shown.")


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    objects = reported_objects(key, item["id"])
    if objects is None:
        raise InvalidLabelError("the keypoint editor has not shown this item yet: wait until the image appears, "
                                "then submit again")
    for o in objects:  # the model's confidences are not part of a person's answer
        o.pop("confidence", None)
        for k in o.get("keypoints", []):
            k.pop("confidence", None)
    try:
        return Poses.from_json({"objects": objects})
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLabelError(f"the keypoint editor reported a malformed value: {exc}") from exc
