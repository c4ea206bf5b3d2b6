"""Shared by the detection tests: tiny synthetic data and YOLO settings that keep training tiny.

Ultralytics writes a settings file on import; pointing YOLO_CONFIG_DIR at a temporary folder (before
it is imported) keeps that, and every training run, out of the repository and the home folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from activelabel.types import Item, Payload

os.environ.setdefault("YOLO_CONFIG_DIR", str(Path(tempfile.gettempdir()) / "activelabel-test-yolo-config"))

# 1 epoch at 64 px: the tests check the plumbing (train, save, load, predict), not accuracy
TINY_PARAMS = {"epochs": 1, "imgsz": 64, "batch": 8, "device": "cpu", "predict_batch": 8}


def tiny_detection_data(tmp: Path, n: int = 8, size: int = 64, seed: int = 0) -> tuple[list[Item], list[Payload]]:
    """Items with absolute image paths (no project folder needed) and their exact boxes."""
    from activelabel.formats.base import Rejection
    from activelabel.formats.detection import read_detection
    from activelabel.samples.detection import LABELS, make_sample

    folder = make_sample(tmp / f"shapes_{seed}", n, seed, size=size, max_shapes=2)
    project = tmp / f"media_{seed}"
    items, values = [], []
    for i, rec in enumerate(read_detection(folder, "yolo", labels=LABELS, project_dir=project)):
        if isinstance(rec, Rejection) or rec.value is None:
            raise AssertionError(f"generated sample rejected: {rec}")
        items.append(Item(f"img{i}", "image", str((project / rec.content).resolve()), rec.meta))
        values.append(rec.value)
    return items, values
