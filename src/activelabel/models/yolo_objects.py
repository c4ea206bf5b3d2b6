"""What the Ultralytics object kinds that carry more than a box per object (keypoints, segmentation,
tracking) share: the training folder (images linked in, one label file per image, a few images as
``val``) and the held-out score (the kind's agreement metric between proposals and answers).

Each kind gives its payload type, how one answer becomes label lines, and how its ``data.yaml`` is
written; the rest (sizes, links, the val list, the "no object yet" check) is the same for all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from activelabel.errors import NotEnoughAnswersError, NotFittedError
from activelabel.models.yolo_dataset import VAL_IMAGES
from activelabel.types import Item


def write_object_training_set(folder: Path, items: Sequence[Item], values: Sequence[Any], paths: Sequence[Path],
                              payload_type: type[Any], lines_of: Callable[[Any, int, int], list[str]],
                              write_yaml: Callable[[Path, dict[str, str]], Path],
                              mark: str) -> tuple[Path, dict[str, int]]:
    """Write ``folder`` for training; returns its data.yaml and what it holds (n_images, n_boxes).

    ``values`` are payloads of ``payload_type`` (checked here; each has ``objects``);
    ``lines_of(value, width, height)`` gives an answer's label lines; ``mark`` says how a person adds
    an object, for the error when no answer holds one yet."""
    from activelabel.formats.detection_base import copy_image
    from activelabel.models.yolo_dataset import image_size

    if not items:
        raise NotEnoughAnswersError("no labeled images to train on")
    (folder / "labels" / "train").mkdir(parents=True, exist_ok=True)
    n_objects = 0
    names = []
    for item, value, path in zip(items, values, paths):
        if not isinstance(value, payload_type):
            raise TypeError(f"item {item.id}: values must be {payload_type.__name__}, got {type(value).__name__}")
        w, h = item.meta.get("width"), item.meta.get("height")
        if not w or not h:
            w, h = image_size(path)
        name = f"{item.id}{path.suffix}"
        try:
            copy_image(path, folder / "images" / "train", link=True, name=name)
        except OSError:  # file systems without symlinks
            copy_image(path, folder / "images" / "train", name=name)
        lines = lines_of(value, int(w), int(h))
        (folder / "labels" / "train" / f"{item.id}.txt").write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        n_objects += len(value.objects)
        names.append(name)
    if not n_objects:
        raise NotEnoughAnswersError(f"the labeled images hold no objects yet; {mark} before training")
    val = [str((folder / "images" / "train" / n).absolute()) for n in names[:VAL_IMAGES]]
    (folder / "val.txt").write_text("\n".join(val) + "\n", encoding="utf-8")
    yaml_path = write_yaml(folder, {"train": "images/train", "val": "val.txt"})
    return yaml_path, {"n_images": len(items), "n_boxes": n_objects}


def held_out_figures(model: Any, items: Sequence[Item], values: Sequence[Any], payload_type: type[Any],
                     agreement: Any, unit: str = "images") -> tuple[dict[str, Any], int]:
    """The agreement metric's figures (IoU threshold 0.5) between the model's proposals and the answers
    of ``payload_type`` on held-out items, and how many were scored; ``unit`` names the items in the
    error when the model has no weights yet."""
    if not model.ready:
        raise NotFittedError(f"{model.model} has no weights yet: label a few {unit} and train first")
    preds = model.predict(items)
    rows = [(i.id, p.value.to_json(), v.to_json(), "") for i, p, v in zip(items, preds, values)
            if isinstance(v, payload_type)]
    return agreement.pair(rows, None, 0.5), len(rows)
