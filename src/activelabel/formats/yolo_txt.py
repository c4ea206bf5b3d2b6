"""YOLO txt labels with a ``data.yaml``: read into a project, and write a project's labels out.

Layout: ``data.yaml`` (``names`` as a list or an index -> name mapping) next to ``images/...`` and
``labels/...`` (the label of ``images/a/b.jpg`` is ``labels/a/b.txt``), or label files beside the
images. One line per box: ``class cx cy w h``, normalised to 0..1. A missing label file means the
image is unlabeled; an empty one means it was labeled and holds no object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activelabel.errors import ImportFormatError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.detection_base import ExportImage, RawBox, ReadContext, copy_image, image_files
from activelabel.types import Box


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"not valid YAML: {exc}", source=str(path)) from exc
    if not isinstance(data, dict):
        raise ImportFormatError("expected a mapping with a 'names' key", source=str(path))
    return data


def class_names(data_yaml: Path) -> list[str]:
    """The class names of a data.yaml, in index order."""
    names = _load_yaml(data_yaml).get("names")
    if isinstance(names, dict):
        try:
            pairs = sorted((int(k), str(v)) for k, v in names.items())
        except (TypeError, ValueError) as exc:
            raise ImportFormatError(f"'names' keys must be class indices: {exc}", source=str(data_yaml)) from exc
        if [k for k, _ in pairs] != list(range(len(pairs))):
            raise ImportFormatError("'names' indices must run 0..n-1 without gaps", source=str(data_yaml))
        return [v for _, v in pairs]
    if isinstance(names, list) and names:
        return [str(n) for n in names]
    raise ImportFormatError("no 'names' list of classes", source=str(data_yaml))


def _find_yaml(folder: Path) -> Path:
    if (folder / "data.yaml").exists():
        return folder / "data.yaml"
    found = sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))
    if not found:
        raise ImportFormatError("no data.yaml with the class names", source=str(folder))
    return found[0]


def label_path(image: Path, root: Path) -> Path:
    """YOLO's convention: the last ``images`` folder in the path becomes ``labels``; else side by side."""
    rel = image.relative_to(root).parts
    if "images" in rel:
        i = len(rel) - 1 - rel[::-1].index("images")
        candidate = root.joinpath(*rel[:i], "labels", *rel[i + 1:]).with_suffix(".txt")
        if candidate.exists():
            return candidate
    return image.with_suffix(".txt")


def parse_label_file(path: Path, names: Sequence[str], width: int, height: int) -> list[RawBox] | Rejection:
    """Boxes in pixels, or a rejection naming the first bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Rejection(str(path), None, f"cannot read the label file: {exc}")
    boxes: list[RawBox] = []
    for n, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 5:
            return Rejection(str(path), n, f"expected 5 fields (class cx cy w h), found {len(fields)}"
                             + ("; polygon labels are not supported" if len(fields) > 6 else ""))
        try:
            cls = int(fields[0])
            cx, cy, w, h = (float(v) for v in fields[1:])
        except ValueError:
            return Rejection(str(path), n, f"not numbers: {line.strip()!r}")
        if not 0 <= cls < len(names):
            return Rejection(str(path), n, f"class index {cls} out of range (data.yaml names {len(names)} "
                                           f"classes: 0..{len(names) - 1})")
        if not all(math.isfinite(v) for v in (cx, cy, w, h)):
            return Rejection(str(path), n, f"coordinates must be finite numbers: {line.strip()!r}")
        boxes.append(((cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height,
                      names[cls]))
    return boxes


def read_yolo(path: Path, ctx: ReadContext) -> RecordStream:
    data_yaml = path if path.is_file() else _find_yaml(path)
    root = data_yaml.parent
    names = class_names(data_yaml)
    for image in image_files(root):
        checked = ctx.check(image, str(image))
        if isinstance(checked, Rejection):
            yield checked
            continue
        labels = label_path(image, root)
        if not labels.exists():
            yield ctx.record(checked, None, str(image))
            continue
        boxes = parse_label_file(labels, names, checked.width, checked.height)
        if isinstance(boxes, Rejection):
            yield boxes
            continue
        yield ctx.record(checked, boxes, str(labels))


def yolo_lines(boxes: Sequence[Box], labels: Sequence[str], width: int, height: int) -> list[str]:
    index = {name: i for i, name in enumerate(labels)}
    return [f"{index[b.label]} {(b.x0 + b.x1) / 2 / width:.6f} {(b.y0 + b.y1) / 2 / height:.6f} "
            f"{(b.x1 - b.x0) / width:.6f} {(b.y1 - b.y0) / height:.6f}" for b in boxes]


def write_yolo_folder(out: Path, images: Sequence[ExportImage], labels: Sequence[str], *,
                      link: bool = False, split: str = "") -> int:
    """Write ``images/``, ``labels/`` and ``data.yaml`` (no ``path`` key: it is the yaml's folder)."""
    img_dir = out / "images" / split if split else out / "images"
    lab_dir = out / "labels" / split if split else out / "labels"
    lab_dir.mkdir(parents=True, exist_ok=True)
    for im in images:
        copy_image(im.path, img_dir, link=link, name=im.name)
        lines = yolo_lines(im.boxes, labels, im.width, im.height)
        (lab_dir / f"{Path(im.name).stem}.txt").write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    write_data_yaml(out, labels)
    return len(images)


def write_data_yaml(out: Path, labels: Sequence[str], train: str = "images", val: str = "images",
                    absolute: bool = False) -> Path:
    import yaml

    data: dict[str, Any] = {"train": train, "val": val, "nc": len(labels),
                            "names": {i: name for i, name in enumerate(labels)}}
    if absolute:
        data = {"path": str(out.resolve()), **data}
    path = out / "data.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
