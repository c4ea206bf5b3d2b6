"""Shared by the tracking tests: tiny synthetic clips and YOLO settings that keep training tiny."""

from __future__ import annotations

from pathlib import Path

from activelabel.types import Item, Payload, Tracks
from tests.detection_helpers import TINY_PARAMS  # noqa: F401  (sets YOLO_CONFIG_DIR before Ultralytics loads)


def tiny_track_data(tmp: Path, n: int = 3, n_frames: int = 16, size: int = 64,
                    seed: int = 0) -> tuple[list[Item], list[Payload]]:
    """Items with absolute clip paths (no project folder needed) and their true tracks."""
    from activelabel.samples.tracking import make_sample, truth

    folder = make_sample(tmp / f"clips_{seed}", n, seed, n_frames=n_frames, size=size)
    items, values = [], []
    for i, (name, value) in enumerate(sorted(truth(folder).items())):
        meta = {"width": size, "height": size, "n_frames": n_frames, "fps": 12.0, "file": name}
        items.append(Item(f"clip{i}", "video", str((folder / name).resolve()), meta))
        values.append(Tracks.from_json(value))
    return items, values
