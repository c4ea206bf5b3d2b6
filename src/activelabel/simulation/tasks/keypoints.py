"""Keypoint data for the simulation: a COCO keypoints file, or ``arrows`` (the generated sample);
the metric is mean OKS (``quality.keypoint_agreement``) on the held-out images.

The data set is read once with the project's own keypoints reader (the same image and point checks
as ``import``) into a scratch folder of upright images; pool and held-out sets are written back as
COCO keypoints files. The oracle answers by the image's content id, which importing the same bytes
reproduces. The keypoint names come from the file's first category (or the sample's); ``arrows``
also knows its left-right pair. ``arrows`` takes ``--option n=200 --option size=96``.
``options["params"]`` sets the model's parameters; by default ``imgsz`` follows the images' size.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ActiveLabelError
from activelabel.formats.base import Rejection, content_id
from activelabel.formats.coco_keypoints import PoseImage, write_coco_keypoints
from activelabel.formats.detection_base import copy_image
from activelabel.simulation.tasks import ImportSpec, SplitData, held_out_split, reader_settings
from activelabel.types import Item, Payload, Poses

BUILTIN = "arrows"
DEFAULT_EPOCHS = "auto"  # scaled with the answers (models/yolo.py epochs_for)


@dataclass
class KeypointData(SplitData):
    """Upright images in a scratch folder with their true objects, split into pool and eval."""

    POOL_NAMES = ("pool", "pool_labeled")  # folders
    EVAL_NAME = "eval"

    name: str
    labels: list[str]
    pool: list[PoseImage]
    eval: list[PoseImage]
    extra: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "mean OKS"
    notes: list[str] = field(default_factory=list)
    task: str = "keypoints"

    def __post_init__(self) -> None:
        self._truth = {im.item_id: Poses(im.objects) for im in self.pool + self.eval}

    def _write(self, folder: Path, images: list[PoseImage], with_answers: bool) -> ImportSpec:
        shutil.rmtree(folder, ignore_errors=True)
        if with_answers:
            write_coco_keypoints(folder, images, self.labels, self.extra["keypoints"])
            return ImportSpec(folder / "annotations.json", {"fmt": "coco"})
        for im in images:
            copy_image(im.path, folder / "images")
        return ImportSpec(folder / "images", {"fmt": "images"})

    def answer(self, item: Item) -> Payload:
        try:
            return self._truth[item.id]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id} ({item.content}): "
                                   "it is not in the data set") from None


def _settings(path: Path) -> tuple[list[str], dict[str, Any]]:
    """The labels and the keypoint names a COCO keypoints file declares."""
    json_path = path if path.is_file() else next(iter(sorted(path.glob("*.json"))), None)
    if json_path is None:
        raise ActiveLabelError(f"{path}: a keypoints simulation needs a COCO keypoints .json")
    cats = json.loads(json_path.read_text(encoding="utf-8")).get("categories") or []
    names = next((c.get("keypoints") for c in cats if isinstance(c, dict) and c.get("keypoints")), None)
    if not names:
        raise ActiveLabelError(f"{json_path}: no category names its 'keypoints'")
    return [str(c["name"]) for c in cats], {"keypoints": [str(n) for n in names]}


def _read(path: Path, labels: list[str], extra: dict[str, Any], scratch: Path, notes: list[str],
          options: dict[str, Any]) -> list[PoseImage]:
    from activelabel.formats.keypoints import read_keypoints

    fmt, reader_options = reader_settings(options)
    images: dict[str, PoseImage] = {}
    rejected = 0
    for rec in read_keypoints(path, "coco" if fmt == "auto" else fmt, labels=labels, project_dir=scratch,
                              extra=extra, **reader_options):
        if isinstance(rec, Rejection) or not isinstance(rec.value, Poses):
            rejected += 1
            continue
        file = scratch / rec.content
        item_id = content_id("image", file.read_bytes())  # what importing this (upright) file will produce
        images.setdefault(item_id, PoseImage(item_id, file, int(rec.meta["width"]), int(rec.meta["height"]),
                                             rec.value.objects))
    if rejected:
        notes.append(f"{rejected} images of {path.name} were rejected by the reader or carry no labels")
    if not images:
        raise ActiveLabelError(f"{path}: no labeled images to simulate with")
    return list(images.values())


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> KeypointData:
    """Read a COCO keypoints set (or generate ``arrows``) and hold out a seeded 30% (or use ``eval_path``)."""
    scratch = Path(tempfile.mkdtemp(prefix="activelabel-sim-kp-"))
    notes: list[str] = []
    try:
        if dataset == BUILTIN:
            from activelabel.samples.keypoints import EXTRA, LABELS, make_sample

            extra_opts = options.get("reader_options") or {}
            path = make_sample(scratch / "arrows", int(extra_opts.pop("n", 200)), seed=1000 + seed,
                               size=int(extra_opts.pop("size", 96)))
            labels, extra = list(LABELS), dict(EXTRA)
        else:
            path = Path(dataset)
            if not path.exists():
                raise ActiveLabelError(f"no such data set {dataset!r}: give a COCO keypoints .json or '{BUILTIN}'")
            labels, extra = _settings(path)
        images = _read(path, labels, extra, scratch, notes, options)
        if eval_path is not None:
            eval_images = _read(Path(eval_path), labels, extra, scratch, notes, options)
            eval_ids = {im.item_id for im in eval_images}
            pool = [im for im in images if im.item_id not in eval_ids]
        else:
            pool_idx, eval_idx = held_out_split(len(images), seed)
            eval_images = [images[i] for i in sorted(eval_idx)]
            pool = [images[i] for i in sorted(pool_idx)]
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    side = float(np.median([max(im.width, im.height) for im in images]))
    params: dict[str, Any] = {"epochs": DEFAULT_EPOCHS, "imgsz": int(min(640, max(64, round(side / 32) * 32))),
                              "device": "auto"}
    params.update(options.get("params") or {})
    model = {"name": options.get("model") or "yolov8n-pose.yaml", "params": params}
    data = KeypointData(name=Path(dataset).name, labels=labels, pool=pool, eval=eval_images, extra=extra, model=model,
                        notes=notes)
    weakref.finalize(data, shutil.rmtree, scratch, True)  # the scratch images live as long as the data set
    return data
