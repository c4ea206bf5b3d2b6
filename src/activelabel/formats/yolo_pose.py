"""The Ultralytics YOLO-pose folder layout: ``images/``, ``labels/*.txt`` and ``data.yaml``.

One line per object: ``class cx cy w h x1 y1 v1 ... xK yK vK``, all normalised to 0..1 (a point
that is not labeled is ``0 0 0``). ``data.yaml`` holds ``kpt_shape: [K, 3]``, the keypoint names
(``kpt_names``) and, when the project names left-right pairs, ``flip_idx`` (without it Ultralytics
turns flip augmentation off, which is right for points that have a side).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activelabel.types import Pose


def pose_lines(objects: Sequence[Pose], labels: Sequence[str], width: int, height: int) -> list[str]:
    index = {name: i for i, name in enumerate(labels)}
    out = []
    for o in objects:
        b = o.box
        head = (f"{index[b.label]} {(b.x0 + b.x1) / 2 / width:.6f} {(b.y0 + b.y1) / 2 / height:.6f} "
                f"{(b.x1 - b.x0) / width:.6f} {(b.y1 - b.y0) / height:.6f}")
        points = " ".join(f"{k.x / width:.6f} {k.y / height:.6f} {k.v}" if k.v else "0 0 0" for k in o.keypoints)
        out.append(f"{head} {points}")
    return out


def flip_index(names: Sequence[str], pairs: Sequence[tuple[str, str]]) -> list[int]:
    """Keypoint i -> the index it becomes under a left-right flip."""
    out = list(range(len(names)))
    for a, b in pairs:
        i, j = names.index(a), names.index(b)
        out[i], out[j] = j, i
    return out


def pose_data_yaml(out: Path, labels: Sequence[str], names: Sequence[str], pairs: Sequence[tuple[str, str]],
                   splits: dict[str, str], absolute: bool = False) -> Path:
    """Write ``data.yaml`` (``splits``: train/val/test -> folder or list file, relative to ``out``)."""
    import yaml

    data: dict[str, Any] = {**splits, "nc": len(labels), "names": dict(enumerate(labels)),
                            "kpt_shape": [len(names), 3], "kpt_names": {i: list(names) for i in range(len(labels))}}
    if pairs:
        data["flip_idx"] = flip_index(names, pairs)
    if absolute:
        data = {"path": str(out.resolve()), **data}
    path = out / "data.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
