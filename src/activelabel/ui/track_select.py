"""Check a clip frame by frame: the tracking editor's ``st.components.v2`` component.

Built as ``polygon_select`` is, for the same reason: the annotation packages on PyPI are v1 iframe
components, whose keys never reach the page's hotkeys (Ctrl+Enter would be lost). This one is plain
JavaScript and CSS shipped in the package (``ui/assets/track_select.*``), mounted in the page's own
DOM, with no network access. The frames travel inline as JPEG data URLs, decoded here once per clip
(``activelabel.video``); boxes go both ways in the video's own pixels, whatever size the frames
are sent at.

What the component is given stays the same for an item, so Streamlit's message cache does not send
the frames again on each rerun: the person's edits live in the browser (kept per item across
remounts) and come back only as the component's report, the corrections of the frames checked.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st

EDIT = "edit"  # the component's one state value: {"item", "corrections": {frame: [boxes left on it]}}
MAX_FRAMES = 900  # longer clips are not sent: hundreds of MB of frames would stall the page
FRAME_PX = 512  # frames are sent with their longer side at most this (coordinates stay the video's)
JPEG_QUALITY = 85


def _asset(name: str) -> str:
    from importlib.resources import files

    return (files("activelabel.ui") / "assets" / name).read_text(encoding="utf-8")


_component = st.components.v2.component("activelabel_track_select", js=_asset("track_select.js"),
                                        css=_asset("track_select.css"), isolate_styles=False)


def _noop() -> None:
    """The state callback Streamlit needs to keep the component's ``edit`` value."""


@dataclass(frozen=True)
class Clip:
    """A clip's frames as sent (JPEG data URLs), its size in pixels and the factor it is shown at."""

    frames: tuple[str, ...]
    width: int
    height: int
    scale: float


def display_scale(width: int, height: int) -> float:
    """Small videos are enlarged by a whole factor (crisp pixels, grabbable corners), large ones
    shrunk so that the longer side is ``FRAME_PX`` (and sent at that size)."""
    fit = FRAME_PX / max(width, height)
    return float(int(fit)) if fit >= 1 else fit


@lru_cache(maxsize=3)
def _encoded(path: str, stamp: tuple[int, int]) -> Clip:
    """``stamp`` (mtime, size) renews the cache when the file changes."""
    from PIL import Image

    from activelabel.video import InvalidVideoError, read_frames

    urls: list[str] = []
    width = height = 0
    scale = 1.0
    for _n, rgb in read_frames(Path(path)):
        image = Image.fromarray(rgb)
        if not urls:
            height, width = int(rgb.shape[0]), int(rgb.shape[1])
            scale = display_scale(width, height)
        if scale < 1:
            image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                 Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=JPEG_QUALITY)
        urls.append("data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii"))
    if not urls:
        raise InvalidVideoError(f"{path}: no frame could be decoded")
    return Clip(tuple(urls), width, height, scale)


def clip_frames(path: Path) -> Clip:
    """Every frame of a clip (a video file or a frame folder), decoded once while it is on screen
    (each rerun of the page asks again)."""
    stat = Path(path).stat()
    return _encoded(str(path), (stat.st_mtime_ns, stat.st_size))


def track_select(*, key: str, item_id: str, frames: Sequence[str], width: int, height: int, scale: float,
                 labels: list[str], tracks: list[dict[str, Any]], flagged: list[dict[str, Any]]) -> None:
    """Draw the clip (``frames``: data URLs of a ``width`` x ``height`` video, shown ``scale`` times
    that size) with ``tracks`` (the proposal as stored values) and the frames the model ``flagged``
    (``{"frame", "reason"}``)."""
    _component(key=key, data={"item": item_id, "frames": list(frames), "width": width, "height": height,
                              "scale": scale, "labels": labels, "tracks": tracks, "flagged": flagged},
               on_edit_change=_noop)


def reported_corrections(key: str, item_id: str) -> Any:
    """The component's last report for this item, as it came (frame as a JSON key -> the boxes left
    on that frame; the editor checks its shape), or None while it has reported none."""
    state = st.session_state.get(key)
    raw = state.get(EDIT) if isinstance(state, Mapping) else None
    if not isinstance(raw, dict) or raw.get("item") != item_id:
        return None
    return raw.get("corrections")
