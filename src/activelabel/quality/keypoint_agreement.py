"""Agreement between two keypoint answers: object keypoint similarity (OKS), COCO's formula.

Two objects with the same label are compared by OKS, ``mean(exp(-d^2 / (2 s^2 (2 sigma)^2)))`` over
the keypoints both labeled, where ``d`` is the distance between the two points and ``s^2`` the
objects' mean box area. ``sigma`` is 0.05 for every keypoint (COCO's per-body-part sigmas fit people
only): a point off by 10% of the object's size scores 0.61, one off by 20% scores 0.14. Objects are
matched one to one, greedily by OKS; ``mean_oks`` is ``2 * sum(matched OKS) / (n_a + n_b)``, so an
object only one side has counts as 0 and two identical answers score 1. ``pck`` is the share of
keypoints labeled in both matched objects that lie within 0.1 of the larger box side of each other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from activelabel.quality.agreement_metrics import PairRow, PooledPairs

SIGMA = 0.05
PCK_SHARE = 0.1
MIN_OKS = 1e-6  # two objects below this are not the same object


def objects_of(value: Mapping[str, Any] | None, label: str | None = None) -> list[Mapping[str, Any]]:
    return [o for o in (value or {}).get("objects", []) if label is None or o.get("label") == label]


def _points(obj: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    return {str(k["name"]): (float(k["x"]), float(k["y"])) for k in obj.get("keypoints", []) if int(k.get("v", 2)) > 0}


def _area(obj: Mapping[str, Any]) -> float:
    return max(float(obj["x1"]) - float(obj["x0"]), 0.0) * max(float(obj["y1"]) - float(obj["y0"]), 0.0)


def oks(a: Mapping[str, Any], b: Mapping[str, Any], sigma: float = SIGMA) -> float:
    """OKS of two objects over the keypoints both labeled; two objects with no such keypoint score 0,
    unless neither has any labeled keypoint (then their boxes are all there is, and they agree)."""
    pa, pb = _points(a), _points(b)
    shared = [n for n in pa if n in pb]
    if not shared:
        return 1.0 if not pa and not pb else 0.0
    area = max((_area(a) + _area(b)) / 2.0, 1.0)
    var = (2 * sigma) ** 2
    total = 0.0
    for n in shared:
        d2 = (pa[n][0] - pb[n][0]) ** 2 + (pa[n][1] - pb[n][1]) ** 2
        total += math.exp(-d2 / (2.0 * area * var))
    return total / len(shared)


def match(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, float]]:
    """One-to-one (i, j, oks) pairs of same-label objects, greedily by descending OKS."""
    scored = sorted(((oks(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
                     if x.get("label") == y.get("label")), key=lambda t: (-t[0], t[1], t[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for s, i, j in scored:
        if s >= MIN_OKS and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j, s))
    return out


def pck_counts(a: Mapping[str, Any], b: Mapping[str, Any], share: float = PCK_SHARE) -> tuple[int, int]:
    """(keypoints within ``share`` of the larger box side, keypoints labeled in both)."""
    pa, pb = _points(a), _points(b)
    side = max(float(b["x1"]) - float(b["x0"]), float(b["y1"]) - float(b["y0"]), 1.0)
    shared = [n for n in pa if n in pb]
    close = sum(math.dist(pa[n], pb[n]) <= share * side for n in shared)
    return close, len(shared)


def mean_oks(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None, label: str | None = None) -> float:
    """2 * sum(matched OKS) / (n_a + n_b) for one item; 1 when both have no object."""
    oa, ob = objects_of(a, label), objects_of(b, label)
    if not oa and not ob:
        return 1.0
    return 2.0 * sum(s for _, _, s in match(oa, ob)) / (len(oa) + len(ob))


@dataclass(frozen=True)
class KeypointAgreement(PooledPairs):
    name: str = "mean_oks"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        matched_oks = 0.0
        n_a = n_b = close = shared = 0
        for _, va, vb, _text in rows:
            oa, ob = objects_of(va, label), objects_of(vb, label)
            n_a, n_b = n_a + len(oa), n_b + len(ob)
            for i, j, s in match(oa, ob):
                matched_oks += s
                c, n = pck_counts(oa[i], ob[j])
                close, shared = close + c, shared + n
        value = 2.0 * matched_oks / (n_a + n_b) if n_a + n_b else (1.0 if rows else None)
        return {"value": value, "pck": close / shared if shared else None,
                "objects": {"a": n_a, "b": n_b}, "keypoints_compared": shared}
