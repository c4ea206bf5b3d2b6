"""Image-level uncertainty from a detector's boxes (numpy only; no torch here).

A detector gives a set of boxes per image, not a class distribution, so each image is reduced to
one uncertainty in 0..1 (and the loop's confidence is ``1 - uncertainty``). Components:

- ``least_confident``: how close the most borderline box is to the proposal threshold ``conf``
  (1 when a box sits exactly on it; a box at 0 or 1 is certain).
- ``mean_entropy``: mean binary entropy (in bits) of the candidate boxes' confidences.
- ``ambiguous``: the number of boxes inside the ambiguous band, mapped to 0..1 as ``n / (n + 1)``.
- ``flip``: localisation instability, ``1 - matched IoU / union count`` between the proposals on the
  image and on its horizontal flip (mirrored back). 0 when both views agree exactly.

An image with no candidate box at all scores ``empty_uncertainty`` (0.5) on the three box
components: a young detector that sees nothing has usually missed something, and such images must
neither be auto-accepted as empty nor never be shown. Set it to 0 to trust empty predictions.

The reduction is chosen in ``config.model.params["uncertainty"]``: one component's name, ``mean``
(of the components computed) or ``max``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from activelabel.errors import ConfigError

COMPONENTS = ("least_confident", "mean_entropy", "ambiguous", "flip")
REDUCTIONS = COMPONENTS + ("mean", "max")


@dataclass(frozen=True)
class UncertaintySettings:
    conf: float = 0.25  # proposal threshold: boxes at or above it become the proposed value
    floor: float = 0.05  # boxes below this are background, ignored by every component
    band: tuple[float, float] = (0.15, 0.6)  # the ambiguous confidence band
    reduction: str = "mean"
    flip: bool = True
    flip_iou: float = 0.5  # IoU for two boxes (original, flipped) to count as the same object
    weights: dict[str, float] = field(default_factory=dict)  # optional weights for "mean"
    empty: float = 0.5  # box components of an image with no candidate at all (see image_uncertainty)

    def __post_init__(self) -> None:
        if self.reduction not in REDUCTIONS:
            raise ConfigError(f"model.params.uncertainty must be one of {', '.join(REDUCTIONS)}; got {self.reduction!r}")
        if self.reduction == "flip" and not self.flip:
            raise ConfigError("model.params.uncertainty = 'flip' needs model.params.flip = true")
        lo, hi = self.band
        if not 0.0 <= self.empty <= 1.0:
            raise ConfigError(f"model.params.empty_uncertainty must be in 0..1; got {self.empty}")
        if not 0.0 <= lo < hi <= 1.0 or not 0.0 < self.conf < 1.0:
            raise ConfigError(f"model.params: need 0 <= band[0] < band[1] <= 1 and 0 < conf < 1; got {self.band}, {self.conf}")


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of (n, 4) and (m, 4) xyxy boxes -> (n, m)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(axis=1)
    return np.asarray(inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-12))


def greedy_match(iou: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """One-to-one matches (i, j, iou) by descending IoU, each at or above ``threshold``."""
    if iou.size == 0:
        return []
    ii, jj = np.nonzero(iou >= threshold)
    order = np.argsort(-iou[ii, jj], kind="stable")
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for i, j in zip(ii[order].tolist(), jj[order].tolist()):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((i, j, float(iou[i, j])))
    return out


def binary_entropy(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(-(p * np.log2(p) + (1 - p) * np.log2(1 - p)))


def flip_disagreement(boxes: np.ndarray, classes: np.ndarray, flipped: np.ndarray, flipped_classes: np.ndarray,
                      iou_threshold: float) -> float:
    """1 - (sum of matched IoUs) / (number of distinct objects over both views); 0 when both are empty."""
    n, m = len(boxes), len(flipped)
    if n == 0 and m == 0:
        return 0.0
    iou = box_iou(boxes, flipped)
    if iou.size:
        iou = iou * (classes[:, None] == flipped_classes[None, :])
    matches = greedy_match(iou, iou_threshold)
    union = n + m - len(matches)
    return float(1.0 - sum(v for _, _, v in matches) / max(union, 1))


def image_uncertainty(conf: np.ndarray, settings: UncertaintySettings, flip: float | None = None) -> dict[str, float]:
    """All components for one image, from its candidate boxes' confidences (any order)."""
    conf = np.asarray(conf, dtype=float)
    cand = conf[conf >= settings.floor]
    out: dict[str, float] = {}
    if cand.size:
        tau = settings.conf
        closeness = 1.0 - np.abs(cand - tau) / max(tau, 1.0 - tau)
        out["least_confident"] = float(np.clip(closeness.max(), 0.0, 1.0))
        out["mean_entropy"] = float(binary_entropy(cand).mean())
        lo, hi = settings.band
        n_amb = int(((cand >= lo) & (cand <= hi)).sum())
        out["ambiguous"] = n_amb / (n_amb + 1.0)
    else:  # nothing seen at all: for a young model usually a miss, so never "certain" (empty = 0 trusts it)
        out.update(least_confident=settings.empty, mean_entropy=settings.empty, ambiguous=settings.empty)
    if flip is not None:
        out["flip"] = float(np.clip(flip, 0.0, 1.0))
    return out


def reduce_uncertainty(components: dict[str, float], settings: UncertaintySettings) -> float:
    """The one number the loop ranks by (0..1)."""
    if settings.reduction in COMPONENTS:
        return components[settings.reduction]
    values = np.array([components[k] for k in COMPONENTS if k in components])
    if settings.reduction == "max":
        return float(values.max())
    w = np.array([settings.weights.get(k, 1.0) for k in COMPONENTS if k in components])
    return float((values * w).sum() / max(w.sum(), 1e-12))


def parse_settings(params: dict[str, object]) -> UncertaintySettings:
    band = params.get("band", (0.15, 0.6))
    if not isinstance(band, Sequence) or len(band) != 2:
        raise ConfigError(f"model.params.band must be [low, high]; got {band!r}")
    weights = params.get("uncertainty_weights", {})
    return UncertaintySettings(
        conf=float(params.get("conf", 0.25)),  # type: ignore[arg-type]
        floor=float(params.get("floor", 0.05)),  # type: ignore[arg-type]
        band=(float(band[0]), float(band[1])),
        reduction=str(params.get("uncertainty", "mean")),
        flip=bool(params.get("flip", True)),
        flip_iou=float(params.get("flip_iou", 0.5)),  # type: ignore[arg-type]
        weights={str(k): float(v) for k, v in dict(weights).items()},  # type: ignore[call-overload]
        empty=float(params.get("empty_uncertainty", 0.5)),  # type: ignore[arg-type]
    )
