"""mAP50 and mAP50-95 for box predictions (numpy only), COCO-style 101-point interpolation.

Used for held-out metrics of a trained version and by the detection simulation, so that both
compute the same number from the same ``Boxes`` payloads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from activelabel.models.yolo_uncertainty import box_iou, greedy_match
from activelabel.types import Box

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)


def _arrays(boxes: Sequence[Box]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xyxy = np.array([[b.x0, b.y0, b.x1, b.y1] for b in boxes], dtype=float).reshape(-1, 4)
    labels = np.array([b.label for b in boxes], dtype=object)
    conf = np.array([1.0 if b.confidence is None else b.confidence for b in boxes], dtype=float)
    return xyxy, labels, conf


def average_precision(tp: np.ndarray, conf: np.ndarray, n_truth: int) -> float:
    """AP of one class at one IoU threshold (101-point interpolated precision-recall area)."""
    if n_truth == 0:
        return float("nan")
    if tp.size == 0:
        return 0.0
    order = np.argsort(-conf, kind="stable")
    tps = np.cumsum(tp[order])
    fps = np.cumsum(1 - tp[order])
    recall = tps / n_truth
    precision = tps / np.maximum(tps + fps, 1e-12)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    points = np.linspace(0, 1, 101)
    idx = np.searchsorted(recall, points, side="left")
    values = np.where(idx < len(envelope), envelope[np.minimum(idx, len(envelope) - 1)], 0.0)
    return float(values.mean())


def detection_map(predictions: Sequence[Sequence[Box]], truths: Sequence[Sequence[Box]],
                  labels: Sequence[str]) -> dict[str, float]:
    """mAP50 and mAP50-95 over the classes that appear in ``truths``; precision/recall at the given boxes."""
    if len(predictions) != len(truths):
        raise ValueError(f"{len(predictions)} predictions for {len(truths)} images")
    per_class_tp: dict[str, list[np.ndarray]] = {lab: [] for lab in labels}
    per_class_conf: dict[str, list[np.ndarray]] = {lab: [] for lab in labels}
    n_truth = dict.fromkeys(labels, 0)
    for pred, truth in zip(predictions, truths):
        p_xyxy, p_lab, p_conf = _arrays(pred)
        t_xyxy, t_lab, _ = _arrays(truth)
        for lab in labels:
            pm, tm = p_lab == lab, t_lab == lab
            n_truth[lab] += int(tm.sum())
            if not pm.any():
                continue
            iou = box_iou(p_xyxy[pm], t_xyxy[tm])
            tp = np.zeros((int(pm.sum()), len(IOU_THRESHOLDS)))
            for k, thr in enumerate(IOU_THRESHOLDS):
                for i, _j, _v in greedy_match(iou, float(thr)):
                    tp[i, k] = 1.0
            per_class_tp[lab].append(tp)
            per_class_conf[lab].append(p_conf[pm])
    ap = []
    for lab in labels:
        if n_truth[lab] == 0:
            continue
        tp = np.concatenate(per_class_tp[lab]) if per_class_tp[lab] else np.zeros((0, len(IOU_THRESHOLDS)))
        conf = np.concatenate(per_class_conf[lab]) if per_class_conf[lab] else np.zeros(0)
        ap.append([average_precision(tp[:, k], conf, n_truth[lab]) for k in range(len(IOU_THRESHOLDS))])
    if not ap:
        return {"map50": float("nan"), "map50_95": float("nan"), "n_truth": 0}
    arr = np.array(ap)
    return {"map50": float(arr[:, 0].mean()), "map50_95": float(arr.mean()), "n_truth": int(sum(n_truth.values()))}
