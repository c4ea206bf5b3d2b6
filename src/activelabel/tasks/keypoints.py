"""Keypoints (landmarks, pose): objects in an image, each a box, a label and K named keypoints.

The project names its keypoints once, in order, in ``[extra] keypoints = ["tip", "left", "right"]``
(COCO's ``categories[].keypoints``); every object of every answer carries exactly those, each
``(x, y, v)`` in pixels with COCO's visibility flag (0 not labeled, 1 hidden, 2 visible). A labeled
point outside its image is refused, naming the item.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from activelabel.errors import InvalidLabelError
from activelabel.quality.keypoint_agreement import KeypointAgreement, mean_oks
from activelabel.tasks.base import TaskSpec, Value, json_parts
from activelabel.types import Item, Payload, Poses


def keypoint_names(extra: Mapping[str, Any]) -> list[str]:
    """The project's keypoint names, in order (``[extra] keypoints``)."""
    check_extra(extra)
    return [str(n) for n in extra["keypoints"]]


def flip_pairs(extra: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``[extra] flip_pairs``: keypoints that swap under a left-right flip (``[["left", "right"]]``)."""
    return [(str(a), str(b)) for a, b in extra.get("flip_pairs") or []]


def check_extra(extra: Mapping[str, Any]) -> None:
    names = extra.get("keypoints")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise ValueError("a keypoints project names its keypoints in order: [extra] keypoints = "
                         "[\"tip\", \"left\", \"right\"]")
    if len(set(names)) != len(names):
        raise ValueError(f"extra.keypoints must be distinct: {names}")
    pairs = extra.get("flip_pairs") or []
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 and set(p) <= set(names)
                                              for p in pairs):
        raise ValueError(f"extra.flip_pairs must be pairs of keypoint names from {names}, e.g. [[\"left\", \"right\"]]")


def check_poses(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    where = f"item {item.id or item.content}"
    return Poses.validate(value, labels, item.meta.get("width"), item.meta.get("height"), where=where)  # type: ignore[arg-type]


def check_names(value: Payload, extra: Mapping[str, Any]) -> Payload:
    if not isinstance(value, Poses):
        raise InvalidLabelError(f"a keypoints answer is Poses, not {type(value).__name__}")
    return value.check_names(keypoint_names(extra))


def pose_canonical(value: Value | None) -> Hashable:
    """Boxes and points to 0.1 px, hidden flags kept, unlabeled points' coordinates ignored."""
    out = []
    for o in (value or {}).get("objects", []):
        points = tuple((str(k["name"]), int(k.get("v", 2)),
                        *((round(float(k["x"]), 1), round(float(k["y"]), 1)) if int(k.get("v", 2)) else ()))
                       for k in o.get("keypoints", []))
        out.append((round(float(o["x0"]), 1), round(float(o["y0"]), 1), round(float(o["x1"]), 1),
                    round(float(o["y1"]), 1), str(o["label"]), points))
    return tuple(sorted(out))


def pose_labels_in(value: Value) -> list[str]:
    return [str(o["label"]) for o in value.get("objects", [])]


def pose_gold_score(answer: Value, gold: Value) -> float:
    if pose_canonical(answer) == pose_canonical(gold):
        return 1.0
    return mean_oks(answer, gold)


def pose_summary(value: Value) -> str:
    objects = value.get("objects", [])
    points = [k for o in objects for k in o.get("keypoints", [])]
    hidden = sum(int(k.get("v", 2)) == 1 for k in points)
    missing = sum(int(k.get("v", 2)) == 0 for k in points)
    labels = ", ".join(pose_labels_in(value)) or "no object"
    notes = [f"{hidden} hidden"] if hidden else []
    notes += [f"{missing} not labeled"] if missing else []
    return labels + (f" ({', '.join(notes)})" if notes else "")


SPEC = TaskSpec(
    name="keypoints", media="image", description="objects with named keypoints (landmarks, pose) in an image",
    payload_type=Poses, from_json=Poses.from_json, check=check_poses,
    canonical=pose_canonical, labels_in=pose_labels_in, gold_score=pose_gold_score,
    agreement=KeypointAgreement(), default_model="yolov8n-pose.yaml", default_adapter="yolo-pose",
    reader="keypoints", package_writer="keypoints-yolo", editor="keypoints",
    simulation_loader="activelabel.simulation.tasks.keypoints:load", metric_name="mean OKS",
    example={"objects": [{"x0": 4.0, "y0": 4.0, "x1": 40.0, "y1": 30.0, "label": "arrow",
                          "keypoints": [{"name": "tip", "x": 38.0, "y": 17.0, "v": 2},
                                        {"name": "left", "x": 6.0, "y": 6.0, "v": 2},
                                        {"name": "right", "x": 6.0, "y": 28.0, "v": 1}]}]},
    cli_value=json_parts("keypoints", "objects", Poses.from_json), summary=pose_summary,
    export_formats={"coco": "keypoints-coco"}, check_extra=check_extra, check_schema=check_names,
)
