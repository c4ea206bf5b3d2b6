"""Image-level uncertainty of an instance-segmentation model (numpy only): its boxes and its masks.

Box components are the detector's (``yolo_uncertainty``: ``least_confident``, ``mean_entropy``,
``ambiguous``). Ultralytics' masks come thresholded, without per-pixel probabilities, so the mask
components measure what the outline itself gives away:

- ``mask_boundary``: the largest share of an object's mask that lies on its outline (perimeter over
  area, in mask pixels, capped at 1). Small, thin or ragged masks score high: that is where the
  outline is a guess and a person's polygon teaches most.
- ``mask_box_disagreement``: the largest ``1 - IoU`` between an object's predicted box and the
  bounding box of its mask. The box head and the mask head disagreeing is the model unsure where
  the object ends.

An image with no proposed object scores ``empty_uncertainty`` on the mask components, as the
detector does on its box components. ``model.params.uncertainty`` picks one component, ``mean``
(the default) or ``max``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from activelabel.errors import ConfigError
from activelabel.models.yolo_uncertainty import UncertaintySettings, image_uncertainty

BOX_COMPONENTS = ("least_confident", "mean_entropy", "ambiguous")
MASK_COMPONENTS = ("mask_boundary", "mask_box_disagreement")
COMPONENTS = BOX_COMPONENTS + MASK_COMPONENTS
REDUCTIONS = COMPONENTS + ("mean", "max")


@dataclass(frozen=True)
class MaskSettings:
    boxes: UncertaintySettings
    reduction: str = "mean"

    def __post_init__(self) -> None:
        if self.reduction not in REDUCTIONS:
            raise ConfigError(f"model.params.uncertainty must be one of {', '.join(REDUCTIONS)}; got {self.reduction!r}")


def parse_mask_settings(params: dict[str, object]) -> MaskSettings:
    from activelabel.models.yolo_uncertainty import parse_settings

    boxes = parse_settings({**params, "uncertainty": "mean", "flip": False})
    return MaskSettings(boxes, str(params.get("uncertainty", "mean")))


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise IoU of two (n, 4) xyxy arrays."""
    a, b = np.asarray(a, dtype=float).reshape(-1, 4), np.asarray(b, dtype=float).reshape(-1, 4)
    iw = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    ih = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = iw * ih
    area = lambda x: np.clip(x[:, 2] - x[:, 0], 0, None) * np.clip(x[:, 3] - x[:, 1], 0, None)  # noqa: E731
    union = area(a) + area(b) - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def mask_uncertainty(box_conf: np.ndarray, boundary_share: np.ndarray, box_mask_iou: np.ndarray,
                     settings: MaskSettings) -> dict[str, float]:
    """All components for one image: candidate boxes' confidences (any order), and per proposed
    object its mask's outline share and the IoU of its box with its mask's bounding box."""
    out = image_uncertainty(box_conf, settings.boxes)
    share = np.asarray(boundary_share, dtype=float).ravel()
    iou = np.asarray(box_mask_iou, dtype=float).ravel()
    if share.size:
        out["mask_boundary"] = float(np.clip(share.max(), 0.0, 1.0))
        out["mask_box_disagreement"] = float(np.clip(1.0 - iou.min(), 0.0, 1.0)) if iou.size else settings.boxes.empty
    else:
        out["mask_boundary"] = out["mask_box_disagreement"] = settings.boxes.empty
    return out


def reduce_mask(components: dict[str, float], settings: MaskSettings) -> float:
    if settings.reduction in COMPONENTS:
        return components[settings.reduction]
    values = np.array([components[k] for k in COMPONENTS])
    return float(values.max() if settings.reduction == "max" else values.mean())
