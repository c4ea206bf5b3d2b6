"""Detection import: image folders, YOLO txt + data.yaml, COCO JSON and Pascal VOC XML.

Every image becomes one record or one rejection (so ``imported + rejected == total`` counts images).
Images are checked (``activelabel.images``), copied into the project's ``media/`` folder upright
(EXIF orientation applied) under a content-hash name, and ``Item.content`` is that path relative to
the project folder. Boxes are read in pixels of the upright image and checked: finite, known label,
positive area, inside the image. A box that sticks out is clipped with a warning; one with no part
inside is rejected. Label files are assumed to describe the image as a person sees it (upright).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ImportFormatError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.coco import read_coco, write_coco_file
from activelabel.formats.detection_base import ExportImage, ReadContext, image_files
from activelabel.formats.json_array import holds_array
from activelabel.formats.labelstudio import (
    copy_media,
    import_config,
    load_config,
    read_rectangles,
    tasks_file,
    write_labelstudio,
)
from activelabel.formats.media_names import NameAllocator, original_name
from activelabel.formats.voc import read_voc, write_voc_folder
from activelabel.formats.yolo_txt import read_yolo, write_yolo_folder
from activelabel.images import ImageLimits, is_image_name
from activelabel.types import Box

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

FORMATS = ("auto", "images", "yolo", "coco", "voc", "labelstudio")


def detect_format(path: Path) -> str:
    """Tell the format from a file's suffix or from what a folder holds."""
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            return "yolo"
        if suffix == ".json":
            return "labelstudio" if holds_array(path) else "coco"
        if suffix == ".xml":
            return "voc"
        if is_image_name(path):
            return "images"
        raise ImportFormatError(f"cannot tell the format from the suffix {suffix!r}; pass --format "
                                f"images|yolo|coco|voc|labelstudio", source=str(path))
    names = {p.name for p in path.iterdir()}
    if "data.yaml" in names or any(n.endswith((".yaml", ".yml")) for n in names):
        return "yolo"
    if (path / "tasks.json").is_file() and holds_array(path / "tasks.json"):
        return "labelstudio"
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
        return read_yolo(path, ctx)
    images_dir = _options.get("images_dir")
    if fmt == "coco":
        return read_coco(path, ctx, Path(images_dir) if images_dir else None)
    if fmt == "labelstudio":
        return read_rectangles(path, ctx, Path(images_dir) if images_dir else None,
                               import_config(_options.get("ls_config"), "rectanglelabels"))
    return read_voc(path, ctx)


def _project_extra(project_dir: Path) -> dict[str, Any]:
    """The project's ``[extra]`` settings (image size limits), when the folder is a project."""
    from activelabel.config import CONFIG_NAME, load_config

    if not (Path(project_dir) / CONFIG_NAME).exists():
        return {}
    return dict(load_config(Path(project_dir)).extra)


# ---- export -----------------------------------------------------------------------------------


def export_images(project: Workspace, rows: Iterable[dict[str, Any]]) -> list[ExportImage]:
    """Turn exporting.py's rows (id, path, value) into images with sizes, from the store."""
    rows = list(rows)
    items = project.store.get_items([r["id"] for r in rows])
    names = NameAllocator()
    out = []
    for r in rows:
        meta = items[r["id"]].meta
        boxes = tuple(Box(float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]), str(b["label"]),
                          b.get("confidence")) for b in (r.get("value") or {}).get("boxes", []))
        original = str(meta.get("file") or original_name(r["path"]))
        out.append(ExportImage(r["id"], project.dir / r["path"], int(meta["width"]), int(meta["height"]), boxes,
                               names.take(original)))
    return out


def _writer(fn: Callable[[Path, list[ExportImage], Sequence[str]], int]) -> Callable[..., int]:
    def write(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
        return fn(Path(out), export_images(project, rows), project.config.labels)

    write.__doc__ = fn.__doc__
    return write


def write_yolo(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """YOLO folder: images/, labels/*.txt and data.yaml."""
    return _writer(write_yolo_folder)(project, out, rows)


def write_coco(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """COCO: annotations.json (or OUT itself when it ends in .json) plus images/."""
    return _writer(write_coco_file)(project, out, rows)


def write_voc(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """Pascal VOC: annotations/*.xml plus images/."""
    return _writer(write_voc_folder)(project, out, rows)


def write_labelstudio_tasks(project: Workspace, out: Path, rows: list[dict[str, Any]], *,
                            ls_config: Path | None = None) -> int:
    """Label Studio: tasks.json (or OUT itself when it ends in .json) with ``rectanglelabels`` results in
    percent of each image, the images under images/ by their original names, and label_config.xml."""
    out = Path(out)
    tasks = tasks_file(out)
    items = project.store.get_items([r["id"] for r in rows])
    names = copy_media([(project.dir / r["path"], str(items[r["id"]].meta.get("file") or original_name(r["path"])))
                        for r in rows], tasks.parent / "images")
    sized = [{**r, "width": int(items[r["id"]].meta["width"]), "height": int(items[r["id"]].meta["height"])}
             for r in rows]
    cfg = load_config(ls_config, "rectanglelabels", project.config.labels)
    return write_labelstudio(tasks, sized, cfg, [f"images/{n}" for n in names])
