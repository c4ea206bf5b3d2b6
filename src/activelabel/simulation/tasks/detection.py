"""Detection data for the simulation: a labeled YOLO, COCO or VOC data set; the metric is mAP50.

The data set is read once with the project's own detection reader (so what simulates is what
imports: the same image checks and box checks) into a scratch folder of upright images. Pool and
held-out sets are written back out as YOLO folders; the oracle answers by the image's content id,
which importing the same bytes reproduces. ``options["params"]`` sets the model's parameters
(``epochs``, ``imgsz``, ``device``, ...); by default ``imgsz`` follows the images' median size.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ActiveLabelError
from activelabel.formats.base import ImportRecord, Rejection, content_id
from activelabel.formats.detection import read_detection
from activelabel.formats.detection_base import ExportImage
from activelabel.simulation.tasks import ImportSpec, SplitData, held_out_split, reader_settings
from activelabel.types import Boxes, Item, Payload

DEFAULT_EPOCHS = "auto"  # scaled with the answers (models/yolo.py epochs_for)


@dataclass
class DetectionData(SplitData):
    """Upright images in a scratch folder with their true boxes, split into pool and eval."""

    POOL_NAMES = ("pool", "pool_labeled")  # folders
    EVAL_NAME = "eval"

    name: str
    labels: list[str]
    pool: list[ExportImage]
    eval: list[ExportImage]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "mAP50"
    notes: list[str] = field(default_factory=list)
    task: str = "detection"

    def __post_init__(self) -> None:
        self._truth = {im.item_id: Boxes(im.boxes) for im in self.pool + self.eval}

    def _write(self, folder: Path, images: list[ExportImage], with_answers: bool) -> ImportSpec:
        from activelabel.formats.detection_base import copy_image
        from activelabel.formats.yolo_txt import write_yolo_folder

        shutil.rmtree(folder, ignore_errors=True)
        if with_answers:
            write_yolo_folder(folder, images, self.labels)
            return ImportSpec(folder, {"fmt": "yolo"})
        for im in images:
            copy_image(im.path, folder / "images")
        return ImportSpec(folder / "images", {"fmt": "images"})

    def answer(self, item: Item) -> Payload:
        try:
            return self._truth[item.id]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id} ({item.content}): "
                                   "it is not in the data set") from None


def _read(path: str, labels: list[str] | None, scratch: Path, notes: list[str],
          options: dict[str, Any]) -> tuple[list[ExportImage], list[str]]:
    p = Path(path)
    if not p.exists():
        raise ActiveLabelError(f"no such data set {path!r}: give a YOLO folder (data.yaml), a COCO .json or a VOC folder")
    fmt, reader_options = reader_settings(options)
    if labels is None:
        labels = _names(p, fmt)
    images: list[ExportImage] = []
    rejected = unlabeled = 0
    for rec in read_detection(p, fmt, labels=labels, project_dir=scratch, **reader_options):
        if isinstance(rec, Rejection):
            rejected += 1
            continue
        if not isinstance(rec.value, Boxes):
            unlabeled += 1
            continue
        images.append(_export_image(rec, scratch))
    if unlabeled:
        notes.append(f"{unlabeled} images of {p.name} carry no labels and were left out")
    if rejected:
        notes.append(f"{rejected} images of {p.name} were rejected by the reader")
    seen: dict[str, ExportImage] = {}
    for im in images:
        seen.setdefault(im.item_id, im)
    if len(seen) < len(images):
        notes.append(f"{len(images) - len(seen)} duplicate images in {p.name} kept once")
    if not seen:
        raise ActiveLabelError(f"{path}: no labeled images to simulate with")
    return list(seen.values()), labels


def _export_image(rec: ImportRecord, scratch: Path) -> ExportImage:
    path = scratch / rec.content
    item_id = content_id("image", path.read_bytes())  # what importing this (upright) file will produce
    boxes = rec.value.boxes if isinstance(rec.value, Boxes) else ()
    return ExportImage(item_id, path, int(rec.meta["width"]), int(rec.meta["height"]), boxes)


def _names(path: Path, fmt: str = "auto") -> list[str]:
    """The class names a data set declares (data.yaml names, COCO categories, VOC object names)."""
    import json
    import xml.etree.ElementTree as ET  # noqa: S405 - local annotation files

    from activelabel.formats.detection import detect_format

    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "yolo":
        from activelabel.formats.yolo_txt import _find_yaml, class_names

        return class_names(path if path.is_file() else _find_yaml(path))
    if fmt == "coco":
        from activelabel.formats.coco import _find_json

        data = json.loads((path if path.is_file() else _find_json(path)).read_text(encoding="utf-8"))
        return [str(c["name"]) for c in data.get("categories") or []]
    if fmt == "voc":
        xmls = [path] if path.is_file() else sorted(path.rglob("*.xml"))
        names: set[str] = set()
        for xml in xmls:
            try:
                names.update((o.findtext("name") or "").strip() for o in ET.parse(xml).getroot().iter("object"))  # noqa: S314
            except ET.ParseError:
                continue
        return sorted(n for n in names if n)
    raise ActiveLabelError(f"{path}: a detection simulation needs labels (YOLO, COCO or VOC), not a plain image folder")


def _imgsz(images: list[ExportImage]) -> int:
    side = float(np.median([max(im.width, im.height) for im in images]))
    return int(min(640, max(64, round(side / 32) * 32)))


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> DetectionData:
    """Read a labeled detection set and hold out a seeded 30% (or use ``eval_path``)."""
    scratch = Path(tempfile.mkdtemp(prefix="activelabel-sim-detect-"))
    notes: list[str] = []
    try:
        images, labels = _read(dataset, None, scratch, notes, options)
        if eval_path is not None:
            eval_images, _ = _read(eval_path, labels, scratch, notes, options)
            eval_ids = {im.item_id for im in eval_images}
            overlap = sum(im.item_id in eval_ids for im in images)
            if overlap:
                notes.append(f"{overlap} pool images also in the eval set were left out of the pool")
                images = [im for im in images if im.item_id not in eval_ids]
            pool = images
        else:
            pool_idx, eval_idx = held_out_split(len(images), seed)
            eval_images = [images[i] for i in sorted(eval_idx)]
            pool = [images[i] for i in sorted(pool_idx)]
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    params: dict[str, Any] = {"epochs": DEFAULT_EPOCHS, "imgsz": _imgsz(images), "device": "auto"}
    params.update(options.get("params") or {})
    model = {"name": options.get("model") or "yolov8n.yaml", "params": params}
    data = DetectionData(name=Path(dataset).name, labels=labels, pool=pool, eval=eval_images, model=model, notes=notes)
    weakref.finalize(data, shutil.rmtree, scratch, True)  # the scratch images live as long as the data set
    return data
