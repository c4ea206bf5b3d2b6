"""Instance segmentation with Ultralytics YOLO-seg: proposed objects with their outlines, uncertainty, fine-tuning.

The detector's adapter (``models/yolo.py``) with masks: ``config.model.name`` is a model yaml,
``yolov8n-seg.yaml`` (the default: built untrained, offline; ``ready`` once trained), or seg weights
(``yolo11n-seg.pt``, downloaded by Ultralytics when online, or a path to a ``best.pt``; classes map
to project labels through ``model.label_map`` as the detector's do). Each proposed mask becomes one
polygon per separate piece (OpenCV's outer contours, simplified to ``model.params.simplify`` mask
pixels, 0.7 by default), in image pixels. Uncertainty: ``mask_uncertainty``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.models.base import Capabilities, Prediction
from activelabel.models.mask_uncertainty import (
    MaskSettings,
    box_iou,
    mask_uncertainty,
    parse_mask_settings,
    reduce_mask,
)
from activelabel.models.yolo import YoloDetector, resolve_device
from activelabel.models.yolo_uncertainty import UncertaintySettings
from activelabel.types import Item, MaskObject, Masks, Payload

DEFAULT_SEG_MODEL = "yolov8n-seg.yaml"


class YoloSegmenter(YoloDetector):
    """Segmentation adapter; learned state as the detector's (``weights_``, ``class_names_``, ``train_info_``)."""

    task = "segmentation"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=True, warm_start=True)

    def __init__(self, labels: Sequence[str], model: str = DEFAULT_SEG_MODEL, params: dict[str, Any] | None = None,
                 label_map: dict[str, str] | None = None, project_dir: Path | None = None, seed: int = 0) -> None:
        super().__init__(labels, model or DEFAULT_SEG_MODEL, {"flip": False, "simplify": 0.7, **(params or {})},
                         label_map, project_dir, seed)

    def _parse_uncertainty(self, params: dict[str, Any]) -> UncertaintySettings:
        self.mask_settings: MaskSettings = parse_mask_settings(params)
        return self.mask_settings.boxes

    # ---- training ---------------------------------------------------------------------------

    def _training_set(self, folder: Path, items: Sequence[Item], values: Sequence[Payload]) -> tuple[Path, dict[str, int]]:
        from activelabel.formats.yolo_seg import seg_data_yaml, seg_lines
        from activelabel.models.yolo_objects import write_object_training_set

        return write_object_training_set(
            folder, items, values, [self._path(i) for i in items], Masks,
            lambda v, w, h: seg_lines(v.objects, self.labels, w, h),
            lambda f, splits: seg_data_yaml(f, self.labels, splits, absolute=True), "outline at least one")

    # ---- prediction -------------------------------------------------------------------------

    def _raw_seg(self, sources: Sequence[Any], conf: float) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, list[Any]]]:
        """(xyxy, conf, class, [(polygons, boundary share)] per object) per source, mapped classes only."""
        from ultralytics.utils import ops

        net = self._network()
        p = self.params
        mapped = self._class_to_label()
        out = []
        step = int(p["predict_batch"])
        for start in range(0, len(sources), step):
            results = net.predict(list(sources[start:start + step]), imgsz=int(p["imgsz"]), conf=conf,
                                  iou=float(p["iou"]), max_det=int(p["max_det"]), device=resolve_device(p.get("device")),
                                  verbose=False, save=False, batch=step, retina_masks=False)
            for r in results:
                b = r.boxes
                xyxy = b.xyxy.cpu().numpy().astype(float).reshape(-1, 4)
                c = b.conf.cpu().numpy().astype(float)
                k = b.cls.cpu().numpy().astype(int)
                data = r.masks.data.cpu().numpy() if r.masks is not None else np.zeros((len(c), 1, 1))
                outlines = []
                for m in data:
                    polys, share = _outline(m > 0.5, float(p["simplify"]))
                    outlines.append(([ops.scale_coords(m.shape, poly, r.orig_shape, normalize=False) for poly in polys],
                                     share))
                keep = [i for i, x in enumerate(k) if int(x) in mapped]
                out.append((xyxy[keep], c[keep], k[keep], [outlines[i] for i in keep]))
        return out

    def _objects(self, xyxy: np.ndarray, conf: np.ndarray, cls: np.ndarray, outlines: list[Any],
                 width: int, height: int) -> tuple[tuple[MaskObject, ...], np.ndarray, np.ndarray]:
        """Proposed objects, each mask's outline share and the IoU of each box with its mask's box."""
        mapped = self._class_to_label()
        objects, shares, ious = [], [], []
        for box, c, k, (polys, share) in zip(xyxy, conf.tolist(), cls.tolist(), outlines):
            flat = []
            for poly in polys:
                pts = np.clip(np.asarray(poly, dtype=float), 0.0, [float(width), float(height)])
                if len(pts) >= 3:
                    flat.append([round(float(v), 1) for v in pts.reshape(-1)])
            if not flat:
                continue
            obj = MaskObject.around(mapped[int(k)], flat, round(float(c), 4))
            mask_box = np.array([[obj.box.x0, obj.box.y0, obj.box.x1, obj.box.y1]])
            objects.append(obj)
            shares.append(share)
            ious.append(float(box_iou(np.asarray(box)[None, :], mask_box)[0]))
        return tuple(objects), np.array(shares, dtype=float), np.array(ious, dtype=float)

    def _predict_chunk(self, items: Sequence[Item]) -> list[Prediction]:
        s = self.mask_settings
        pictures = self._pictures(items)
        out = []
        for im, (xyxy, conf, cls, outlines) in zip(pictures, self._raw_seg(pictures, s.boxes.floor)):
            w, h = im.size
            keep = conf >= s.boxes.conf
            objects, shares, ious = self._objects(xyxy[keep], conf[keep], cls[keep],
                                                  [o for o, kept in zip(outlines, keep) if kept], w, h)
            components = mask_uncertainty(conf, shares, ious, s)
            u = reduce_mask(components, s)
            out.append(Prediction(Masks(objects), float(np.clip(1.0 - u, 0.0, 1.0)), None,
                                  tuple(float(o.box.confidence or 0.0) for o in objects),
                                  {"uncertainty": {k: round(v, 4) for k, v in components.items()},
                                   "n_candidates": int((conf >= s.boxes.floor).sum())}))
        return out

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """Mean mask IoU of matched objects (the curve's metric, ``quality.mask_agreement``) on held-out images."""
        from activelabel.models.yolo_objects import held_out_figures
        from activelabel.quality.mask_agreement import MaskAgreement

        figures, n = held_out_figures(self, items, values, Masks, MaskAgreement())
        value = float(figures["value"] or 0.0)
        return {"metric": value, "mean_mask_iou": value, "matched_at_0.5": float(figures["matched_share"] or 0.0),
                "n_images": float(n)}


def _outline(mask: np.ndarray, simplify: float) -> tuple[list[np.ndarray], float]:
    """A binary mask's separate pieces as (n, 2) polygons in mask pixels, and the share of its area
    on its outline (perimeter over area, capped at 1; 1 for an empty mask)."""
    import cv2

    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polys = []
    perimeter = area = 0.0
    for c in contours:
        perimeter += float(cv2.arcLength(c, True))
        area += float(cv2.contourArea(c))
        if simplify > 0:
            c = cv2.approxPolyDP(c, simplify, True)
        if len(c) >= 3:
            polys.append(c.reshape(-1, 2).astype(float))
    share = 1.0 if area <= 0 else min(1.0, perimeter / area)
    return polys, share
