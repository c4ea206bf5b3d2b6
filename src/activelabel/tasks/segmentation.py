"""Instance segmentation: objects in an image, each a label and an outline of one or more polygons.

An answer is ``{"objects": [{"label", "polygons": [[x1, y1, x2, y2, ...], ...], x0, y0, x1, y1}]}`` in
pixels (COCO's polygon form; the box is the polygons' bounding box). A polygon with fewer than three
points, no area or a point outside its image is refused, naming the item and the object.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from activelabel.errors import InvalidLabelError
from activelabel.quality.mask_agreement import MaskAgreement, mean_mask_iou
from activelabel.tasks.base import TaskSpec, Value, json_parts
from activelabel.types import Item, Masks, Payload


def check_masks(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    where = f"item {item.id or item.content}"
    if not isinstance(value, Masks):
        raise InvalidLabelError(f"{where}: a segmentation answer is Masks, not {type(value).__name__}")
    return value.validate(labels, item.meta.get("width"), item.meta.get("height"), where=where)


def mask_canonical(value: Value | None) -> Hashable:
    """Labels and polygons to 0.1 px, in a fixed order (confidences ignored)."""
    out = []
    for o in (value or {}).get("objects", []):
        polys = tuple(sorted(tuple(round(float(v), 1) for v in p) for p in o.get("polygons", [])))
        out.append((str(o["label"]), polys))
    return tuple(sorted(out))


def mask_labels_in(value: Value) -> list[str]:
    return [str(o["label"]) for o in value.get("objects", [])]


def mask_gold_score(answer: Value, gold: Value) -> float:
    if mask_canonical(answer) == mask_canonical(gold):
        return 1.0
    return mean_mask_iou(answer, gold)


def mask_summary(value: Value) -> str:
    objects = value.get("objects", [])
    if not objects:
        return "no object"
    pieces = sum(len(o.get("polygons", [])) > 1 for o in objects)
    return ", ".join(mask_labels_in(value)) + (f" ({pieces} in several pieces)" if pieces else "")


SPEC = TaskSpec(
    name="segmentation", media="image", description="objects outlined by polygons in an image (instance segmentation)",
    payload_type=Masks, from_json=Masks.from_json, check=check_masks,
    canonical=mask_canonical, labels_in=mask_labels_in, gold_score=mask_gold_score,
    agreement=MaskAgreement(), default_model="yolov8n-seg.yaml", default_adapter="yolo-seg",
    reader="segmentation", package_writer="segmentation-yolo", editor="segmentation",
    simulation_loader="activelabel.simulation.tasks.segmentation:load", metric_name="mean mask IoU",
    example={"objects": [{"x0": 4.0, "y0": 4.0, "x1": 40.0, "y1": 30.0, "label": "triangle",
                          "polygons": [[4.0, 4.0, 40.0, 17.0, 4.0, 30.0]]}]},
    cli_value=json_parts("segmentation", "objects", Masks.from_json), summary=mask_summary,
    export_formats={"coco": "segmentation-coco", "labelstudio": "segmentation-labelstudio"},
)
