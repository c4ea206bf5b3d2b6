"""Video object tracking with Ultralytics: YOLO boxes per frame, identities from its trackers.

The detector's adapter (``models/yolo.py``) run frame by frame through ``model.track`` (ByteTrack by
default, ``model.params.tracker = "botsort.yaml"`` for BoT-SORT), the tracker reset at the start of
each clip. ``config.model.name`` is a detector: a model yaml (``yolov8n.yaml``, built untrained,
offline) or weights (``yolo11n.pt``, downloaded by Ultralytics when online; classes mapped through
``model.label_map``). Training is detection training on frames of the answered clips: their
keyframes first, then frames spread over each clip, at most ``model.params.train_frames`` (12) per
clip. Each proposal carries the frames the tracker is unsure of (``tracking.flags``) as its
``uncertain_frames``; the item confidence is ``tracking.flags.item_confidence``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.errors import NotEnoughAnswersError
from activelabel.models.base import Capabilities, Prediction
from activelabel.models.yolo import YoloDetector, resolve_device
from activelabel.types import Box, Item, Payload, Track, TrackBox, Tracks

TRACK_CONF = 0.1  # ByteTrack's low threshold: it uses the weak boxes to keep tracks alive


class YoloTracker(YoloDetector):
    """Tracking adapter; learned state as the detector's (``weights_``, ``class_names_``, ``train_info_``)."""

    task = "tracking"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=True, warm_start=True)

    def __init__(self, labels: Sequence[str], model: str = "yolov8n.yaml", params: dict[str, Any] | None = None,
                 label_map: dict[str, str] | None = None, project_dir: Path | None = None, seed: int = 0) -> None:
        super().__init__(labels, model, {"flip": False, "tracker": "bytetrack.yaml", "train_frames": 12,
                                         **(params or {})}, label_map, project_dir, seed)

    # ---- training ---------------------------------------------------------------------------

    def _frames_to_train(self, value: Tracks, n_frames: int) -> list[int]:
        """The clip's keyframes, then frames spread evenly over the frames with boxes, at most train_frames."""
        limit = int(self.params["train_frames"])
        with_boxes = sorted({b.frame for t in value.tracks for b in t.boxes})
        chosen = [f for f in value.keyframes if f < n_frames][:limit]
        rest = [f for f in with_boxes if f not in chosen]
        if rest and len(chosen) < limit:
            picks = np.linspace(0, len(rest) - 1, num=min(limit - len(chosen), len(rest)))
            chosen += [rest[int(round(i))] for i in picks]
        return sorted(set(chosen))

    def _training_set(self, folder: Path, items: Sequence[Item], values: Sequence[Payload]) -> tuple[Path, dict[str, int]]:
        from PIL import Image

        from activelabel.formats.detection_base import ExportImage
        from activelabel.models.yolo_dataset import write_training_set
        from activelabel.video import probe, read_frames

        if not items:
            raise NotEnoughAnswersError("no labeled clips to train on")
        frames_dir = folder.parent / "frames"
        frames_dir.mkdir(parents=True, exist_ok=True)
        images = []
        for item, value in zip(items, values):
            if not isinstance(value, Tracks):
                raise TypeError(f"item {item.id}: tracking values must be Tracks, got {type(value).__name__}")
            path = self._path(item)
            n_frames = int(item.meta.get("n_frames") or probe(path).n_frames)
            wanted = self._frames_to_train(value, n_frames)
            by_frame: dict[int, list[Box]] = {}
            for t in value.tracks:
                for b in t.boxes:
                    by_frame.setdefault(b.frame, []).append(Box(b.x0, b.y0, b.x1, b.y1, t.label))
            for n, rgb in read_frames(path, wanted):
                file = frames_dir / f"{item.id}_{n:06d}.jpg"
                Image.fromarray(rgb).save(file, quality=95)
                images.append(ExportImage(f"{item.id}_{n}", file, rgb.shape[1], rgb.shape[0],
                                          tuple(by_frame.get(n, ()))))
        return write_training_set(folder, images, self.labels), {"n_images": len(images),
                                                                  "n_boxes": sum(len(im.boxes) for im in images)}

    # ---- prediction -------------------------------------------------------------------------

    def _track_clip(self, path: Path) -> tuple[Tracks, int]:
        """The tracker's tracks through one clip (ids as the tracker numbers them) and its frame count."""
        from activelabel.video import read_frames

        net = self._network()
        p = self.params
        mapped = self._class_to_label()
        boxes: dict[int, list[TrackBox]] = {}
        labels: dict[int, list[str]] = {}
        n_frames = 0
        for n, rgb in read_frames(path):
            n_frames = n + 1
            h, w = rgb.shape[:2]
            results = net.track(rgb[:, :, ::-1], persist=n > 0, tracker=str(p["tracker"]), conf=TRACK_CONF,
                                iou=float(p["iou"]), imgsz=int(p["imgsz"]), device=resolve_device(p.get("device")),
                                verbose=False)
            b = results[0].boxes
            if b is None or b.id is None:
                continue
            ids = b.id.cpu().numpy().astype(int)
            xyxy = b.xyxy.cpu().numpy().astype(float).reshape(-1, 4)
            conf = b.conf.cpu().numpy().astype(float)
            cls = b.cls.cpu().numpy().astype(int)
            for tid, (x0, y0, x1, y1), c, k in zip(ids.tolist(), xyxy.tolist(), conf.tolist(), cls.tolist()):
                if int(k) not in mapped:
                    continue
                x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
                if x1 > x0 and y1 > y0:
                    boxes.setdefault(tid, []).append(TrackBox(n, round(x0, 2), round(y0, 2), round(x1, 2),
                                                              round(y1, 2), round(float(c), 4)))
                    labels.setdefault(tid, []).append(mapped[int(k)])
        tracks = tuple(Track(tid, max(set(labels[tid]), key=labels[tid].count), tuple(boxes[tid]))
                       for tid in sorted(boxes))
        return Tracks(tracks), n_frames

    def _predict_chunk(self, items: Sequence[Item]) -> list[Prediction]:
        from activelabel.tracking.flags import FlagSettings, flagged_frames, item_confidence

        p = self.params
        settings = FlagSettings(float(p.get("flag_conf", 0.5)), int(p.get("switch_gap", 4)),
                                float(p.get("switch_dist", 1.5)), float(p.get("flag_recover", 0.6)),
                                int(p.get("flag_spacing", 2)))
        out = []
        for item in items:
            tracks, n_frames = self._track_clip(self._path(item))
            flags = flagged_frames(tracks, n_frames, settings)
            conf = item_confidence(tracks, flags, n_frames)
            parts = tuple(float(np.mean([b.confidence or 0.0 for b in t.boxes])) for t in tracks.tracks)
            proposal = Tracks(tracks.tracks, (), tuple((f.frame, f.reason) for f in flags))
            out.append(Prediction(proposal, float(np.clip(conf, 0.0, 1.0)), None, parts, {"n_frames": n_frames}))
        return out

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        """Appearance features of each clip's middle frame, for diversity cold starts."""
        import tempfile

        from PIL import Image

        from activelabel.models.image_features import appearance_features
        from activelabel.video import probe, read_frames

        work = Path(tempfile.mkdtemp(prefix="activelabel-track-embed-"))
        try:
            files = []
            for i, item in enumerate(items):
                path = self._path(item)
                middle = int(item.meta.get("n_frames") or probe(path).n_frames) // 2
                for _, rgb in read_frames(path, [middle]):
                    Image.fromarray(rgb).save(work / f"{i}.png")
                files.append(work / f"{i}.png")
            return appearance_features(files)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """IDF1 (the curve's metric) of the tracks on held-out clips against the answers."""
        from activelabel.models.yolo_objects import held_out_figures
        from activelabel.quality.track_agreement import TrackAgreement

        figures, n = held_out_figures(self, items, values, Tracks, TrackAgreement(), unit="clips")
        value = float(figures["value"] or 0.0)
        return {"metric": value, "idf1": value, "n_clips": float(n)}
