"""Shared by the segmentation tests: tiny synthetic shapes and YOLO-seg settings that keep training tiny."""

from __future__ import annotations

from pathlib import Path

from activelabel.types import Item, Masks, Payload
from tests.detection_helpers import TINY_PARAMS  # noqa: F401  (sets YOLO_CONFIG_DIR before Ultralytics loads)


def tiny_mask_data(tmp: Path, n: int = 8, size: int = 64, seed: int = 0) -> tuple[list[Item], list[Payload]]:
    """Items with absolute image paths (no project folder needed) and their exact outlines."""
    from activelabel.samples.segmentation import make_sample, truth

    folder = make_sample(tmp / f"shapes_{seed}", n, seed, size=size, max_objects=2)
    items, values = [], []
    for i, (name, value) in enumerate(sorted(truth(folder).items())):
        path = (folder / "images" / name).resolve()
        items.append(Item(f"img{i}", "image", str(path), {"width": size, "height": size}))
        values.append(Masks.from_json(value))
    return items, values
