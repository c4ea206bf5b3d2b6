"""Keypoints with Ultralytics YOLO-pose: proposed objects with their points, uncertainty, fine-tuning.

The detector's adapter (``models/yolo.py``) with keypoints: ``config.model.name`` is a model yaml,
``yolov8n-pose.yaml`` (the default: built untrained, offline, with ``kpt_shape`` set from the
project's ``[extra] keypoints``; ``ready`` once trained), or pose weights (``yolo11n-pose.pt``,
downloaded by Ultralytics when online, or a path to a ``best.pt``). Pretrained weights must have
the project's number of keypoints, or ``model.params.keypoint_map`` maps the model's keypoint
indices (``{"0": "nose"}``) to project keypoints; a project keypoint left out is proposed as not
labeled (v=0). Each proposed point is visible (v=2) when its confidence reaches
``model.params.visible`` (0.5), else hidden (v=1). Uncertainty: ``pose_uncertainty``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.errors import ConfigError
from activelabel.models.base import Capabilities, Prediction
from activelabel.models.pose_uncertainty import (
    PoseSettings,
    parse_pose_settings,
    pose_uncertainty,
    reduce_pose,
)
from activelabel.models.yolo import YoloDetector, resolve_device
from activelabel.models.yolo_uncertainty import UncertaintySettings
from activelabel.types import Box, Item, Keypoint, Payload, Pose, Poses

DEFAULT_POSE_MODEL = "yolov8n-pose.yaml"


class YoloPose(YoloDetector):
    """Keypoints adapter; learned state as the detector's (``weights_``, ``class_names_``, ``train_info_``)."""

    task = "keypoints"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=True, warm_start=True)

    def __init__(self, labels: Sequence[str], model: str = DEFAULT_POSE_MODEL, params: dict[str, Any] | None = None,
                 label_map: dict[str, str] | None = None, project_dir: Path | None = None, seed: int = 0,
                 keypoints: Sequence[str] = (), flip_pairs: Sequence[Sequence[str]] = ()) -> None:
        super().__init__(labels, model or DEFAULT_POSE_MODEL, {"flip": False, **(params or {})}, label_map,
                         project_dir, seed)
        self.keypoints = [str(k) for k in keypoints]
        self.flip_pairs = [(str(a), str(b)) for a, b in flip_pairs]
        if not self.keypoints:
            raise ConfigError("a pose model needs the project's keypoint names: [extra] keypoints = [...]")
        self.keypoint_map = {str(k): str(v) for k, v in dict(self.params.get("keypoint_map") or {}).items()}
        unknown = sorted(set(self.keypoint_map.values()) - set(self.keypoints))
        if unknown:
            raise ConfigError(f"model.params.keypoint_map names keypoints the project lacks: {unknown}")

    def _parse_uncertainty(self, params: dict[str, Any]) -> UncertaintySettings:
        self.pose_settings: PoseSettings = parse_pose_settings(params)
        return self.pose_settings.boxes

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> YoloPose:
        from activelabel.tasks.keypoints import flip_pairs, keypoint_names

        name = config.model_name
        if name.endswith((".pt", ".pth")) and project_dir is not None and (Path(project_dir) / name).is_file():
            name = str((Path(project_dir) / name).resolve())
        return cls(config.labels, name, config.model.params, config.model.label_map, project_dir, config.loop.seed,
                   keypoint_names(config.extra), flip_pairs(config.extra))

    def _extra_state(self) -> dict[str, Any]:
        return {"keypoints": self.keypoints, "flip_pairs": [list(p) for p in self.flip_pairs]}

    @classmethod
    def _from_state(cls, state: dict[str, Any], project_dir: Path | None) -> YoloPose:
        return cls(state["labels"], state["model"], state["params"], state["label_map"], project_dir, state["seed"],
                   state["keypoints"], state.get("flip_pairs") or ())

    # ---- training ---------------------------------------------------------------------------

    def _training_set(self, folder: Path, items: Sequence[Item], values: Sequence[Payload]) -> tuple[Path, dict[str, int]]:
        from activelabel.formats.yolo_pose import pose_data_yaml, pose_lines
        from activelabel.models.yolo_objects import write_object_training_set

        return write_object_training_set(
            folder, items, values, [self._path(i) for i in items], Poses,
            lambda v, w, h: pose_lines(v.objects, self.labels, w, h),
            lambda f, splits: pose_data_yaml(f, self.labels, self.keypoints, self.flip_pairs, splits, absolute=True), "mark at least one")

    # ---- prediction -------------------------------------------------------------------------

    def _keypoint_columns(self) -> list[int | None]:
        """Project keypoint i -> the model's keypoint index (None: the model has no such point)."""
        net_kpts = int(self._network().model.kpt_shape[0])
        if not self.keypoint_map:
            if net_kpts != len(self.keypoints):
                raise ConfigError(f"the model {self.model} has {net_kpts} keypoints and the project {len(self.keypoints)}; "
                                  "map them with model.params.keypoint_map = {\"<model index>\": \"<project keypoint>\"}")
            return list(range(len(self.keypoints)))
        by_name = {v: int(k) for k, v in self.keypoint_map.items()}
        return [by_name.get(name) for name in self.keypoints]

    def _raw_pose(self, sources: Sequence[Any], conf: float) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """(xyxy, conf, class, keypoints (n, K_model, 3): x, y, confidence) per source, mapped classes only."""
        net = self._network()
        p = self.params
        mapped = self._class_to_label()
        out = []
        step = int(p["predict_batch"])
        for start in range(0, len(sources), step):
            results = net.predict(list(sources[start:start + step]), imgsz=int(p["imgsz"]), conf=conf,
                                  iou=float(p["iou"]), max_det=int(p["max_det"]), device=resolve_device(p.get("device")),
                                  verbose=False, save=False, batch=step)
            for r in results:
                b = r.boxes
                xyxy = b.xyxy.cpu().numpy().astype(float).reshape(-1, 4)
                c = b.conf.cpu().numpy().astype(float)
                k = b.cls.cpu().numpy().astype(int)
                kp = r.keypoints.data.cpu().numpy().astype(float) if r.keypoints is not None else np.zeros((len(c), 0, 3))
                if kp.ndim != 3:
                    kp = np.zeros((len(c), 0, 3))
                if kp.shape[-1] == 2:  # a model trained without visibility: every point is sure
                    kp = np.concatenate([kp, np.ones((*kp.shape[:2], 1))], axis=2)
                keep = np.array([int(x) in mapped for x in k], dtype=bool)
                out.append((xyxy[keep], c[keep], k[keep], kp[keep]))
        return out

    def _objects(self, xyxy: np.ndarray, conf: np.ndarray, cls: np.ndarray, kp: np.ndarray,
                 width: int, height: int) -> tuple[tuple[Pose, ...], np.ndarray]:
        """Proposed objects and their (n, K) keypoint confidences."""
        mapped = self._class_to_label()
        columns = self._keypoint_columns()
        visible = self.pose_settings.visible
        objects, confs = [], []
        for (x0, y0, x1, y1), c, k, points in zip(xyxy.tolist(), conf.tolist(), cls.tolist(), kp):
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
            if not (x1 > x0 and y1 > y0):
                continue
            kps, kc = [], []
            for name, col in zip(self.keypoints, columns):
                if col is None or col >= len(points):
                    kps.append(Keypoint(name, 0.0, 0.0, 0))
                    continue
                px, py, pc = (float(v) for v in points[col])
                px, py = min(max(px, 0.0), float(width)), min(max(py, 0.0), float(height))
                kps.append(Keypoint(name, round(px, 2), round(py, 2), 2 if pc >= visible else 1, round(pc, 4)))
                kc.append(pc)
            box = Box(round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2), mapped[int(k)], round(float(c), 4))
            objects.append(Pose(box, tuple(kps)))
            confs.append(kc)
        return tuple(objects), np.array([v for row in confs for v in row], dtype=float)

    def _predict_chunk(self, items: Sequence[Item]) -> list[Prediction]:
        s = self.pose_settings
        pictures = self._pictures(items)
        out = []
        for im, (xyxy, conf, cls, kp) in zip(pictures, self._raw_pose(pictures, s.boxes.floor)):
            w, h = im.size
            keep = conf >= s.boxes.conf
            objects, kconf = self._objects(xyxy[keep], conf[keep], cls[keep], kp[keep], w, h)
            components = pose_uncertainty(conf, kconf, s)
            u = reduce_pose(components, s)
            out.append(Prediction(Poses(objects), float(np.clip(1.0 - u, 0.0, 1.0)), None,
                                  tuple(float(o.box.confidence or 0.0) for o in objects),
                                  {"uncertainty": {k: round(v, 4) for k, v in components.items()},
                                   "n_candidates": int((conf >= s.boxes.floor).sum())}))
        return out

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """Mean OKS (the curve's metric, ``quality.keypoint_agreement``) and PCK@0.1 on held-out images."""
        from activelabel.models.yolo_objects import held_out_figures
        from activelabel.quality.keypoint_agreement import KeypointAgreement

        figures, n = held_out_figures(self, items, values, Poses, KeypointAgreement())
        value = float(figures["value"] or 0.0)
        return {"metric": value, "mean_oks": value, "pck": float(figures["pck"] or 0.0), "n_images": float(n)}
