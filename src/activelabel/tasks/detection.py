"""Object detection: labeled boxes in an image, in pixels, inside the image."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from activelabel.quality import metrics as m
from activelabel.quality.agreement_metrics import BoxAgreement
from activelabel.tasks.base import TaskSpec, Value, json_parts
from activelabel.types import Boxes, Item, Payload


def check_boxes(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    return Boxes.validate(value, labels, item.meta.get("width"), item.meta.get("height"))  # type: ignore[arg-type]


def box_canonical(value: Value | None) -> Hashable:
    return tuple(sorted((round(float(b["x0"]), 1), round(float(b["y0"]), 1), round(float(b["x1"]), 1),
                         round(float(b["y1"]), 1), str(b["label"])) for b in (value or {}).get("boxes", [])))


def box_labels_in(value: Value) -> list[str]:
    return [str(b["label"]) for b in value.get("boxes", [])]


def box_gold_score(answer: Value, gold: Value) -> float:
    if box_canonical(answer) == box_canonical(gold):
        return 1.0
    a, g = m.boxes_of(dict(answer)), m.boxes_of(dict(gold))
    return m.f1_from_counts(m.match_boxes(a, g), len(a), len(g)) or 0.0


SPEC = TaskSpec(
    name="detection", media="image", description="labeled boxes in an image",
    payload_type=Boxes, from_json=Boxes.from_json, check=check_boxes,
    canonical=box_canonical, labels_in=box_labels_in, gold_score=box_gold_score,
    agreement=BoxAgreement(), default_model="yolov8n.yaml", default_adapter="yolo",
    reader="detection", package_writer="yolo", editor="detection",
    simulation_loader="activelabel.simulation.tasks.detection:load", metric_name="mAP50",
    example={"boxes": [{"x0": 1.0, "y0": 2.0, "x1": 30.0, "y1": 40.0, "label": "square"}]},
    cli_value=json_parts("detection", "boxes", Boxes.from_json),
    export_formats={"yolo": "detection-yolo", "coco": "detection-coco", "voc": "detection-voc",
                    "labelstudio": "detection-labelstudio"},
)
