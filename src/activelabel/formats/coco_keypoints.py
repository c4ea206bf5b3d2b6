"""COCO keypoints JSON: ``annotations[].keypoints`` as ``[x1, y1, v1, x2, y2, v2, ...]`` in pixels,
named by their category's ``keypoints`` list; ``bbox`` is the object's box (x, y, w, h).

Read into a keypoints project: each image is one record or one rejection. A category's keypoint
names must be the project's (in any order: they are put in the project's order; a name the
project lacks, or one it has that the file leaves out, rejects the image). Annotations of another
category, or without ``keypoints``, are skipped with a warning; one without a ``bbox`` takes the
box around its labeled points, with a warning. A labeled point (v > 0) outside the image rejects
the image, naming the point; a box that sticks out is clipped as detection does.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activelabel.errors import ImportFormatError, InvalidLabelError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.coco import _find_json, _image_path
from activelabel.formats.detection_base import ReadContext, copy_image
from activelabel.types import Box, Keypoint, Pose, Poses


@dataclass(frozen=True)
class PoseImage:
    """One labeled image to write: its file, size and objects."""

    item_id: str
    path: Path
    width: int
    height: int
    objects: tuple[Pose, ...]
    file_name: str = ""

    @property
    def name(self) -> str:
        return self.file_name or self.path.name


def _load(json_path: Path) -> dict[str, Any]:
    source = str(json_path)
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"not valid JSON: {exc}", source=source) from exc
    except RecursionError as exc:
        raise ImportFormatError("JSON nested too deeply", source=source) from exc
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise ImportFormatError("not a COCO file: no 'images' list", source=source)
    return data


def read_coco_keypoints(path: Path, ctx: ReadContext, names: Sequence[str], images_dir: Path | None = None) -> RecordStream:
    json_path = path if path.is_file() else _find_json(path)
    source = str(json_path)
    data = _load(json_path)
    categories: dict[Any, tuple[str, list[str] | None]] = {}
    for cat in data.get("categories") or []:
        if isinstance(cat, dict) and "id" in cat and "name" in cat:
            kps = cat.get("keypoints")
            categories[cat["id"]] = (str(cat["name"]), [str(k) for k in kps] if isinstance(kps, list) else None)
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
        found = _objects(by_image.get(entry["id"], []), categories, ctx, names, checked.width, checked.height)
        if isinstance(found, str):
            yield Rejection(source, n + 1, f"{where} ({image.name}): {found}")
            continue
        objects, warnings = found
        try:
            value = Poses(tuple(objects)).validate(ctx.labels, checked.width, checked.height).check_names(names)
        except InvalidLabelError as exc:
            yield Rejection(source, n + 1, f"{where} ({image.name}): {exc}")
            continue
        yield ctx.stored(checked, value, source, n + 1, {"coco_id": entry["id"]}, warnings)


def _objects(anns: list[tuple[int, dict[str, Any]]], categories: dict[Any, tuple[str, list[str] | None]],
             ctx: ReadContext, names: Sequence[str], width: int, height: int) -> tuple[list[Pose], list[str]] | str:
    """The image's objects and what was skipped (with why), or the reason the image is rejected."""
    objects: list[Pose] = []
    warnings: list[str] = []
    for n, ann in anns:
        at = f"annotations[{n}]"
        cat = ann.get("category_id")
        if cat not in categories:
            warnings.append(f"{at} skipped: category_id {cat!r} is missing from the file's categories")
            continue
        label, cat_names = categories[cat]
        if label not in ctx.labels:
            warnings.append(f"{at} skipped: category {label!r} is not one of the project's labels {list(ctx.labels)}")
            continue
        flat = ann.get("keypoints")
        if flat is None:
            warnings.append(f"{at} skipped: no 'keypoints' (a box without keypoints is not an object of this project)")
            continue
        if cat_names is None:
            return f"{at}: category {label!r} has no 'keypoints' list naming its points"
        if sorted(cat_names) != sorted(names):
            return (f"{at}: category {label!r} names keypoints {cat_names}; the project's keypoints are "
                    f"{list(names)} (set [extra] keypoints to the file's names)")
        points = _points(flat, cat_names, at)
        if isinstance(points, str):
            return points
        by_name = {k.name: k for k in points}
        ordered = tuple(by_name[name] for name in names)
        box = _box(ann.get("bbox"), ordered, at, warnings)
        if isinstance(box, str):
            return box
        checked = ctx.check_box((*box, label), width, height, len(objects) + 1)
        if isinstance(checked, str):
            return f"{at}: {checked}"
        box_value, warning = checked
        if warning:
            warnings.append(f"{at}: {warning}")
        score = ann.get("score")
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            box_value = Box(box_value.x0, box_value.y0, box_value.x1, box_value.y1, label, float(score))
        objects.append(Pose(box_value, ordered))
    return objects, warnings


def _points(flat: Any, cat_names: list[str], at: str) -> list[Keypoint] | str:
    if not isinstance(flat, list) or len(flat) != 3 * len(cat_names):
        return f"{at}: 'keypoints' must hold x, y, v for each of the {len(cat_names)} keypoints {cat_names}"
    out = []
    for i, name in enumerate(cat_names):
        x, y, v = flat[3 * i:3 * i + 3]
        if not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in (x, y, v)):
            return f"{at}: keypoint {name!r}: x, y and v must be numbers, got {[x, y, v]}"
        if not (math.isfinite(x) and math.isfinite(y)) or v not in (0, 1, 2):
            return f"{at}: keypoint {name!r}: needs finite x, y and v = 0, 1 or 2, got {[x, y, v]}"
        out.append(Keypoint(name, float(x) if v else 0.0, float(y) if v else 0.0, int(v)))
    return out


def _box(bbox: Any, points: Sequence[Keypoint], at: str, warnings: list[str]) -> tuple[float, float, float, float] | str:
    if bbox is None:
        labeled = [k for k in points if k.v]
        if not labeled:
            return f"{at}: no 'bbox' and no labeled keypoint to take the box from"
        warnings.append(f"{at}: no 'bbox'; the box around its labeled keypoints is used")
        xs, ys = [k.x for k in labeled], [k.y for k in labeled]
        return min(xs), min(ys), max(max(xs), min(xs) + 1), max(max(ys), min(ys) + 1)
    if not isinstance(bbox, list) or len(bbox) != 4:
        return f"{at}: 'bbox' must be [x, y, width, height]"
    try:
        x, y, w, h = (float(v) for v in bbox)
    except (TypeError, ValueError):
        return f"{at}: 'bbox' values must be numbers"
    return x, y, x + w, y + h


def write_coco_keypoints(out: Path, images: Sequence[PoseImage], labels: Sequence[str], names: Sequence[str],
                         skeleton: Sequence[Sequence[int]] = ()) -> int:
    """``OUT/annotations.json`` + ``OUT/images/`` (or the JSON at OUT when it ends in .json)."""
    json_path = out if out.suffix == ".json" else out / "annotations.json"
    img_dir = json_path.parent / "images"
    cat_ids = {name: i + 1 for i, name in enumerate(labels)}
    coco: dict[str, Any] = {"images": [], "annotations": [], "categories": [
        {"id": i, "name": lab, "supercategory": "object", "keypoints": list(names),
         "skeleton": [list(s) for s in skeleton]} for lab, i in cat_ids.items()]}
    for img_id, im in enumerate(images, 1):
        copy_image(im.path, img_dir, name=im.name)
        coco["images"].append({"id": img_id, "file_name": im.name, "width": im.width, "height": im.height,
                               "activelabel_id": im.item_id})
        for obj in im.objects:
            b = obj.box
            w, h = b.x1 - b.x0, b.y1 - b.y0
            ann: dict[str, Any] = {
                "id": len(coco["annotations"]) + 1, "image_id": img_id, "category_id": cat_ids[b.label],
                "bbox": [round(b.x0, 3), round(b.y0, 3), round(w, 3), round(h, 3)], "area": round(w * h, 3),
                "iscrowd": 0, "keypoints": [v for k in obj.keypoints for v in (round(k.x, 3), round(k.y, 3), k.v)],
                "num_keypoints": sum(k.v > 0 for k in obj.keypoints)}
            if b.confidence is not None:
                ann["score"] = b.confidence
            coco["annotations"].append(ann)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(coco, indent=1), encoding="utf-8")
    return len(images)
