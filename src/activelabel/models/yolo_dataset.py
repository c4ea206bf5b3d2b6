"""Turn (items, Boxes) into a YOLO training folder that Ultralytics can read.

Images are symlinked (copied where links are not possible) into ``images/train``; labels go to
``labels/train``. The ``val`` list holds a few training images only: it lets Ultralytics finish its
epoch loop, while the version's real held-out metrics are computed by ``YoloDetector.evaluate`` on
the project's validation split.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from activelabel.errors import NotEnoughAnswersError
from activelabel.formats.detection import ExportImage
from activelabel.formats.yolo_txt import write_data_yaml, write_yolo_folder
from activelabel.types import Boxes, Item, Payload

VAL_IMAGES = 8


def image_size(path: Path) -> tuple[int, int]:
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        return ImageOps.exif_transpose(img).size


def to_export_images(items: Sequence[Item], values: Sequence[Payload], paths: Sequence[Path]) -> list[ExportImage]:
    out = []
    for item, value, path in zip(items, values, paths):
        if not isinstance(value, Boxes):
            raise TypeError(f"item {item.id}: detection values must be Boxes, got {type(value).__name__}")
        w, h = item.meta.get("width"), item.meta.get("height")
        if not w or not h:
            w, h = image_size(path)
        out.append(ExportImage(item.id, path, int(w), int(h), value.boxes))
    return out


def write_training_set(folder: Path, images: Sequence[ExportImage], labels: Sequence[str]) -> Path:
    """Write the folder and return its data.yaml (absolute paths, so the working directory never matters)."""
    if not images:
        raise NotEnoughAnswersError("no labeled images to train on")
    if not any(im.boxes for im in images):
        raise NotEnoughAnswersError("the labeled images hold no boxes yet; draw at least one box before training")
    try:
        write_yolo_folder(folder, images, labels, link=True, split="train")
    except OSError:  # file systems without symlinks
        write_yolo_folder(folder, images, labels, link=False, split="train")
    val = [str((folder / "images" / "train" / im.name).absolute()) for im in images[:VAL_IMAGES]]
    (folder / "val.txt").write_text("\n".join(val) + "\n", encoding="utf-8")
    return write_data_yaml(folder, labels, train="images/train", val="val.txt", absolute=True)
