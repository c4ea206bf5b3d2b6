"""Synthetic detection data: squares, circles and triangles on noisy backgrounds, with exact boxes.

Written as a YOLO data set (``images/``, ``labels/``, ``data.yaml``) so that it imports as-is;
``with_labels=False`` leaves the labels out (an image folder to pre-label), and ``read_boxes`` gives
the truth back for scripted demos, simulations and benchmarks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

LABELS = ["square", "circle", "triangle"]
# the demo's images are 128 px: train at that size (640 would cost 25 times as much for nothing)
MODEL_PARAMS: dict[str, Any] = {"imgsz": 128}


def _overlaps(box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]], gap: int = 2) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] + gap and b[0] < x1 + gap and y0 < b[3] + gap and b[1] < y1 + gap for b in others)


def _draw_image(rng: np.random.Generator, size: int, max_shapes: int, sides: tuple[int, int] | None = None,
                contrast: tuple[int, int] = (70, 120)) -> tuple[object, list[tuple[int, int, int, int, int]]]:
    from PIL import Image, ImageDraw

    base = rng.integers(40, 200, size=3)
    noise = rng.normal(0.0, 18.0, size=(size, size, 3))
    ramp = np.linspace(-25, 25, size)[None, :, None] * rng.choice([-1.0, 1.0])
    pixels = np.clip(base[None, None, :] + noise + ramp, 0, 255).astype(np.uint8)
    img = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(img)
    boxes: list[tuple[int, int, int, int, int]] = []
    placed: list[tuple[int, int, int, int]] = []
    lo, hi = sides or (max(6, size // 8), max(10, size // 3))
    for _ in range(int(rng.integers(1, max_shapes + 1))):
        for _attempt in range(20):
            side = int(rng.integers(lo, hi + 1))
            x0, y0 = (int(v) for v in rng.integers(0, size - side, size=2))
            box = (x0, y0, x0 + side, y0 + side)
            if not _overlaps(box, placed):
                break
        else:
            continue
        cls = int(rng.integers(0, len(LABELS)))
        colour = tuple(int(c) for c in (base + rng.choice([-1, 1]) * rng.integers(contrast[0], contrast[1], size=3)) % 256)
        x1, y1 = box[2] - 1, box[3] - 1  # PIL's coordinates are inclusive
        if cls == 0:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif cls == 1:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.polygon([(x0, y1), (x1, y1), ((x0 + x1) // 2, y0)], fill=colour)
        placed.append(box)
        boxes.append((cls, *box))
    return img, boxes


def make_sample(folder: Path, n: int = 60, seed: int = 0, *, size: int = 128, max_shapes: int = 3,
                with_labels: bool = True, sides: tuple[int, int] | None = None,
                contrast: tuple[int, int] = (70, 120)) -> Path:
    """Write ``n`` images of ``size`` px as a YOLO data set in ``folder``; returns the folder to import.

    ``sides`` (px) and ``contrast`` (the shapes' colour distance from the background, per channel)
    make harder images for benchmarks; calls with different seeds can share a folder.
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    if with_labels:
        (folder / "labels").mkdir(exist_ok=True)
    for i in range(n):
        img, boxes = _draw_image(rng, size, max_shapes, sides, contrast)
        stem = f"shapes_{seed}_{i:05d}"
        img.save(folder / "images" / f"{stem}.png")  # type: ignore[attr-defined]
        if with_labels:
            lines = [f"{c} {(x0 + x1) / 2 / size:.6f} {(y0 + y1) / 2 / size:.6f} {(x1 - x0) / size:.6f} "
                     f"{(y1 - y0) / size:.6f}" for c, x0, y0, x1, y1 in boxes]
            (folder / "labels" / f"{stem}.txt").write_text("\n".join(lines) + ("\n" if lines else ""))
    if with_labels:
        names = "\n".join(f"  {i}: {name}" for i, name in enumerate(LABELS))
        (folder / "data.yaml").write_text(f"path: .\ntrain: images\nval: images\nnames:\n{names}\n")
    return folder
