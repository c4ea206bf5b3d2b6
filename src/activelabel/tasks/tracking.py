"""Video object tracking: the objects of a clip, each an identity with a label and a box per frame.

An answer is ``{"tracks": [{"id", "label", "boxes": [{"frame", x0, y0, x1, y1}]}], "keyframes": [...]}``
(frames from 0, pixels); ``keyframes`` are the frames a person checked, the rest carried from them
along the tracks (``tracking.propagation``). A box outside its frame, on a frame the video does not
have, or two boxes of one track on one frame are refused, naming the item and the track.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from activelabel.errors import InvalidLabelError
from activelabel.quality.track_agreement import TrackAgreement
from activelabel.tasks.base import TaskSpec, Value, json_parts
from activelabel.types import Item, Payload, Tracks


def check_tracks(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    where = f"item {item.id or item.content}"
    if not isinstance(value, Tracks):
        raise InvalidLabelError(f"{where}: a tracking answer is Tracks, not {type(value).__name__}")
    m = item.meta
    return value.validate(labels, m.get("width"), m.get("height"), m.get("n_frames"), where=where)


def track_canonical(value: Value | None) -> Hashable:
    """Ids, labels and boxes to 0.1 px (confidences and keyframes ignored)."""
    return tuple(sorted((int(t["id"]), str(t["label"]),
                         tuple((int(b["frame"]), *(round(float(b[k]), 1) for k in ("x0", "y0", "x1", "y1")))
                               for b in sorted(t["boxes"], key=lambda b: int(b["frame"]))))
                        for t in (value or {}).get("tracks", [])))


def track_labels_in(value: Value) -> list[str]:
    return [str(t["label"]) for t in value.get("tracks", [])]


def track_gold_score(answer: Value, gold: Value) -> float:
    from activelabel.tracking.identity import idf1

    return 1.0 if track_canonical(answer) == track_canonical(gold) else idf1(answer, gold)


def track_summary(value: Value) -> str:
    tracks = value.get("tracks", [])
    if not tracks:
        return "no track"
    keys = len(value.get("keyframes", []))
    return ", ".join(f"{t['label']} #{t['id']}" for t in tracks) + (f" ({keys} frames checked)" if keys else "")


SPEC = TaskSpec(
    name="tracking", media="video", description="objects tracked frame by frame through a video (identities and boxes)",
    payload_type=Tracks, from_json=Tracks.from_json, check=check_tracks,
    canonical=track_canonical, labels_in=track_labels_in, gold_score=track_gold_score,
    agreement=TrackAgreement(), default_model="yolov8n.yaml", default_adapter="yolo-track",
    reader="tracking", package_writer="tracking-mot", editor="tracking",
    simulation_loader="activelabel.simulation.tasks.tracking:load", metric_name="IDF1",
    example={"tracks": [{"id": 1, "label": "disc", "boxes": [{"frame": 0, "x0": 4.0, "y0": 4.0, "x1": 20.0, "y1": 20.0},
                                                             {"frame": 1, "x0": 6.0, "y0": 4.0, "x1": 22.0, "y1": 20.0}]}],
             "keyframes": [0]},
    cli_value=json_parts("tracking", "tracks", Tracks.from_json), summary=track_summary,
    export_formats={"mot": "tracking-mot-export", "cvat": "tracking-cvat"},
)
