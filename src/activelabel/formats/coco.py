"""COCO JSON: ``images``, ``annotations`` (``bbox`` = x, y, w, h in pixels) and ``categories``.

Each entry of ``images`` is one record. Its file is looked up beside the JSON file, in an ``images/``
folder beside it, or in ``images_dir`` when given. An annotation whose ``category_id`` is not among
the ``categories``, or whose category is not one of the project's labels, is skipped with a warning
and the image keeps its other boxes; a file with no ``categories`` at all rejects its images.
Keypoints are never read as boxes: a keypoint annotation's own ``bbox`` is its object's box, and
one without a ``bbox`` is skipped with a warning.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activelabel.errors import ImportFormatError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.detection_base import ExportImage, RawBox, ReadContext, copy_image


def _find_json(folder: Path) -> Path:
    found = sorted(folder.glob("*.json"))
    if len(found) != 1:
        raise ImportFormatError(f"expected one COCO .json file in the folder, found {len(found)}; pass the file",
                                source=str(folder))
    return found[0]


def _image_path(entry: dict[str, Any], json_dir: Path, images_dir: Path | None) -> Path | None:
    name = str(entry.get("file_name", ""))
    if not name:
        return None
    for base in ([images_dir] if images_dir else []) + [json_dir, json_dir / "images"]:
        for candidate in (base / name, base / Path(name).name):
            if candidate.is_file():
                return candidate
    return None


def read_coco(path: Path, ctx: ReadContext, images_dir: Path | None = None) -> RecordStream:
    json_path = path if path.is_file() else _find_json(path)
    source = str(json_path)
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"not valid JSON: {exc}", source=source) from exc
    except RecursionError as exc:
        raise ImportFormatError("JSON nested too deeply", source=source) from exc
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise ImportFormatError("not a COCO file: no 'images' list", source=source)
    categories: dict[Any, str] = {}
    for cat in data.get("categories") or []:
        if isinstance(cat, dict) and "id" in cat and "name" in cat:
            categories[cat["id"]] = str(cat["name"])
    by_image: dict[Any, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for n, ann in enumerate(data.get("annotations") or []):
        if isinstance(ann, dict):
            by_image[ann.get("image_id")].append((n, ann))
    for n, entry in enumerate(data["images"]):
        where = f"images[{n}]"
        if not isinstance(entry, dict) or "id" not in entry:
            yield Rejection(source, n + 1, f"{where}: not an image entry with an 'id'")
            continue
        image = _image_path(entry, json_path.parent, images_dir)
        if image is None:
            yield Rejection(source, n + 1, f"{where}: image file {entry.get('file_name')!r} not found")
            continue
        checked = ctx.check(image, f"{source} {where} ({image.name})", n + 1)
        if isinstance(checked, Rejection):
            yield checked
            continue
        found = _boxes(by_image.get(entry["id"], []), categories, "categories" in data, ctx.labels)
        if isinstance(found, str):
            yield Rejection(source, n + 1, f"{where} ({image.name}): {found}")
            continue
        boxes, skipped = found
        yield ctx.record(checked, boxes, source, n + 1, {"coco_id": entry["id"]}, warnings=skipped)


def _boxes(anns: list[tuple[int, dict[str, Any]]], categories: dict[Any, str], has_categories: bool,
           labels: Sequence[str]) -> tuple[list[RawBox], list[str]] | str:
    """The image's boxes and the annotations skipped (with why), or the reason the image is rejected."""
    boxes: list[RawBox] = []
    skipped: list[str] = []
    for n, ann in anns:
        cat = ann.get("category_id")
        if cat not in categories:
            if not has_categories:
                return f"annotations[{n}]: the file has no 'categories' list to name category_id {cat!r}"
            skipped.append(f"annotations[{n}] skipped: category_id {cat!r} is missing from the file's categories")
            continue
        if categories[cat] not in labels:
            skipped.append(f"annotations[{n}] skipped: category {categories[cat]!r} is not one of the project's "
                           f"labels {list(labels)}")
            continue
        bbox = ann.get("bbox")
        if bbox is None and "keypoints" in ann:
            skipped.append(f"annotations[{n}] skipped: keypoints without a bbox (keypoints are not boxes)")
            continue
        if not isinstance(bbox, list) or len(bbox) != 4:
            return f"annotations[{n}]: 'bbox' must be [x, y, width, height]"
        try:
            x, y, w, h = (float(v) for v in bbox)
        except (TypeError, ValueError):
            return f"annotations[{n}]: 'bbox' values must be numbers"
        if "keypoints" in ann and (w <= 0 or h <= 0):
            skipped.append(f"annotations[{n}] skipped: keypoints with an empty bbox (keypoints are not boxes)")
            continue
        boxes.append((x, y, x + w, y + h, categories[cat]))
    return boxes, skipped


def write_coco_file(out: Path, images: Sequence[ExportImage], labels: Sequence[str]) -> int:
    """``OUT/annotations.json`` + ``OUT/images/``, or the JSON at OUT when it ends in .json."""
    json_path = out if out.suffix == ".json" else out / "annotations.json"
    img_dir = json_path.parent / "images"
    cat_ids = {name: i + 1 for i, name in enumerate(labels)}
    coco: dict[str, Any] = {"images": [], "annotations": [],
                            "categories": [{"id": i, "name": name} for name, i in cat_ids.items()]}
    ann_id = 1
    for img_id, im in enumerate(images, 1):
        copy_image(im.path, img_dir, name=im.name)
        coco["images"].append({"id": img_id, "file_name": im.name, "width": im.width, "height": im.height,
                               "activelabel_id": im.item_id})
        for b in im.boxes:
            w, h = b.x1 - b.x0, b.y1 - b.y0
            ann: dict[str, Any] = {"id": ann_id, "image_id": img_id, "category_id": cat_ids[b.label],
                                   "bbox": [round(b.x0, 3), round(b.y0, 3), round(w, 3), round(h, 3)],
                                   "area": round(w * h, 3), "iscrowd": 0}
            if b.confidence is not None:
                ann["score"] = b.confidence
            coco["annotations"].append(ann)
            ann_id += 1
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(coco, indent=1), encoding="utf-8")
    return len(images)
