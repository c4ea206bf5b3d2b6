"""The pieces every detection reader and writer shares: the read context, raw boxes, image files.

``formats.detection`` (format detection and dispatch), ``coco``, ``voc`` and ``yolo_txt`` import
from here, so the dispatcher can import the readers without a cycle.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activelabel.formats.base import ImportRecord, Rejection, content_id
from activelabel.formats.media_names import original_name
from activelabel.images import (
    CheckedImage,
    ImageLimits,
    InvalidImageError,
    check_image,
    is_image_name,
    upright_bytes,
)
from activelabel.types import Box, Boxes, Payload

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
               line: int | None = None, extra_meta: dict[str, Any] | None = None,
               warnings: Sequence[str] = ()) -> ImportRecord | Rejection:
        """Validate the boxes against the image, copy the image into media/, build the record.

        ``warnings``: what the reader fixed up already (skipped annotations), reported with the record."""
        value = None
        warnings = list(warnings)
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
        return self.stored(checked, value, source, line, extra_meta, warnings)

    def stored(self, checked: CheckedImage, value: Payload | None, source: str, line: int | None = None,
               extra_meta: dict[str, Any] | None = None, warnings: Sequence[str] = ()) -> ImportRecord:
        """Copy the image into media/ (upright, under a content-hash name) and build its record."""
        warnings = list(warnings)
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
                            meta=meta, source=source, line=line, item_id=item_hash)

    def check_box(self, raw: RawBox, width: int, height: int, n: int) -> tuple[Box, str] | str:
        """A box checked against the image: (box, warning when it was clipped), or why it is refused."""
        return self._box(raw, width, height, n)

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
    name = original_name(name)
    keep = "".join(c if (c.isalnum() or c in "._-") else "_" for c in name)
    return keep[-80:] or "image"


def image_files(root: Path) -> list[Path]:
    """Every image under ``root`` (recursive, sorted, hidden folders skipped)."""
    out = [p for p in root.rglob("*") if p.is_file() and is_image_name(p)
           and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(out)


@dataclass(frozen=True)
class ExportImage:
    """One labeled image to write: where its file is, its size and its boxes."""

    item_id: str
    path: Path
    width: int
    height: int
    boxes: tuple[Box, ...]
    file_name: str = ""  # the name in the export (the original name); empty: the stored file's name

    @property
    def name(self) -> str:
        return self.file_name or self.path.name


def copy_image(src: Path, dest_dir: Path, link: bool = False, name: str | None = None) -> Path:
    """Copy (or symlink) an image into ``dest_dir`` under ``name`` (default: the same name)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / (name or src.name)
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    if link:
        dest.symlink_to(src.resolve())
    else:
        shutil.copy2(src, dest)
    return dest
