"""Detection: the proposed boxes drawn on the image; move, resize, delete and add them, a class each.

The label page's fast lane draws it in the browser (``ui/assets/box_core.js``): the image travels
inline with its item and is decoded while the item waits in the buffer, so a key press shows the
next image at once, and every edit is kept as it is made (there is no Complete step). The class keys
choose the class of new boxes only; the selected box changes class only through its own buttons.
Here: what the browser needs beyond the queued item, and its answer as ``Boxes``.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import InvalidLabelError
from activelabel.types import Box, Boxes, Payload
from activelabel.ui.common import fmt_float

if TYPE_CHECKING:
    from activelabel.project import Project

FAST_LANE = ("image",)  # drawn in the browser by the label page's fast lane (ui/fastlane.py)
PLAIN_KEYS = False  # the class keys and Delete belong to the box editor; Ctrl+Enter and Alt+letters act
INLINE_MAX_BYTES = 1_500_000  # a file up to this size goes to the browser as it is
INLINE_MAX_SIDE = 1600  # a larger one is sent re-encoded, at most this many pixels on a side
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif"}


def image_path(project: Project, item: dict[str, Any]) -> Path:
    path = Path(item["content"])
    return path if path.is_absolute() else project.dir / path


def _proposed(item: dict[str, Any]) -> list[dict[str, Any]]:
    return list((item.get("proposed") or {}).get("boxes", []))


def _confidences(item: dict[str, Any]) -> list[float | None]:
    """Each proposed box's confidence: its own, else the model's per-part one."""
    parts = item.get("parts") or []
    out = []
    for i, b in enumerate(_proposed(item)):
        conf = b.get("confidence")
        if conf is None and i < len(parts):
            conf = parts[i]
        out.append(None if conf is None else float(conf))
    return out


def proposal_text(item: dict[str, Any]) -> str:
    """What the model proposed, with each box's confidence; says so when it proposed no boxes."""
    if item.get("proposed") is None:
        return "No model proposal yet (cold start): draw the boxes."
    boxes = _proposed(item)
    if not boxes:
        return "The model proposes no boxes."
    shown = [f"{b['label']} {fmt_float(conf, 2)} at ({round(b['x0'])}, {round(b['y0'])})"
             f"-({round(b['x1'])}, {round(b['y1'])})" for b, conf in zip(boxes, _confidences(item))]
    return f"The model proposes {len(boxes)} box{'es' if len(boxes) > 1 else ''}: " + "; ".join(shown)


def inline_image(path: Path) -> tuple[str, int, int]:
    """The image as a data URL, with its width and height in its own pixels (what the boxes are in).

    A small PNG/JPEG/WebP/GIF goes as it is; anything else, or a large file, is re-encoded (as a JPEG
    at most INLINE_MAX_SIDE on a side): the browser shows it at the original's size, so the boxes
    stay in the original's pixels. EXIF orientation is not applied, as training does not apply it.
    """
    from PIL import Image

    with Image.open(path) as img:
        width, height = img.size
        mime = _MIME.get(path.suffix.lower())
        if mime and path.stat().st_size <= INLINE_MAX_BYTES:
            data = path.read_bytes()
        else:
            small = img.convert("RGB")
            small.thumbnail((INLINE_MAX_SIDE, INLINE_MAX_SIDE))
            buf = io.BytesIO()
            small.save(buf, format="JPEG", quality=88)
            data, mime = buf.getvalue(), "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", width, height


def fast_view(project: Project, item: dict[str, Any]) -> dict[str, Any]:
    """The image inline, the proposed boxes of the project's classes with their confidences, and the
    proposal line. An image that cannot be read comes with the reason instead, so that the person can
    skip or reject it and the rest of the buffer goes on."""
    labels = set(project.config.labels)
    boxes = [{**{k: float(b[k]) for k in ("x0", "y0", "x1", "y1")}, "label": b["label"], "confidence": conf}
             for b, conf in zip(_proposed(item), _confidences(item)) if b["label"] in labels]
    path = image_path(project, item)
    try:
        image, width, height = inline_image(path)
    except (OSError, ValueError) as exc:  # PIL's UnidentifiedImageError is an OSError
        return {"image": None, "image_error": f"{item['content']}: cannot read this image ({exc}); skip or reject it",
                "boxes": boxes, "proposal": proposal_text(item)}
    return {"image": image, "width": width, "height": height, "boxes": boxes, "proposal": proposal_text(item)}


def fast_value(project: Project, item_id: str, raw: dict[str, Any]) -> Payload:
    """The fast lane's answer: ``{"drawn_boxes": [{x0, y0, x1, y1, label}]}`` in image pixels, as shown,
    or the proposal as the task stores it (an accept). A drawn corner a pixel past the edge is
    clipped, not refused; the project then checks labels and bounds."""
    if "drawn_boxes" not in raw:
        return project.spec.payload(raw)
    try:
        rows = [(float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]), str(b["label"]))
                for b in raw["drawn_boxes"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLabelError(f"malformed boxes {raw['drawn_boxes']!r}: {exc}") from exc
    meta = project.store.get_item(item_id).meta or {}
    width, height = meta.get("width"), meta.get("height")
    out = []
    for x0, y0, x1, y1, label in rows:
        if width and height:
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
        if x1 <= x0 or y1 <= y0:
            raise InvalidLabelError(f"box ({x0:g}, {y0:g})-({x1:g}, {y1:g}): draw a box with a positive area")
        out.append(Box(x0, y0, x1, y1, label))
    return Boxes(tuple(out))
