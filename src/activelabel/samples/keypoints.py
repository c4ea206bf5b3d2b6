"""Synthetic keypoint data: arrows and wedges on a plain background, their three corners as keypoints.

Each object is an isosceles triangle pointing in a random direction: ``tip`` is its apex, ``left``
and ``right`` the base corners as seen from the base looking at the tip. The truth is exact (the
corners are where the polygon is drawn). Written as COCO keypoints (``annotations.json`` beside
``images/``) so that it imports as-is; ``with_labels=False`` writes the images only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

LABELS = ["arrow", "wedge"]
KEYPOINTS = ["tip", "left", "right"]
EXTRA: dict[str, Any] = {"keypoints": KEYPOINTS, "flip_pairs": [["left", "right"]]}
MODEL_PARAMS: dict[str, Any] = {"imgsz": 96, "epochs": 20}  # the demo's images are 96 px: train at that size
HALF_WIDTH = {"arrow": 0.28, "wedge": 0.75}  # half the base, as a share of the length


def _corners(rng: np.random.Generator, size: int, label: str) -> list[tuple[float, float]] | None:
    length = float(rng.uniform(size * 0.25, size * 0.42))
    angle = float(rng.uniform(0, 2 * math.pi))
    ux, uy = math.cos(angle), math.sin(angle)
    nx, ny = -uy, ux
    w = HALF_WIDTH[label] * length
    cx, cy = (float(v) for v in rng.uniform(size * 0.2, size * 0.8, size=2))
    tip = (cx + ux * length / 2, cy + uy * length / 2)
    bx, by = cx - ux * length / 2, cy - uy * length / 2
    left, right = (bx - nx * w, by - ny * w), (bx + nx * w, by + ny * w)
    points = [tip, left, right]
    if any(not (1 <= x <= size - 2 and 1 <= y <= size - 2) for x, y in points):
        return None
    return [(round(x, 1), round(y, 1)) for x, y in points]


def _box(points: list[tuple[float, float]], others: list[tuple[float, float, float, float]]) -> bool:
    x0, y0 = min(p[0] for p in points), min(p[1] for p in points)
    x1, y1 = max(p[0] for p in points), max(p[1] for p in points)
    return any(x0 < b[2] + 2 and b[0] < x1 + 2 and y0 < b[3] + 2 and b[1] < y1 + 2 for b in others)


def draw_image(rng: np.random.Generator, size: int, max_objects: int) -> tuple[Any, list[dict[str, Any]]]:
    """One image and its objects as stored keypoint values (box, label, keypoints)."""
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
            points = _corners(rng, size, label)
            if points is not None and not _box(points, boxes):
                break
        else:
            continue
        colour = tuple(int(c) for c in (base + rng.choice([-1, 1]) * rng.integers(80, 130, size=3)) % 256)
        draw.polygon(points, fill=colour)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (max(0.0, min(xs) - 1), max(0.0, min(ys) - 1), min(float(size), max(xs) + 1), min(float(size), max(ys) + 1))
        boxes.append(box)
        objects.append({"x0": box[0], "y0": box[1], "x1": box[2], "y1": box[3], "label": label,
                        "keypoints": [{"name": n, "x": x, "y": y, "v": 2} for n, (x, y) in zip(KEYPOINTS, points)]})
    return img, objects


def coco_file(images: list[tuple[str, int, list[dict[str, Any]]]]) -> dict[str, Any]:
    """COCO keypoints JSON for (file name, size, objects)."""
    cats = [{"id": i + 1, "name": lab, "keypoints": KEYPOINTS, "skeleton": [[1, 2], [1, 3], [2, 3]]}
            for i, lab in enumerate(LABELS)]
    out: dict[str, Any] = {"images": [], "annotations": [], "categories": cats}
    for n, (name, size, objects) in enumerate(images, 1):
        out["images"].append({"id": n, "file_name": name, "width": size, "height": size})
        for o in objects:
            w, h = o["x1"] - o["x0"], o["y1"] - o["y0"]
            flat = [v for k in o["keypoints"] for v in (k["x"], k["y"], k["v"])]
            out["annotations"].append({"id": len(out["annotations"]) + 1, "image_id": n,
                                       "category_id": LABELS.index(o["label"]) + 1,
                                       "bbox": [o["x0"], o["y0"], round(w, 1), round(h, 1)], "area": round(w * h, 1),
                                       "iscrowd": 0, "keypoints": flat, "num_keypoints": len(o["keypoints"])})
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
        name = f"arrows_{seed}_{i:05d}.png"
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
        kp = a["keypoints"]
        out[names[a["image_id"]]]["objects"].append(
            {"x0": x, "y0": y, "x1": x + w, "y1": y + h, "label": LABELS[a["category_id"] - 1],
             "keypoints": [{"name": n, "x": kp[3 * i], "y": kp[3 * i + 1], "v": kp[3 * i + 2]}
                           for i, n in enumerate(KEYPOINTS)]})
    return out
