"""Shared by the image-classification tests: digit images on disk and settings that keep training tiny."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import tests.detection_helpers  # noqa: F401  (points YOLO_CONFIG_DIR at a temporary folder first)
from activelabel.types import ClassLabel, Item, Payload

# 1 epoch at 32 px: the tests check the plumbing (train, save, load, predict), not accuracy
TINY_CLS_PARAMS = {"epochs": 1, "imgsz": 32, "batch": 8, "device": "cpu", "predict_batch": 16}


def digit_items(tmp: Path, per_class: int = 4, digits: Sequence[str] = ("zero", "one", "two"),
                ) -> tuple[list[Item], list[Payload]]:
    """``per_class`` real digit PNGs of each of ``digits``, as items with absolute paths, and their labels."""
    from activelabel.samples.image_classification import labeled_images

    folder = tmp / "digit_items"
    folder.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    values: list[Payload] = []
    taken = dict.fromkeys(digits, 0)
    for name, data, label in labeled_images(None):
        if label in taken and taken[label] < per_class:
            taken[label] += 1
            (folder / name).write_bytes(data)
            items.append(Item(name, "image", str((folder / name).resolve()), {"width": 32, "height": 32}))
            values.append(ClassLabel(label))
    return items, values
