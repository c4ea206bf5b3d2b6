"""Image-level uncertainty of a pose model (numpy only): its boxes and its keypoints.

Box components are the detector's (``yolo_uncertainty``: ``least_confident``, ``mean_entropy``,
``ambiguous``). Each proposed object adds K keypoint confidences, which Ultralytics trains as
"is this point visible": a point near the visibility threshold ``visible`` (0.5) is the model
being unsure whether the point is there at all, and that is where a person's answer teaches most.

- ``keypoint_least_confident``: how close the most borderline keypoint is to ``visible`` (1 on it).
- ``keypoint_entropy``: mean binary entropy of all proposed keypoints' confidences.

An image with no proposed object scores ``empty_uncertainty`` on the keypoint components, as the
detector does on its box components. ``model.params.uncertainty`` picks one component, ``mean``
(the default) or ``max``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from activelabel.errors import ConfigError
from activelabel.models.yolo_uncertainty import UncertaintySettings, binary_entropy, image_uncertainty

BOX_COMPONENTS = ("least_confident", "mean_entropy", "ambiguous")
KEYPOINT_COMPONENTS = ("keypoint_least_confident", "keypoint_entropy")
COMPONENTS = BOX_COMPONENTS + KEYPOINT_COMPONENTS
REDUCTIONS = COMPONENTS + ("mean", "max")


@dataclass(frozen=True)
class PoseSettings:
    boxes: UncertaintySettings
    reduction: str = "mean"
    visible: float = 0.5  # keypoint confidence at or above which a proposed point is visible (v=2), else hidden

    def __post_init__(self) -> None:
        if self.reduction not in REDUCTIONS:
            raise ConfigError(f"model.params.uncertainty must be one of {', '.join(REDUCTIONS)}; got {self.reduction!r}")
        if not 0.0 < self.visible < 1.0:
            raise ConfigError(f"model.params.visible must be in (0, 1); got {self.visible}")


def parse_pose_settings(params: dict[str, object]) -> PoseSettings:
    from activelabel.models.yolo_uncertainty import parse_settings

    boxes = parse_settings({**params, "uncertainty": "mean", "flip": False})
    return PoseSettings(boxes, str(params.get("uncertainty", "mean")), float(params.get("visible", 0.5)))  # type: ignore[arg-type]


def pose_uncertainty(box_conf: np.ndarray, keypoint_conf: np.ndarray, settings: PoseSettings) -> dict[str, float]:
    """All components for one image: candidate boxes' confidences (any order) and the (n, K) keypoint
    confidences of the proposed objects."""
    out = image_uncertainty(box_conf, settings.boxes)
    kc = np.asarray(keypoint_conf, dtype=float).ravel()
    if kc.size:
        tau = settings.visible
        closeness = 1.0 - np.abs(kc - tau) / max(tau, 1.0 - tau)
        out["keypoint_least_confident"] = float(np.clip(closeness.max(), 0.0, 1.0))
        out["keypoint_entropy"] = float(binary_entropy(kc).mean())
    else:
        out["keypoint_least_confident"] = out["keypoint_entropy"] = settings.boxes.empty
    return out


def reduce_pose(components: dict[str, float], settings: PoseSettings) -> float:
    if settings.reduction in COMPONENTS:
        return components[settings.reduction]
    values = np.array([components[k] for k in COMPONENTS])
    return float(values.max() if settings.reduction == "max" else values.mean())
