"""Detection import: image folders, YOLO txt + data.yaml, COCO JSON and Pascal VOC XML.

Every image becomes one record or one rejection (so ``imported + rejected == total`` counts images).
Images are checked (``activelabel.images``), copied into the project's ``media/`` folder upright
(EXIF orientation applied) under a content-hash name, and ``Item.content`` is that path relative to
the project folder. Boxes are read in pixels of the upright image and checked: finite, known label,
positive area, inside the image. A box that sticks out is clipped with a warning; one with no part
inside is rejected. Label files are assumed to describe the image as a person sees it (upright).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ImportFormatError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection, content_id
from activelabel.images import (
    CheckedImage,
    ImageLimits,
    InvalidImageError,
    check_image,
    is_image_name,
    upright_bytes,
)
from activelabel.types import Box, Boxes

if TYPE_CHECKING:
    from activelabel.project import Project

FORMATS = ("auto", "images", "yolo", "coco", "voc")
RawBox = tuple[float, float, float, float, str]  # x0, y0, x1, y1 in pixels, label


@dataclass(frozen=True)
class ReadContext:
    """What every detection reader needs: the schema, where media go, and the image limits."""

    labels: Sequence[str]
    project_dir: Path
    limits: ImageLimits
    clip: bool = True  # clip boxes that stick out of the image (with a warning) instead of rejecting

    @property
    def media_dir(self) -> Path:
        return self.project_dir / "media"

    def check(self, path: Path, source: str, line: int | None = None) -> CheckedImage | Rejection:
        try:
            return check_image(path, self.limits)
        except InvalidImageError as exc:
            return Rejection(source, line, str(exc).removeprefix(f"{path}: "))

    def record(self, checked: CheckedImage, boxes: Sequence[RawBox] | None, source: str,
               line: int | None = None, extra_meta: dict[str, Any] | None = None) -> ImportRecord | Rejection:
        """Validate the boxes against the image, copy the image into media/, build the record."""
        value = None
        warnings: list[str] = []
        if boxes is not None:
            checked_boxes = []
            for n, raw in enumerate(boxes, 1):
                result = self._box(raw, checked.width, checked.height, n)
                if isinstance(result, str):
                    return Rejection(source, line, result)
                box, warning = result
                if warning:
                    warnings.append(warning)
                checked_boxes.append(box)
            value = Boxes(tuple(checked_boxes))
        item_hash = content_id("image", checked.data)
        name = f"{item_hash[:16]}_{_safe_name(checked.path.name)}"
        target = self.media_dir / name
        if not target.exists():
            self.media_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{name}.tmp-{os.getpid()}")
            tmp.write_bytes(upright_bytes(checked))
            os.replace(tmp, target)
        meta: dict[str, Any] = {"width": checked.width, "height": checked.height, "file": checked.path.name}
        if checked.needs_rotation:
            meta["exif_orientation"] = checked.orientation
        meta.update(extra_meta or {})
        if warnings:
            meta["_warning"] = "; ".join(warnings)
        return ImportRecord(content=target.relative_to(self.project_dir).as_posix(), media="image", value=value,
                            meta=meta, source=source, line=line, hash_basis=checked.data)

    def _box(self, raw: RawBox, width: int, height: int, n: int) -> tuple[Box, str] | str:
        x0, y0, x1, y1, label = raw
        where = f"box {n} ({_fmt(x0)}, {_fmt(y0)}, {_fmt(x1)}, {_fmt(y1)})"
        if not all(isinstance(c, (int, float)) and math.isfinite(c) for c in (x0, y0, x1, y1)):
            return f"{where}: coordinates must be finite numbers"
        if label not in self.labels:
            return f"{where}: unknown label {label!r}; the project's labels are {list(self.labels)}"
        if x1 <= x0 or y1 <= y0:
            return f"{where}: must have positive area"
        inside = x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height
        if inside:
            return Box(float(x0), float(y0), float(x1), float(y1), label), ""
        cx0, cy0, cx1, cy1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
        if not self.clip:
            return f"{where}: outside the {width}x{height} image"
        if cx1 <= cx0 or cy1 <= cy0:
            return f"{where}: lies entirely outside the {width}x{height} image"
        return Box(cx0, cy0, cx1, cy1, label), f"{where} clipped to the {width}x{height} image"


def _fmt(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _safe_name(name: str) -> str:
    """A file-system-safe name, without an earlier import's hash prefix (re-imports stay readable)."""
    if len(name) > 17 and name[16] == "_" and all(c in "0123456789abcdef" for c in name[:16]):
        name = name[17:]
    keep = "".join(c if (c.isalnum() or c in "._-") else "_" for c in name)
    return keep[-80:] or "image"


def image_files(root: Path) -> list[Path]:
    """Every image under ``root`` (recursive, sorted, hidden folders skipped)."""
    out = [p for p in root.rglob("*") if p.is_file() and is_image_name(p)
           and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(out)


def detect_format(path: Path) -> str:
    """Tell the format from a file's suffix or from what a folder holds."""
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            return "yolo"
        if suffix == ".json":
            return "coco"
        if suffix == ".xml":
            return "voc"
        if is_image_name(path):
            return "images"
        raise ImportFormatError(f"cannot tell the format from the suffix {suffix!r}; pass --format "
                                f"images|yolo|coco|voc", source=str(path))
    names = {p.name for p in path.iterdir()}
    if "data.yaml" in names or any(n.endswith((".yaml", ".yml")) for n in names):
        return "yolo"
    if any(n.endswith(".json") for n in names):
        return "coco"
    if any(p.suffix == ".xml" for p in path.rglob("*.xml")):
        return "voc"
    return "images"


def read_images(path: Path, ctx: ReadContext) -> RecordStream:
    """An image file, or a folder of images, with no labels."""
    files = [path] if path.is_file() else image_files(path)
    for f in files:
        checked = ctx.check(f, str(f))
        yield checked if isinstance(checked, Rejection) else ctx.record(checked, None, str(f))


def read_detection(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                   max_image_pixels: int | None = None, max_image_side: int | None = None,
                   clip_boxes: bool = True, extra: dict[str, Any] | None = None, **_options: Any) -> RecordStream:
    """The detection reader in the registry's signature; ``fmt`` is auto, images, yolo, coco or voc."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown detection format {fmt!r}; use one of {', '.join(FORMATS)}", source=str(path))
    extra = dict(extra or _project_extra(project_dir))
    if max_image_pixels is not None:
        extra["max_image_pixels"] = max_image_pixels
    if max_image_side is not None:
        extra["max_image_side"] = max_image_side
    ctx = ReadContext(list(labels), Path(project_dir), ImageLimits.from_extra(extra),
                      clip=bool(extra.get("clip_boxes", clip_boxes)))
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "images":
        return read_images(path, ctx)
    if fmt == "yolo":
        from activelabel.formats.yolo_txt import read_yolo

        return read_yolo(path, ctx)
    if fmt == "coco":
        from activelabel.formats.coco import read_coco

        images_dir = _options.get("images_dir")
        return read_coco(path, ctx, Path(images_dir) if images_dir else None)
    from activelabel.formats.voc import read_voc

    return read_voc(path, ctx)


def _project_extra(project_dir: Path) -> dict[str, Any]:
    """The project's ``[extra]`` settings (image size limits), when the folder is a project."""
    from activelabel.config import CONFIG_NAME, load_config

    if not (Path(project_dir) / CONFIG_NAME).exists():
        return {}
    return dict(load_config(Path(project_dir)).extra)


# ---- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportImage:
    """One labeled image to write: where its file is, its size and its boxes."""

    item_id: str
    path: Path
    width: int
    height: int
    boxes: tuple[Box, ...]

    @property
    def name(self) -> str:
        return self.path.name


def export_images(project: Project, rows: Iterable[dict[str, Any]]) -> list[ExportImage]:
    """Turn exporting.py's rows (id, path, value) into images with sizes, from the store."""
    rows = list(rows)
    items = project.store.get_items([r["id"] for r in rows])
    out = []
    for r in rows:
        meta = items[r["id"]].meta
        boxes = tuple(Box(float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]), str(b["label"]),
                          b.get("confidence")) for b in (r.get("value") or {}).get("boxes", []))
        out.append(ExportImage(r["id"], project.dir / r["path"], int(meta["width"]), int(meta["height"]), boxes))
    return out


def _writer(fn: Callable[[Path, list[ExportImage], Sequence[str]], int]) -> Callable[..., int]:
    def write(project: Project, out: Path, rows: list[dict[str, Any]]) -> int:
        return fn(Path(out), export_images(project, rows), project.config.labels)

    write.__doc__ = fn.__doc__
    return write


def write_yolo(project: Project, out: Path, rows: list[dict[str, Any]]) -> int:
    """YOLO folder: images/, labels/*.txt and data.yaml."""
    from activelabel.formats.yolo_txt import write_yolo_folder

    return _writer(write_yolo_folder)(project, out, rows)


def write_coco(project: Project, out: Path, rows: list[dict[str, Any]]) -> int:
    """COCO: annotations.json (or OUT itself when it ends in .json) plus images/."""
    from activelabel.formats.coco import write_coco_file

    return _writer(write_coco_file)(project, out, rows)


def write_voc(project: Project, out: Path, rows: list[dict[str, Any]]) -> int:
    """Pascal VOC: annotations/*.xml plus images/."""
    from activelabel.formats.voc import write_voc_folder

    return _writer(write_voc_folder)(project, out, rows)


def copy_image(src: Path, dest_dir: Path, link: bool = False) -> Path:
    """Copy (or symlink) an image into ``dest_dir`` under the same name."""
    import shutil

    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / src.name
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    if link:
        dest.symlink_to(src.resolve())
    else:
        shutil.copy2(src, dest)
    return dest
