"""Image-classification data for the simulation: ImageNet-style folders, a ``path,label`` CSV, or ``digits``.

``digits`` is scikit-learn's bundled 8x8 handwritten digits (1,797 real scans, 10 classes), written
as 32 px PNGs by ``activelabel.samples.image_classification``. Anything else is read with the
project's own image-classification reader (so what simulates is what imports: the same image
checks) into a scratch folder of upright images. Pool and held-out sets are written back out as
class folders (with answers) or a flat folder (without); the oracle answers by the image's content
id, which importing the same bytes reproduces. ``options["params"]`` sets the model's parameters;
by default 20 epochs at the images' median size (rounded to 32 px, at most 224).
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
from activelabel.formats.base import Rejection, content_id
from activelabel.simulation.tasks import AnyLabel, ImportSpec, SplitData, held_out_split, reader_settings
from activelabel.types import ClassLabel, Item, Payload

BUILTIN = ("digits",)
DEFAULT_EPOCHS = 20
DIGITS_TRAIN_ARGS = {"fliplr": 0.0}  # a mirrored digit is another shape


@dataclass(frozen=True)
class LabeledImage:
    item_id: str  # the content id importing these bytes gives
    path: Path  # the upright image in the scratch folder
    label: str
    width: int


@dataclass
class ImageClassData(SplitData):
    """Upright images in a scratch folder with their true labels, split into pool and eval."""

    POOL_NAMES = ("pool", "pool_labeled")  # folders
    EVAL_NAME = "eval"

    name: str
    labels: list[str]
    pool: list[LabeledImage]
    eval: list[LabeledImage]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "accuracy"
    notes: list[str] = field(default_factory=list)
    task: str = "image_classification"

    def __post_init__(self) -> None:
        self._truth = {im.item_id: im.label for im in self.pool + self.eval}

    def _write(self, folder: Path, images: list[LabeledImage], with_answers: bool) -> ImportSpec:
        shutil.rmtree(folder, ignore_errors=True)
        for k, im in enumerate(images):
            target = folder / im.label if with_answers else folder
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(im.path, target / f"{k:06d}_{im.path.name}")
        folder.mkdir(parents=True, exist_ok=True)
        return ImportSpec(folder, {"fmt": "folders" if with_answers else "images"})

    def answer(self, item: Item) -> Payload:
        try:
            return ClassLabel(self._truth[item.id])
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id} ({item.content}): "
                                   "it is not in the data set") from None


def _digits_folder(scratch: Path) -> Path:
    from activelabel.samples.image_classification import make_sample

    return make_sample(scratch / "source", n=None, with_labels=True)


def _read(path: Path, scratch: Path, notes: list[str], options: dict[str, Any]) -> list[LabeledImage]:
    from activelabel.formats.image_classification import read_image_classification

    if not path.exists():
        raise ActiveLabelError(f"no such data set {str(path)!r}: give ImageNet-style class folders, a path,label "
                               f"CSV or a built-in name ({', '.join(BUILTIN)})")
    fmt, reader_options = reader_settings(options)
    images: dict[str, LabeledImage] = {}
    rejected = unlabeled = duplicates = 0
    for rec in read_image_classification(path, fmt, labels=AnyLabel(), project_dir=scratch, **reader_options):
        if isinstance(rec, Rejection):
            rejected += 1
            continue
        if not isinstance(rec.value, ClassLabel):
            unlabeled += 1
            continue
        file = scratch / rec.content
        item_id = content_id("image", file.read_bytes())  # what importing this (upright) file will produce
        if item_id in images:
            duplicates += 1
            continue
        images[item_id] = LabeledImage(item_id, file, rec.value.label, int(max(rec.meta["width"], rec.meta["height"])))
    for count, what in ((unlabeled, "carry no label and were left out"), (rejected, "were rejected by the reader"),
                        (duplicates, "are duplicates, kept once")):
        if count:
            notes.append(f"{count} images of {path.name} {what}")
    if not images:
        raise ActiveLabelError(f"{path}: no labeled images to simulate with")
    return list(images.values())


def _stratified(images: list[LabeledImage], seed: int) -> tuple[list[LabeledImage], list[LabeledImage]]:
    """A seeded 30% of each class held out (at least one image of a class with two or more)."""
    pool: list[LabeledImage] = []
    held: list[LabeledImage] = []
    for k, label in enumerate(sorted({im.label for im in images})):
        members = [im for im in images if im.label == label]
        if len(members) < 2:
            raise ActiveLabelError(f"class {label!r} has a single image, too few to hold one out; pass --eval")
        pool_idx, eval_idx = held_out_split(len(members), seed + k)
        pool += [members[i] for i in sorted(pool_idx)]
        held += [members[i] for i in sorted(eval_idx)]
    return pool, held


def _imgsz(images: list[LabeledImage]) -> int:
    side = float(np.median([im.width for im in images]))
    return int(min(224, max(32, round(side / 32) * 32)))


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> ImageClassData:
    """Read a labeled image set and hold out a stratified, seeded 30% (or use ``eval_path``)."""
    scratch = Path(tempfile.mkdtemp(prefix="activelabel-sim-imgcls-"))
    notes: list[str] = []
    builtin = dataset in BUILTIN and not Path(dataset).exists()
    try:
        source = _digits_folder(scratch) if builtin else Path(dataset)
        images = _read(source, scratch / "project", notes, {} if builtin else options)
        labels = sorted({im.label for im in images})
        if len(labels) < 2:
            raise ActiveLabelError(f"{dataset}: every image has the label {labels[0]!r}; a classification "
                                   "simulation needs at least two classes")
        if eval_path is not None:
            eval_images = _read(Path(eval_path), scratch / "project", notes, options)
            eval_ids = {im.item_id for im in eval_images}
            overlap = sum(im.item_id in eval_ids for im in images)
            if overlap:
                notes.append(f"{overlap} pool images also in the eval set were left out of the pool")
                images = [im for im in images if im.item_id not in eval_ids]
            unknown = sorted({im.label for im in eval_images} - set(labels))
            if unknown:
                raise ActiveLabelError(f"{eval_path}: labels {unknown} never occur in {dataset}")
            pool = images
        else:
            pool, eval_images = _stratified(images, seed)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    params: dict[str, Any] = {"epochs": DEFAULT_EPOCHS, "imgsz": _imgsz(images), "device": "auto"}
    if builtin:
        params["train_args"] = dict(DIGITS_TRAIN_ARGS)
    params.update(options.get("params") or {})
    model = {"name": options.get("model") or "yolov8n-cls.yaml", "params": params}
    data = ImageClassData(name=Path(dataset).name, labels=labels, pool=pool, eval=eval_images, model=model,
                          notes=notes)
    weakref.finalize(data, shutil.rmtree, scratch, True)  # the scratch images live as long as the data set
    return data
