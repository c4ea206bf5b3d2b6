"""Video object tracking: a frame scrubber with the proposed tracks' boxes (``ui/track_select.py``).

The person checks a few frames, the model's flagged ones first, and leaves each as it should be:
boxes moved, deleted, drawn, given another identity or another label (a track has one label, for
all its frames). Those frames are the keyframes; a submit carries each correction along its track
until the next keyframe (``tracking.propagation``), so one fix at the frame a tracker drifted fixes
the frames after it.

What a submit stores is built from the component's own report: until it has reported this item,
Ctrl+Enter stores nothing and says why. The model's confidences are dropped: a person's answer
carries none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError
from activelabel.tracking.propagation import FrameBox, clip_to_frame, propagate
from activelabel.types import Payload, Tracks
from activelabel.ui.common import confidence_color
from activelabel.ui.editors.detection import image_path
from activelabel.ui.track_select import MAX_FRAMES, clip_frames, reported_corrections, track_select

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False  # 1-9 (Shift too), arrows, N, K, I, Z and Delete belong to the frame while it has focus

CAPTION = ("←/→ (or the slider) step through the frames, Shift+←/→ by 10; N jumps to the next frame the model "
           "flagged. On the frame: drag a box to move it, drag a corner to resize it, drag on the image to draw a "
           "new box of the label chosen with 1-9 (or the chips), with a new id. Click a box to select it: Delete "
           "removes it from this frame, I then digits and Enter (or the id list) gives it another id, swapping with "
           "the box that had it, and Shift+1-9 (or its label chips) relabels its whole track, on every frame (to "
           "relabel part of a track, give that part a new id first). Any change checks the frame; K checks it as "
           "it is; Z undoes the last change. Ctrl+Enter submits: each checked frame's boxes are carried along "
           "their tracks to the next checked frame.")


def clip_path(project: Project, item: dict[str, Any]) -> Path:
    return image_path(project, item)


def _proposal(item: dict[str, Any]) -> Tracks:
    """The model's tracks, or none on a cold start."""
    from activelabel.tasks import get_task

    proposed = item.get("proposed")
    if proposed is None:
        return Tracks(())
    value = get_task("tracking").payload(proposed)  # InvalidLabelError, naming the value, on a wrong shape
    if not isinstance(value, Tracks):
        raise InvalidLabelError(f"a tracking proposal is Tracks, not {type(value).__name__}")
    return value


def flagged_frames(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The frames the model is unsure of, ``{"frame", "reason"}`` in frame order (the proposal's
    ``uncertain_frames``); none on a cold start."""
    return [{"frame": f, "reason": r} for f, r in sorted(dict(_proposal(item).uncertain_frames).items())]


def n_frames(project: Project, item: dict[str, Any]) -> int:
    """The clip's frame count: the item's metadata, else read from the clip."""
    n = (item.get("meta") or {}).get("n_frames")
    if n is None:
        from activelabel.video import probe

        return probe(clip_path(project, item)).n_frames
    return int(n)


def too_long(n: int) -> str | None:
    """Why a clip is not shown, or None when it is."""
    if n <= MAX_FRAMES:
        return None
    return (f"this clip has {n} frames, more than the {MAX_FRAMES} the tracking editor shows at once: "
            "accept the proposal (Alt+A) or skip it (Alt+S), and split long videos into shorter clips when importing")


def proposal_text(item: dict[str, Any]) -> str:
    """What the model proposed: each track's label, id and length, and how many frames it flagged."""
    if item.get("proposed") is None:
        return "No model proposal yet (cold start): draw the boxes on a frame, then check the next frames."
    conf = item.get("confidence")
    head = f"Model confidence :{confidence_color(conf)}[**{conf:.2f}**] · " if conf is not None else ""
    tracks = _proposal(item).tracks
    try:
        k = len(flagged_frames(item))
        flags = f"{k} frame{'s' if k > 1 else ''} flagged" if k else "no frame flagged"
    except ValueError:
        flags = "its flagged frames are unreadable"
    if not tracks:
        return head + f"The model proposes no tracks; {flags}"
    shown = ", ".join(f"{t.label} #{t.id} ({len(t.boxes)} frame{'s' if len(t.boxes) > 1 else ''})" for t in tracks)
    return head + f"The model proposes {len(tracks)} track{'s' if len(tracks) > 1 else ''}: {shown}; {flags}"


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    st.caption(proposal_text(item))
    why = too_long(n_frames(project, item))
    if why is not None:
        st.error(f"Not shown: {why}.")
        return
    clip = clip_frames(clip_path(project, item))
    meta = item.get("meta") or {}
    said = (meta.get("width"), meta.get("height"), meta.get("n_frames"))
    if said != (clip.width, clip.height, len(clip.frames)) and None not in said:
        st.warning(f"The item says {said[0]}x{said[1]} px and {said[2]} frames, the clip decodes to "
                   f"{clip.width}x{clip.height} px and {len(clip.frames)} frames: answers are checked against the item's.")
    try:
        flagged = flagged_frames(item)
    except ValueError as exc:
        st.warning(f"The model's flagged frames are unreadable ({exc}): none is listed.")
        flagged = []
    track_select(key=key, item_id=item["id"], frames=clip.frames, width=clip.width, height=clip.height,
                 scale=clip.scale, labels=list(project.config.labels),
                 tracks=[t.to_json() for t in _proposal(item).tracks], flagged=flagged)
    st.caption(CAPTION)


def _corrections(raw: Any) -> dict[int, list[FrameBox]]:
    """The component's report as keyframe -> boxes; a malformed one is refused, naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise InvalidLabelError(f"the tracking editor reported {type(raw).__name__}, not frames with their boxes")
    out: dict[int, list[FrameBox]] = {}
    for frame, boxes in raw.items():
        try:
            f = int(frame)
            seen: set[int] = set()
            out[f] = []
            for b in boxes:
                tid = b["id"]
                if isinstance(tid, bool) or not isinstance(tid, int):
                    raise TypeError(f"a track id is a whole number, got {tid!r}")
                if tid in seen:
                    raise ValueError(f"two boxes have the id {tid}")
                seen.add(tid)
                out[f].append(FrameBox(tid, str(b["label"]), float(b["x0"]), float(b["y0"]), float(b["x1"]),
                                       float(b["y1"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidLabelError(f"the tracking editor reported a malformed frame {frame}: {exc}") from exc
    return out


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    n = n_frames(project, item)
    why = too_long(n)
    if why is not None:
        raise InvalidLabelError(why)
    raw = reported_corrections(key, item["id"])
    if raw is None:
        raise InvalidLabelError("the tracking editor has not shown this item yet: wait until the frames "
                                "appear, then submit again")
    try:
        proposal = _proposal(item)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLabelError(f"the model's proposal for this clip is malformed: {exc}") from exc
    meta = item.get("meta") or {}
    return clip_to_frame(propagate(proposal, _corrections(raw), n), meta.get("width"), meta.get("height"))
