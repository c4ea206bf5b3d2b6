"""COCO instance-segmentation JSON: ``annotations[].segmentation`` as polygons
(``[[x1, y1, x2, y2, ...], ...]`` in pixels), uncompressed RLE (``{"counts": [ints], "size": [h, w]}``)
or compressed RLE (``counts`` a string, COCO's 6-bit variable-length encoding).

Read into a segmentation project: each image is one record or one rejection. RLE is decoded here
(column-major, as COCO stores it; pycocotools is not needed) and outlined with OpenCV: each separate
piece of the mask is one polygon through the centres of its boundary pixels (the outline PIL and
``quality.mask_agreement`` fill back to the same pixels; pycocotools' rasteriser puts that edge half
a pixel further in). Holes are not kept (a polygon has no holes). An annotation whose category is
missing from the file or is not one of the project's labels, or which has no ``segmentation``,
rejects its image: leaving that object out would teach the model it is background. ``iscrowd``
annotations (a region of many objects, not one) are skipped with a warning. A polygon point outside
the image, or a polygon with fewer than 3 points, rejects the image, naming the object. The box is
always the polygons' bounding box; a ``bbox`` in the file is not read.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ImportFormatError, InvalidLabelError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.coco import _find_json, _image_path
from activelabel.formats.detection_base import ReadContext, copy_image
from activelabel.types import MIN_POLYGON_POINTS, MaskObject, Masks, polygon_area


@dataclass(frozen=True)
class MaskImage:
    """One labeled image to write: its file, size and objects."""

    item_id: str
    path: Path
    width: int
    height: int
    objects: tuple[MaskObject, ...]
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


def read_coco_segmentation(path: Path, ctx: ReadContext, images_dir: Path | None = None) -> RecordStream:
    json_path = path if path.is_file() else _find_json(path)
    source = str(json_path)
    data = _load(json_path)
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
        found = _objects(by_image.get(entry["id"], []), categories, ctx.labels, checked.width, checked.height)
        if isinstance(found, str):
            yield Rejection(source, n + 1, f"{where} ({image.name}): {found}")
            continue
        objects, warnings = found
        try:
            value = Masks(tuple(objects)).validate(ctx.labels, checked.width, checked.height)
        except InvalidLabelError as exc:
            yield Rejection(source, n + 1, f"{where} ({image.name}): {exc}")
            continue
        yield ctx.stored(checked, value, source, n + 1, {"coco_id": entry["id"]}, warnings)


def _objects(anns: list[tuple[int, dict[str, Any]]], categories: dict[Any, str], labels: Sequence[str],
             width: int, height: int) -> tuple[list[MaskObject], list[str]] | str:
    """The image's objects and what was skipped (with why), or the reason the image is rejected."""
    objects: list[MaskObject] = []
    warnings: list[str] = []
    for n, ann in anns:
        at = f"annotations[{n}]"
        if ann.get("iscrowd"):
            warnings.append(f"{at} skipped: iscrowd marks a region of many objects, not one object to outline")
            continue
        cat = ann.get("category_id")
        if cat not in categories:
            return f"{at}: category_id {cat!r} is missing from the file's categories"
        label = categories[cat]
        if label not in labels:
            return f"{at}: category {label!r} is not one of the project's labels {list(labels)}"
        seg = ann.get("segmentation")
        if seg is None:
            return f"{at}: no 'segmentation' (a box without an outline is not an object of this project)"
        polygons = _polygons(seg, at, width, height, warnings)
        if isinstance(polygons, str):
            return polygons
        if not polygons:
            warnings.append(f"{at} skipped: its mask has no piece of {MIN_POLYGON_POINTS} or more boundary points")
            continue
        score = ann.get("score")
        confidence = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
        objects.append(MaskObject.around(label, polygons, confidence))
    return objects, warnings


def _polygons(seg: Any, at: str, width: int, height: int, warnings: list[str]) -> list[list[float]] | str:
    """``segmentation`` as polygons in pixels, or why it cannot be read."""
    if isinstance(seg, list):
        if not seg:
            return f"{at}: 'segmentation' is an empty list; give at least one polygon"
        out = []
        for k, poly in enumerate(seg, 1):
            if not isinstance(poly, list) or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in poly):
                return f"{at}: polygon {k} must be a list of numbers x1, y1, x2, y2, ..."
            out.append([float(v) for v in poly])
        return out
    if not isinstance(seg, dict):
        return f"{at}: 'segmentation' must be a list of polygons or an RLE {{counts, size}}, not {type(seg).__name__}"
    try:
        mask = rle_mask(seg, height, width)
    except ValueError as exc:
        return f"{at}: RLE {exc}"
    polygons, dropped = mask_polygons(mask)
    if dropped:
        warnings.append(f"{at}: {dropped} piece(s) of its mask too thin to outline (under {MIN_POLYGON_POINTS} "
                        "boundary points, or no area) left out")
    return polygons


def rle_counts(counts: str) -> list[int]:
    """COCO's compressed RLE string as run lengths (pycocotools' ``rleFrString``): each count is
    6-bit groups stored as ``chr(48 + group)``, 5 payload bits, low group first, 0x20 meaning "more";
    the last group's 0x10 bit is the sign; from the third count on, a count is stored as the
    difference from the count two before it."""
    out: list[int] = []
    p = 0
    while p < len(counts):
        x = k = 0
        more = True
        while more:
            if p >= len(counts):
                raise ValueError(f"counts string ends inside a number (after {len(out)} counts)")
            c = ord(counts[p]) - 48
            if not 0 <= c < 64:
                raise ValueError(f"counts string has {counts[p]!r} at position {p}; COCO uses '0' to 'o'")
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(out) > 2:
            x += out[-2]
        out.append(x)
    return out


def rle_mask(rle: dict[str, Any], height: int, width: int) -> np.ndarray:
    """A (height, width) boolean mask from COCO RLE, compressed or not; ValueError says what is wrong."""
    size = rle.get("size")
    if (not isinstance(size, list) or len(size) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in size)):
        raise ValueError(f"'size' must be [height, width], got {size!r}")
    if size != [height, width]:
        raise ValueError(f"'size' {size} is not the image's [height, width] [{height}, {width}]")
    raw = rle.get("counts")
    if isinstance(raw, str):
        counts = rle_counts(raw)
    elif isinstance(raw, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
        counts = raw
    else:
        raise ValueError("'counts' must be a list of run lengths or COCO's compressed string")
    if any(v < 0 for v in counts):
        raise ValueError("'counts' holds a negative run length")
    if sum(counts) != height * width:
        raise ValueError(f"run lengths add up to {sum(counts)} pixels; the {width}x{height} image has "
                         f"{height * width}")
    flat = np.repeat(np.arange(len(counts)) % 2 == 1, counts)  # runs alternate 0, 1, 0, ... from 0
    return flat.reshape(width, height).T  # column-major: COCO runs down each column


def mask_polygons(mask: np.ndarray) -> tuple[list[list[float]], int]:
    """A boolean mask's separate pieces as polygons ``[x1, y1, ...]`` through the centres of their
    outer boundary pixels, and how many pieces were left out (under 3 points, or no area)."""
    import cv2

    contours, _ = cv2.findContours(np.ascontiguousarray(mask, dtype=np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    polygons: list[list[float]] = []
    dropped = 0
    for c in contours:
        poly = [float(v) for v in c.reshape(-1).tolist()]
        if len(poly) < 2 * MIN_POLYGON_POINTS or polygon_area(poly) <= 0:
            dropped += 1
            continue
        polygons.append(poly)
    return polygons, dropped


def write_coco_segmentation(out: Path, images: Sequence[MaskImage], labels: Sequence[str]) -> int:
    """``OUT/annotations.json`` + ``OUT/images/`` (or the JSON at OUT when it ends in .json)."""
    json_path = out if out.suffix == ".json" else out / "annotations.json"
    img_dir = json_path.parent / "images"
    cat_ids = {name: i + 1 for i, name in enumerate(labels)}
    coco: dict[str, Any] = {"images": [], "annotations": [], "categories": [
        {"id": i, "name": lab, "supercategory": "object"} for lab, i in cat_ids.items()]}
    for img_id, im in enumerate(images, 1):
        copy_image(im.path, img_dir, name=im.name)
        coco["images"].append({"id": img_id, "file_name": im.name, "width": im.width, "height": im.height,
                               "activelabel_id": im.item_id})
        for obj in im.objects:
            b = obj.box
            ann: dict[str, Any] = {
                "id": len(coco["annotations"]) + 1, "image_id": img_id, "category_id": cat_ids[b.label],
                "segmentation": [[round(v, 3) for v in poly] for poly in obj.polygons],
                "bbox": [round(b.x0, 3), round(b.y0, 3), round(b.x1 - b.x0, 3), round(b.y1 - b.y0, 3)],
                "area": round(math.fsum(polygon_area(p) for p in obj.polygons), 3), "iscrowd": 0}
            if b.confidence is not None:
                ann["score"] = b.confidence
            coco["annotations"].append(ann)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(coco, indent=1), encoding="utf-8")
    return len(images)
