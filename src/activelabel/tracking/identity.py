"""IDF1 (Ristani et al. 2016): how well two sets of tracks agree on who is where, frame by frame.

Each track of one side is paired with at most one of the other (a bipartite assignment that maximises
the frames they share); a frame counts for a pair when both have a box there, same label, with IoU
>= ``iou_threshold``. ``IDF1 = 2 * IDTP / (boxes of a + boxes of b)``: identity switches, missed and
extra boxes all lower it; two identical answers score 1. The MOT benchmarks' headline identity figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from activelabel.tracking.propagation import iou

Value = Mapping[str, Any]


def _boxes(track: Mapping[str, Any]) -> dict[int, tuple[float, float, float, float]]:
    return {int(b["frame"]): (float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"])) for b in track["boxes"]}


def idf1_counts(a: Value | None, b: Value | None, iou_threshold: float = 0.5) -> tuple[int, int, int]:
    """(IDTP, boxes in a, boxes in b) for one video."""
    from scipy.optimize import linear_sum_assignment

    ta, tb = list((a or {}).get("tracks", [])), list((b or {}).get("tracks", []))
    na = sum(len(t["boxes"]) for t in ta)
    nb = sum(len(t["boxes"]) for t in tb)
    if not ta or not tb:
        return 0, na, nb
    ba, bb = [_boxes(t) for t in ta], [_boxes(t) for t in tb]
    shared = np.zeros((len(ta), len(tb)))
    for i, (x, bx) in enumerate(zip(ta, ba)):
        for j, (y, by) in enumerate(zip(tb, bb)):
            if x["label"] == y["label"]:
                shared[i, j] = sum(iou(bx[f], by[f]) >= iou_threshold for f in bx.keys() & by.keys())
    rows, cols = linear_sum_assignment(-shared)
    return int(shared[rows, cols].sum()), na, nb


def idf1(a: Value | None, b: Value | None, iou_threshold: float = 0.5) -> float:
    """IDF1 of one video's answers; 1 when neither has a box."""
    tp, na, nb = idf1_counts(a, b, iou_threshold)
    return 1.0 if na + nb == 0 else 2.0 * tp / (na + nb)
