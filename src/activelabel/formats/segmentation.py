"""Instance-segmentation import and export: image folders and COCO instance JSON (polygons or RLE)
in; COCO with polygon ``segmentation`` and the YOLO-seg package (``packaging.write_segmentation_package``)
out.

The reader checks every object against the project's labels and its image, so one bad image is one
rejection and the rest goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ImportFormatError
from activelabel.formats.base import RecordStream
from activelabel.formats.coco_segmentation import MaskImage, read_coco_segmentation, write_coco_segmentation
from activelabel.formats.detection import _project_extra, read_images
from activelabel.formats.detection_base import ReadContext
from activelabel.formats.json_array import holds_array
from activelabel.formats.media_names import NameAllocator, original_name
from activelabel.images import ImageLimits, is_image_name
from activelabel.types import Masks

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

FORMATS = ("auto", "images", "coco", "labelstudio")


def detect_format(path: Path) -> str:
    if path.is_file():
        if path.suffix.lower() == ".json":
            return "labelstudio" if holds_array(path) else "coco"
        if is_image_name(path):
            return "images"
        raise ImportFormatError(f"cannot tell the format from the suffix {path.suffix!r}; pass --format images|coco|labelstudio",
                                source=str(path))
    if (path / "tasks.json").is_file() and holds_array(path / "tasks.json"):
        return "labelstudio"
    return "coco" if any(p.suffix == ".json" for p in path.iterdir()) else "images"


def read_segmentation(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                      extra: dict[str, Any] | None = None, images_dir: str | None = None,
                      **_options: Any) -> RecordStream:
    """The segmentation reader in the registry's signature; ``fmt`` is auto, images, coco or labelstudio."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown segmentation format {fmt!r}; use one of {', '.join(FORMATS)}",
                                source=str(path))
    extra = dict(extra or _project_extra(project_dir))
    ctx = ReadContext(list(labels), Path(project_dir), ImageLimits.from_extra(extra))
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "images":
        return read_images(path, ctx)
    if fmt == "labelstudio":
        from activelabel.formats.labelstudio import import_config
        from activelabel.formats.segmentation_labelstudio import read_polygons

        return read_polygons(path, ctx, Path(images_dir) if images_dir else None,
                             import_config(_options.get("ls_config"), "polygonlabels"))
    return read_coco_segmentation(path, ctx, Path(images_dir) if images_dir else None)


def mask_images(project: Workspace, rows: Iterable[dict[str, Any]]) -> list[MaskImage]:
    """exporting.py's rows (id, path, value) as images with sizes and objects."""
    rows = list(rows)
    items = project.store.get_items([r["id"] for r in rows])
    names = NameAllocator()
    out = []
    for r in rows:
        meta = items[r["id"]].meta
        value = Masks.from_json(r.get("value") or {"objects": []})
        original = str(meta.get("file") or original_name(r["path"]))
        out.append(MaskImage(r["id"], project.dir / r["path"], int(meta["width"]), int(meta["height"]),
                             value.objects, names.take(original)))
    return out


def write_coco(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """COCO instances with polygon ``segmentation``: annotations.json (or OUT itself when it ends in
    .json) plus images/."""
    return write_coco_segmentation(Path(out), mask_images(project, rows), project.config.labels)
