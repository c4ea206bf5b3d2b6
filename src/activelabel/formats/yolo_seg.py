"""The Ultralytics YOLO-seg folder layout: ``images/``, ``labels/*.txt`` and ``data.yaml``.

One line per polygon: ``class x1 y1 x2 y2 ... xn yn``, normalised to 0..1 by the image's width and
height (Ultralytics derives the box from the polygon). Ultralytics reads one polygon per line and
each line as its own instance, so an object outlined by several polygons (cut in two by something
in front of it) is written as several lines of the same class: the model learns each piece as an
instance, which is what it will predict for such an object anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from activelabel.types import MaskObject


def seg_lines(objects: Sequence[MaskObject], labels: Sequence[str], width: int, height: int) -> list[str]:
    """The label-file lines of one image: one per polygon, ``class`` then its points normalised."""
    index = {name: i for i, name in enumerate(labels)}
    out = []
    for o in objects:
        cls = index[o.box.label]
        for poly in o.polygons:
            points = " ".join(f"{x / width:.6f} {y / height:.6f}" for x, y in zip(poly[0::2], poly[1::2]))
            out.append(f"{cls} {points}")
    return out


def seg_data_yaml(folder: Path, labels: Sequence[str], splits: Mapping[str, str], absolute: bool = False) -> Path:
    """Write ``folder/data.yaml`` (``splits``: train/val/test -> folder or list file, relative to
    ``folder``); ``absolute`` adds ``path`` (the folder), for a yaml read from elsewhere. Without
    ``path``, Ultralytics resolves the splits against the yaml's own folder."""
    import yaml

    data: dict[str, Any] = {**splits, "nc": len(labels), "names": dict(enumerate(labels))}
    if absolute:
        data = {"path": str(folder.resolve()), **data}
    path = folder / "data.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
