"""Synthetic instance-segmentation data: discs, triangles and squares on a noisy background.

Each shape is drawn from its own polygon (a disc is a 24-gon), so the outline is the exact truth;
shapes never touch, and each is one polygon. Written as COCO (``annotations.json`` with polygon
``segmentation`` beside ``images/``) so that it imports as-is; ``with_labels=False`` writes the
images only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

LABELS = ["disc", "triangle", "square"]
MODEL_PARAMS: dict[str, Any] = {"imgsz": 96, "epochs": 20}  # the demo's images are 96 px: train at that size
CORNERS = {"disc": 24, "triangle": 3, "square": 4}


def _outline(rng: np.random.Generator, size: int, label: str) -> list[float] | None:
    radius = float(rng.uniform(size * 0.1, size * 0.22))
    cx, cy = (float(v) for v in rng.uniform(size * 0.15, size * 0.85, size=2))
    turn = float(rng.uniform(0, 2 * math.pi))
    k = CORNERS[label]
    points = [(cx + radius * math.cos(turn + 2 * math.pi * i / k), cy + radius * math.sin(turn + 2 * math.pi * i / k))
              for i in range(k)]
    if any(not (1 <= x <= size - 2 and 1 <= y <= size - 2) for x, y in points):
        return None
    return [round(v, 1) for p in points for v in p]


def _bbox(poly: list[float]) -> tuple[float, float, float, float]:
    return min(poly[0::2]), min(poly[1::2]), max(poly[0::2]), max(poly[1::2])


def _overlaps(box: tuple[float, float, float, float], others: list[tuple[float, float, float, float]]) -> bool:
    return any(box[0] < b[2] + 2 and b[0] < box[2] + 2 and box[1] < b[3] + 2 and b[1] < box[3] + 2 for b in others)


def draw_image(rng: np.random.Generator, size: int, max_objects: int) -> tuple[Any, list[dict[str, Any]]]:
    """One image and its objects as stored segmentation values (label, polygons, box)."""
    from PIL import Image, ImageDraw

    base = rng.integers(30, 225, size=3)
    noise = rng.normal(0.0, 6.0, size=(size, size, 3))
    img = Image.fromarray(np.clip(base[None, None, :] + noise, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    objects: list[dict[str, Any]] = []
    boxes: list[tuple[float, float, float, float]] = []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        label = LABELS[int(rng.integers(0, len(LABELS)))]
        for _attempt in range(30):
            poly = _outline(rng, size, label)
            if poly is not None and not _overlaps(_bbox(poly), boxes):
                break
        else:
            continue
        colour = tuple(int(c) for c in (base + rng.choice([-1, 1]) * rng.integers(80, 130, size=3)) % 256)
        draw.polygon(list(zip(poly[0::2], poly[1::2])), fill=colour)
        box = _bbox(poly)
        boxes.append(box)
        objects.append({"x0": box[0], "y0": box[1], "x1": box[2], "y1": box[3], "label": label, "polygons": [poly]})
    return img, objects


def coco_file(images: list[tuple[str, int, list[dict[str, Any]]]]) -> dict[str, Any]:
    """COCO instance JSON (polygon ``segmentation``) for (file name, size, objects)."""
    from activelabel.types import polygon_area

    cats = [{"id": i + 1, "name": lab, "supercategory": "shape"} for i, lab in enumerate(LABELS)]
    out: dict[str, Any] = {"images": [], "annotations": [], "categories": cats}
    for n, (name, size, objects) in enumerate(images, 1):
        out["images"].append({"id": n, "file_name": name, "width": size, "height": size})
        for o in objects:
            w, h = o["x1"] - o["x0"], o["y1"] - o["y0"]
            out["annotations"].append({"id": len(out["annotations"]) + 1, "image_id": n,
                                       "category_id": LABELS.index(o["label"]) + 1, "segmentation": o["polygons"],
                                       "bbox": [o["x0"], o["y0"], round(w, 1), round(h, 1)],
                                       "area": round(sum(polygon_area(p) for p in o["polygons"]), 1), "iscrowd": 0})
    return out


def make_sample(folder: Path, n: int = 60, seed: int = 0, *, size: int = 96, max_objects: int = 2,
                with_labels: bool = True) -> Path:
    """Write ``n`` images of ``size`` px (and ``annotations.json``); returns the folder to import."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        img, objects = draw_image(rng, size, max_objects)
        name = f"shapes_{seed}_{i:05d}.png"
        img.save(folder / "images" / name)  # type: ignore[attr-defined]
        written.append((name, size, objects))
    if with_labels:
        (folder / "annotations.json").write_text(json.dumps(coco_file(written), indent=1), encoding="utf-8")
    return folder


def truth(folder: Path) -> dict[str, dict[str, Any]]:
    """file name -> the stored value, from a sample written with labels (scripted demos, screenshots)."""
    data = json.loads((Path(folder) / "annotations.json").read_text(encoding="utf-8"))
    names = {im["id"]: im["file_name"] for im in data["images"]}
    out: dict[str, dict[str, Any]] = {name: {"objects": []} for name in names.values()}
    for a in data["annotations"]:
        x, y, w, h = a["bbox"]
        out[names[a["image_id"]]]["objects"].append(
            {"x0": x, "y0": y, "x1": x + w, "y1": y + h, "label": LABELS[a["category_id"] - 1],
             "polygons": a["segmentation"]})
    return out
