"""Shared by the tracking tests: tiny synthetic clips and YOLO settings that keep training tiny."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def load_motmetrics(monkeypatch: Any) -> Any:
    """py-motmetrics (skipping the test without it). Its 1.4.0, the latest release, still calls
    ``np.asfarray``, which NumPy 2 removed: put back exactly that function, for this test only."""
    import numpy as np
    import pytest

    mm = pytest.importorskip("motmetrics")
    if not hasattr(np, "asfarray"):
        monkeypatch.setattr(np, "asfarray", lambda a: np.asarray(a, dtype=float), raising=False)
    return mm


def mot_idf1(mm: Any, gt_file: Path, hyp_file: Path) -> float:
    """IDF1 of ``hyp_file`` against ``gt_file``, both read by motmetrics (``mot15-2D``), matched at IoU 0.5."""
    gt = mm.io.loadtxt(str(gt_file), fmt="mot15-2D")
    hyp = mm.io.loadtxt(str(hyp_file), fmt="mot15-2D")
    acc = mm.utils.compare_to_groundtruth(gt, hyp, "iou", distth=0.5)  # an accumulator, frame by frame
    return float(mm.metrics.create().compute(acc, metrics=["idf1"], name="clip")["idf1"].iloc[0])
