"""Shared by the keypoint tests: tiny synthetic arrows and YOLO-pose settings that keep training tiny."""

from __future__ import annotations

from pathlib import Path

from activelabel.types import Item, Payload
from tests.detection_helpers import TINY_PARAMS  # noqa: F401  (sets YOLO_CONFIG_DIR before Ultralytics loads)


def tiny_keypoint_data(tmp: Path, n: int = 8, size: int = 64, seed: int = 0) -> tuple[list[Item], list[Payload]]:
    """Items with absolute image paths (no project folder needed) and their exact keypoints."""
    from activelabel.formats.base import Rejection
    from activelabel.formats.keypoints import read_keypoints
    from activelabel.samples.keypoints import EXTRA, LABELS, make_sample

    folder = make_sample(tmp / f"arrows_{seed}", n, seed, size=size, max_objects=2)
    project = tmp / f"media_{seed}"
    items, values = [], []
    for i, rec in enumerate(read_keypoints(folder, "coco", labels=LABELS, project_dir=project, extra=EXTRA)):
        if isinstance(rec, Rejection) or rec.value is None:
            raise AssertionError(f"generated sample rejected: {rec}")
        items.append(Item(f"img{i}", "image", str((project / rec.content).resolve()), rec.meta))
        values.append(rec.value)
    return items, values
