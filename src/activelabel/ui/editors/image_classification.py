"""Image classification: the image, enlarged when small, then the proposed label and a button per label.

Number keys 1-9 choose labels (the page's plain keys, as for text classification); choosing the
proposed label counts as accepting it. Small images (32 px digits) are enlarged by a whole factor
with nearest-neighbour sampling, so their pixels stay sharp and nothing is invented.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.types import Payload
from activelabel.ui.common import md_escape
from activelabel.ui.editors.classification import label_buttons
from activelabel.ui.editors.classification import value as value  # the proposal, as for text

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = True
DISPLAY_PX = 256  # small images are enlarged to about this size


def image_path(project: Project, item: dict[str, Any]) -> Path:
    path = Path(item["content"])
    return path if path.is_absolute() else project.dir / path


def display_image(path: Path) -> Any:
    """The image upright in RGB, enlarged by a whole factor (nearest neighbour) when it is small."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        image = ImageOps.exif_transpose(img).convert("RGB")
    factor = max(1, DISPLAY_PX // max(image.size))
    if factor > 1:
        image = image.resize((image.size[0] * factor, image.size[1] * factor), Image.Resampling.NEAREST)
    return image


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    path = image_path(project, item)
    meta = item.get("meta") or {}
    size = f"{meta['width']}x{meta['height']} px" if meta.get("width") and meta.get("height") else ""
    st.image(display_image(path), caption=md_escape(" · ".join(x for x in (str(meta.get("file") or path.name), size) if x)))
    label_buttons(project, item, key, act)
