"""Segmentation data for the simulation: a COCO instance file, or ``shapes`` (the generated sample);
the metric is mean mask IoU (``quality.mask_agreement``) on the held-out images.

The data set is read once with the project's own segmentation reader (the same image, polygon and
RLE checks as ``import``) into a scratch folder of upright images; pool and held-out sets are
written back as COCO polygon files. The oracle answers by the image's content id, which importing
the same bytes reproduces. ``shapes`` takes ``--option n=200 --option size=96``.
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
from activelabel.formats.detection_base import copy_image
from activelabel.simulation.tasks import ImportSpec, SplitData, held_out_split, reader_settings
from activelabel.types import Item, Masks, Payload, polygon_area

BUILTIN = "shapes"
DEFAULT_EPOCHS = "auto"  # scaled with the answers (models/yolo.py epochs_for)


@dataclass(frozen=True)
class SegImage:
    item_id: str
    path: Path
    width: int
    height: int
    value: Masks


def write_coco(folder: Path, images: list[SegImage], labels: list[str]) -> Path:
    """``folder/annotations.json`` (polygon segmentation) and ``folder/images/``."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"images": [], "annotations": [],
                           "categories": [{"id": i + 1, "name": lab} for i, lab in enumerate(labels)]}
    for n, im in enumerate(images, 1):
        name = f"{im.item_id}{im.path.suffix}"
        copy_image(im.path, folder / "images", name=name)
        out["images"].append({"id": n, "file_name": name, "width": im.width, "height": im.height})
        for o in im.value.objects:
            b = o.box
            out["annotations"].append({"id": len(out["annotations"]) + 1, "image_id": n,
                                       "category_id": labels.index(b.label) + 1,
                                       "segmentation": [list(p) for p in o.polygons],
                                       "bbox": [b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0],
                                       "area": sum(polygon_area(p) for p in o.polygons), "iscrowd": 0})
    path = folder / "annotations.json"
    path.write_text(json.dumps(out), encoding="utf-8")
    return path


@dataclass
class SegmentationData(SplitData):
    """Upright images in a scratch folder with their true objects, split into pool and eval."""

    POOL_NAMES = ("pool", "pool_labeled")  # folders
    EVAL_NAME = "eval"

    name: str
    labels: list[str]
    pool: list[SegImage]
    eval: list[SegImage]
    extra: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "mean mask IoU"
    notes: list[str] = field(default_factory=list)
    task: str = "segmentation"

    def __post_init__(self) -> None:
        self._truth = {im.item_id: im.value for im in self.pool + self.eval}

    def _write(self, folder: Path, images: list[SegImage], with_answers: bool) -> ImportSpec:
        shutil.rmtree(folder, ignore_errors=True)
        if with_answers:
            return ImportSpec(write_coco(folder, images, self.labels), {"fmt": "coco"})
        for im in images:
            copy_image(im.path, folder / "images")
        return ImportSpec(folder / "images", {"fmt": "images"})

    def answer(self, item: Item) -> Payload:
        try:
            return self._truth[item.id]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id} ({item.content}): "
                                   "it is not in the data set") from None


def _labels(path: Path) -> list[str]:
    json_path = path if path.is_file() else next(iter(sorted(path.glob("*.json"))), None)
    if json_path is None:
        raise ActiveLabelError(f"{path}: a segmentation simulation needs a COCO instances .json")
    cats = json.loads(json_path.read_text(encoding="utf-8")).get("categories") or []
    if not cats:
        raise ActiveLabelError(f"{json_path}: no categories")
    return [str(c["name"]) for c in cats]


def _read(path: Path, labels: list[str], scratch: Path, notes: list[str], options: dict[str, Any]) -> list[SegImage]:
    from activelabel.formats.segmentation import read_segmentation

    fmt, reader_options = reader_settings(options)
    images: dict[str, SegImage] = {}
    rejected = 0
    for rec in read_segmentation(path, "coco" if fmt == "auto" else fmt, labels=labels, project_dir=scratch,
                                 **reader_options):
        if isinstance(rec, Rejection) or not isinstance(rec.value, Masks):
            rejected += 1
            continue
        file = scratch / rec.content
        item_id = content_id("image", file.read_bytes())  # what importing this (upright) file will produce
        images.setdefault(item_id, SegImage(item_id, file, int(rec.meta["width"]), int(rec.meta["height"]), rec.value))
    if rejected:
        notes.append(f"{rejected} images of {path.name} were rejected by the reader or carry no labels")
    if not images:
        raise ActiveLabelError(f"{path}: no labeled images to simulate with")
    return list(images.values())


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> SegmentationData:
    """Read a COCO instances set (or generate ``shapes``) and hold out a seeded 30% (or use ``eval_path``)."""
    scratch = Path(tempfile.mkdtemp(prefix="activelabel-sim-seg-"))
    notes: list[str] = []
    try:
        if dataset == BUILTIN:
            from activelabel.samples.segmentation import LABELS, make_sample

            extra_opts = options.get("reader_options") or {}
            path = make_sample(scratch / "shapes", int(extra_opts.pop("n", 200)), seed=1000 + seed,
                               size=int(extra_opts.pop("size", 96)))
            labels = list(LABELS)
        else:
            path = Path(dataset)
            if not path.exists():
                raise ActiveLabelError(f"no such data set {dataset!r}: give a COCO instances .json or '{BUILTIN}'")
            labels = _labels(path)
        images = _read(path, labels, scratch, notes, options)
        if eval_path is not None:
            eval_images = _read(Path(eval_path), labels, scratch, notes, options)
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
    model = {"name": options.get("model") or "yolov8n-seg.yaml", "params": params}
    data = SegmentationData(name=Path(dataset).name, labels=labels, pool=pool, eval=eval_images, model=model,
                            notes=notes)
    weakref.finalize(data, shutil.rmtree, scratch, True)  # the scratch images live as long as the data set
    return data
