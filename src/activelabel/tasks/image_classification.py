"""Image classification: one label per image, from a fixed set (an Ultralytics YOLO classifier)."""

from __future__ import annotations

from activelabel.quality.agreement_metrics import ClassAgreement
from activelabel.tasks.base import TaskSpec
from activelabel.tasks.classification import check_class, class_canonical, class_gold_score, class_labels_in
from activelabel.types import ClassLabel

SPEC = TaskSpec(
    name="image_classification", media="image", description="one label per image",
    payload_type=ClassLabel, from_json=ClassLabel.from_json, check=check_class,
    canonical=class_canonical, labels_in=class_labels_in, gold_score=class_gold_score,
    agreement=ClassAgreement(), default_model="yolov8n-cls.yaml", default_adapter="yolo-cls",
    reader="image_classification", package_writer="imagenet-folders", editor="image_classification",
    simulation_loader="activelabel.simulation.tasks.image_classification:load", metric_name="accuracy",
    min_labels=2, single_label=True, cli_value=ClassLabel,
    example={"label": "seven"},
)
