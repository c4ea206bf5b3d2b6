"""Instance segmentation: the proposed objects filled on the image in their label's colour, each with
its label and confidence; outline new ones point by point, drag a point to move it, add a part to
an object cut in pieces (A) or remove one (Shift+Delete) (``ui/polygon_select.py``).

What a submit stores is the component's own report of what it drew, in image pixels: until it has
reported this item, Ctrl+Enter stores nothing and says why. The model's confidences are dropped: a
person's answer carries none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError
from activelabel.types import Masks, Payload
from activelabel.ui.common import confidence_color, fmt_float
from activelabel.ui.editors.detection import image_path
from activelabel.ui.polygon_select import polygon_select, reported_objects

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False  # 1-9, A, Enter, Backspace and Delete belong to the image while it has focus
DISPLAY_PX = 512
HELP = ("Keys 1-9 (or the chips) choose the label of new objects. Click on the image to outline one point by point: "
        "Enter or a click on its first point closes it, Backspace removes the last point, Esc cancels it "
        "(Shift+click starts one on top of an object). Click an object to select it, drag it or one of its points "
        "to move; Shift+1-9 relabels it, Delete removes it. An object seen in several parts (cut by something in "
        "front of it): select it, press A (or Add part) and outline another part the same way; Shift+Delete "
        "removes just the part clicked. Ctrl+Enter submits the objects shown.")


def _display(project: Project, item: dict[str, Any]) -> tuple[Any, int, int, float]:
    """The image as sent, the item's size, and the factor it is shown at: small images are enlarged by
    a whole factor (crisp pixels, grabbable points), large ones shrunk to fit (and sent at that size)."""
    from PIL import Image, ImageOps

    with Image.open(image_path(project, item)) as img:
        image = ImageOps.exif_transpose(img).convert("RGB")
    width, height = image.size
    fit = DISPLAY_PX / max(width, height)
    if fit >= 1:
        return image, width, height, float(int(fit))
    shown = image.resize((max(1, round(width * fit)), max(1, round(height * fit))), Image.Resampling.LANCZOS)
    return shown, width, height, fit


def _proposed(item: dict[str, Any]) -> list[dict[str, Any]]:
    return list((item.get("proposed") or {}).get("objects", []))


def proposal_text(item: dict[str, Any]) -> str:
    """What the model proposed: each object's label and confidence; says so when it proposed none."""
    if item.get("proposed") is None:
        return "No model proposal yet (cold start): outline the objects."
    conf = item.get("confidence")
    head = f"Model confidence :{confidence_color(conf)}[**{conf:.2f}**] · " if conf is not None else ""
    objects = _proposed(item)
    if not objects:
        return head + "The model proposes no objects."
    shown = "; ".join(f"{o['label']} {fmt_float(o.get('confidence'), 2)}" for o in objects)
    return head + f"The model proposes {len(objects)} object{'s' if len(objects) > 1 else ''}: {shown}"


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    st.caption(proposal_text(item))
    image, width, height, scale = _display(project, item)
    edit = reported_objects(key, item["id"])
    polygon_select(key=key, item_id=item["id"], image=image, width=width, height=height, scale=scale,
                   labels=list(project.config.labels), objects=edit if edit is not None else _proposed(item),
                   reported=edit is not None)
    st.caption(HELP)


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    objects = reported_objects(key, item["id"])
    if objects is None:
        raise InvalidLabelError("the segmentation editor has not shown this item yet: wait until the image "
                                "appears, then submit again")
    for o in objects:  # the model's confidences are not part of a person's answer
        o.pop("confidence", None)
    try:
        return Masks.from_json({"objects": objects})
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLabelError(f"the segmentation editor reported a malformed value: {exc}") from exc
