"""Agreement between two instance-segmentation answers: mask IoU of matched objects.

Each object's polygons are drawn into a boolean mask (PIL, in the image's pixel grid, on the
union of both objects' boxes, so two far-apart objects cost nothing). Same-label objects are
matched one to one, greedily by IoU, above ``MIN_IOU``; ``mean_mask_iou`` is
``2 * sum(matched IoU) / (n_a + n_b)``, so an object only one person outlined counts as 0, and two
identical answers score 1. COCO's mask AP uses the same IoU.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from activelabel.quality.agreement_metrics import PairRow, PooledPairs

MIN_IOU = 1e-6  # two objects below this are not the same object


def objects_of(value: Mapping[str, Any] | None, label: str | None = None) -> list[Mapping[str, Any]]:
    return [o for o in (value or {}).get("objects", []) if label is None or o.get("label") == label]


def _box(obj: Mapping[str, Any]) -> tuple[float, float, float, float]:
    return float(obj["x0"]), float(obj["y0"]), float(obj["x1"]), float(obj["y1"])


def rasterize(polygons: Sequence[Sequence[float]], x0: int, y0: int, width: int, height: int) -> np.ndarray:
    """The polygons as a (height, width) boolean mask whose top-left pixel is (x0, y0)."""
    from PIL import Image, ImageDraw

    img = Image.new("1", (max(width, 1), max(height, 1)), 0)
    draw = ImageDraw.Draw(img)
    for poly in polygons:
        pts = [(float(x) - x0, float(y) - y0) for x, y in zip(poly[0::2], poly[1::2])]
        if len(pts) >= 3:
            draw.polygon(pts, fill=1, outline=1)
    return np.asarray(img, dtype=bool)


def mask_iou(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """IoU of two objects' filled polygons; 0 when their boxes do not meet."""
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    if ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0:
        return 0.0
    x0, y0 = math.floor(min(ax0, bx0)), math.floor(min(ay0, by0))
    w, h = math.ceil(max(ax1, bx1)) - x0 + 1, math.ceil(max(ay1, by1)) - y0 + 1
    ma = rasterize(a.get("polygons", []), x0, y0, w, h)
    mb = rasterize(b.get("polygons", []), x0, y0, w, h)
    union = int(np.logical_or(ma, mb).sum())
    return float(np.logical_and(ma, mb).sum()) / union if union else 0.0


def match(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, float]]:
    """One-to-one (i, j, iou) pairs of same-label objects, greedily by descending mask IoU."""
    scored = sorted(((mask_iou(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
                     if x.get("label") == y.get("label")), key=lambda t: (-t[0], t[1], t[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for s, i, j in scored:
        if s >= MIN_IOU and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j, s))
    return out


def mean_mask_iou(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None, label: str | None = None) -> float:
    """2 * sum(matched IoU) / (n_a + n_b) for one image; 1 when both have no object."""
    oa, ob = objects_of(a, label), objects_of(b, label)
    if not oa and not ob:
        return 1.0
    return 2.0 * sum(s for _, _, s in match(oa, ob)) / (len(oa) + len(ob))


@dataclass(frozen=True)
class MaskAgreement(PooledPairs):
    name: str = "mean_mask_iou"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        """Mean mask IoU pooled over the images both answered, and the share of objects matched at
        ``iou_threshold`` (the review's box threshold, 0.5 by default)."""
        matched = 0.0
        n_a = n_b = at_threshold = 0
        for _, va, vb, _text in rows:
            oa, ob = objects_of(va, label), objects_of(vb, label)
            n_a, n_b = n_a + len(oa), n_b + len(ob)
            pairs = match(oa, ob)
            matched += sum(s for _, _, s in pairs)
            at_threshold += sum(s >= iou_threshold for _, _, s in pairs)
        value = 2.0 * matched / (n_a + n_b) if n_a + n_b else (1.0 if rows else None)
        return {"value": value, "matched_share": 2.0 * at_threshold / (n_a + n_b) if n_a + n_b else None,
                "objects": {"a": n_a, "b": n_b}}
