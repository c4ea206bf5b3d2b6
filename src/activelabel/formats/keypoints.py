"""Keypoint import and export: image folders and COCO keypoints in; COCO keypoints and the
YOLO-pose package (``packaging.write_keypoints_package``) out.

The keypoint names come from the project (``[extra] keypoints``); the reader checks every object
against them and against its image, so one bad image is one rejection and the rest goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ImportFormatError
from activelabel.formats.base import RecordStream
from activelabel.formats.coco_keypoints import PoseImage, read_coco_keypoints, write_coco_keypoints
from activelabel.formats.detection import _project_extra, read_images
from activelabel.formats.detection_base import ReadContext
from activelabel.formats.media_names import NameAllocator, original_name
from activelabel.images import ImageLimits, is_image_name
from activelabel.types import Poses

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

FORMATS = ("auto", "images", "coco")


def detect_format(path: Path) -> str:
    if path.is_file():
        if path.suffix.lower() == ".json":
            return "coco"
        if is_image_name(path):
            return "images"
        raise ImportFormatError(f"cannot tell the format from the suffix {path.suffix!r}; pass --format images|coco",
                                source=str(path))
    return "coco" if any(p.suffix == ".json" for p in path.iterdir()) else "images"


def read_keypoints(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                   extra: dict[str, Any] | None = None, images_dir: str | None = None,
                   **_options: Any) -> RecordStream:
    """The keypoints reader in the registry's signature; ``fmt`` is auto, images or coco."""
    from activelabel.tasks.keypoints import keypoint_names

    path = Path(path)
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown keypoints format {fmt!r}; use one of {', '.join(FORMATS)}", source=str(path))
    extra = dict(extra or _project_extra(project_dir))
    ctx = ReadContext(list(labels), Path(project_dir), ImageLimits.from_extra(extra),
                      clip=bool(extra.get("clip_boxes", True)))
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "images":
        return read_images(path, ctx)
    try:
        names = keypoint_names(extra)
    except ValueError as exc:
        raise ImportFormatError(str(exc), source=str(path)) from exc
    return read_coco_keypoints(path, ctx, names, Path(images_dir) if images_dir else None)


def pose_images(project: Workspace, rows: Iterable[dict[str, Any]]) -> list[PoseImage]:
    """exporting.py's rows (id, path, value) as images with sizes and objects."""
    rows = list(rows)
    items = project.store.get_items([r["id"] for r in rows])
    names = NameAllocator()
    out = []
    for r in rows:
        meta = items[r["id"]].meta
        value = Poses.from_json(r.get("value") or {"objects": []})
        original = str(meta.get("file") or original_name(r["path"]))
        out.append(PoseImage(r["id"], project.dir / r["path"], int(meta["width"]), int(meta["height"]),
                             value.objects, names.take(original)))
    return out


def write_coco(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """COCO keypoints: annotations.json (or OUT itself when it ends in .json) plus images/."""
    from activelabel.tasks.keypoints import keypoint_names

    extra = project.config.extra
    return write_coco_keypoints(Path(out), pose_images(project, rows), project.config.labels, keypoint_names(extra),
                                extra.get("skeleton") or ())
