"""Image-classification import: ImageNet-style class folders, a CSV of ``path,label``, or plain images.

- ``folders``: ``root/<label>/*.png`` (images nested deeper keep the first folder's label); a
  package's split layout, ``root/{train,val,test}/<label>/``, is read the same way, and its
  ``auto/<label>/`` (labels no person gave) comes in as predictions, never as answers. Images
  directly under ``root`` are unlabeled.
- ``csv``: a header with a path column (``path``, ``image``, ``file``, ...) and maybe a label column
  (``label``, ``class``, ...); paths are relative to the CSV's folder. An empty label is an unlabeled
  image; a ``source`` of ``auto`` or ``model`` (what ``export`` writes) makes the label a prediction.
- ``images``: one image file, or a folder of images with no labels.

Every image becomes one record or one rejection that names the file (and the CSV line): a corrupt
or missing image, a folder or label that is not one of the project's labels. Images are checked and
copied into ``media/`` as detection images are (``formats.detection_base.ReadContext``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from activelabel.errors import FormatError, ImportFormatError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection
from activelabel.formats.detection_base import ReadContext, image_files
from activelabel.formats.prodigy import MACHINE_SOURCES
from activelabel.formats.tabular import delimited_rows
from activelabel.images import ImageLimits, is_image_name
from activelabel.types import ClassLabel

FORMATS = ("auto", "folders", "csv", "images")
SPLIT_DIRS = ("train", "val", "validation", "valid", "test")
AUTO_DIR = "auto"  # a package's machine labels
PATH_FIELD_GUESSES = ("path", "image", "file", "filename", "filepath", "image_path")
LABEL_FIELD_GUESSES = ("label", "class", "category", "target")


def detect_format(path: Path) -> str:
    """``csv`` for a .csv file, ``images`` for an image file or a flat folder, else ``folders``."""
    if path.is_file():
        if path.suffix.lower() == ".csv":
            return "csv"
        if is_image_name(path):
            return "images"
        raise ImportFormatError(f"cannot tell the format from the suffix {path.suffix!r}; pass --format "
                                f"{'|'.join(FORMATS[1:])}", source=str(path))
    has_dirs = any(p.is_dir() and not p.name.startswith(".") for p in path.iterdir())
    return "folders" if has_dirs else "images"


def _record(ctx: ReadContext, file: Path, label: str | None, source: str, line: int | None = None,
            machine: bool = False) -> ImportRecord | Rejection:
    """Check the image, copy it into media/ and attach its label (a prediction when ``machine``)."""
    if label is not None and label not in ctx.labels:
        return Rejection(source, line, f"unknown label {label!r}; the project's labels are {list(ctx.labels)}")
    checked = ctx.check(file, source, line)
    if isinstance(checked, Rejection):
        return checked
    rec = ctx.record(checked, None, source, line)
    if isinstance(rec, Rejection) or label is None:
        return rec
    return replace(rec, prediction=ClassLabel(label)) if machine else replace(rec, value=ClassLabel(label))


def _is_split_layout(root: Path) -> bool:
    """``root/train/<label>/...``: every folder is a split (or ``auto``), and they hold class folders."""
    dirs = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    names = {p.name for p in dirs}
    return bool(dirs) and names <= {*SPLIT_DIRS, AUTO_DIR} and bool(names & set(SPLIT_DIRS)) and all(
        not any(is_image_name(f) and f.is_file() for f in d.iterdir()) for d in dirs)


def read_folders(root: Path, ctx: ReadContext) -> RecordStream:
    """ImageNet-style class folders (or a package's split layout); the folder name is the label."""
    if not root.is_dir():
        raise ImportFormatError("the folders format needs a folder of class folders", source=str(root))
    if not _is_split_layout(root):
        yield from _class_folders(root, ctx, machine=False)
        return
    for file in sorted(p for p in root.iterdir() if p.is_file() and is_image_name(p)):
        yield _record(ctx, file, None, str(file))  # beside the split folders: unlabeled
    for top in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        yield from _class_folders(top, ctx, machine=top.name == AUTO_DIR)


def _class_folders(top: Path, ctx: ReadContext, machine: bool) -> RecordStream:
    """Every image under ``top``, labeled by its first folder (unlabeled directly under ``top``)."""
    for file in image_files(top):
        parts = file.relative_to(top).parts
        yield _record(ctx, file, parts[0] if len(parts) > 1 else None, str(file), machine=machine)


def _pick(header: Sequence[str], wanted: str | None, guesses: Sequence[str], what: str, source: str) -> str | None:
    if wanted is not None:
        if wanted not in header:
            raise FormatError(f"{source}: no {what} column {wanted!r}; the columns are {list(header)}")
        return wanted
    lower = {h.lower(): h for h in header}
    return next((lower[g] for g in guesses if g in lower), None)


def read_csv(path: Path, ctx: ReadContext, path_field: str | None = None,
             label_field: str | None = None) -> RecordStream:
    """``path,label`` rows; a path is relative to the CSV's folder (or absolute)."""
    source = str(path)
    good: list[tuple[int, str]] = []
    for n, raw in enumerate(path.read_bytes().splitlines(), 1):
        try:
            good.append((n, raw.decode("utf-8-sig" if n == 1 else "utf-8")))
        except UnicodeDecodeError as exc:
            if n == 1:
                raise FormatError(f"{source}:1: the header is not valid UTF-8") from exc
            yield Rejection(source, n, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
    if not good:
        return
    header = next(csv.reader([good[0][1]]))
    pf = _pick(header, path_field, PATH_FIELD_GUESSES, "path", source)
    if pf is None:
        raise FormatError(f"{source}: cannot find the image path column among {header}; pass --option "
                          "path_field=NAME")
    lf = _pick(header, label_field, LABEL_FIELD_GUESSES, "label", source)
    for row in delimited_rows(good[1:], header, ",", source):
        if isinstance(row, Rejection):
            yield row
            continue
        n, cells = row
        if not cells[pf].strip():
            yield Rejection(source, n, "empty image path")
            continue
        file = Path(cells[pf].strip())
        file = file if file.is_absolute() else path.parent / file
        label = (cells[lf].strip() or None) if lf else None
        machine = cells.get("source", "").strip() in MACHINE_SOURCES
        yield _record(ctx, file, label, source, n, machine=machine)


def read_images(path: Path, ctx: ReadContext) -> RecordStream:
    for file in [path] if path.is_file() else image_files(path):
        yield _record(ctx, file, None, str(file))


def read_image_classification(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                              path_field: str | None = None, label_field: str | None = None,
                              max_image_pixels: int | None = None, max_image_side: int | None = None,
                              extra: dict[str, Any] | None = None, **_options: Any) -> RecordStream:
    """The image-classification reader in the registry's signature; ``fmt`` is auto, folders, csv or images."""
    from activelabel.formats.detection import _project_extra

    path = Path(path)
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown image-classification format {fmt!r}; use one of {', '.join(FORMATS)}",
                                source=str(path))
    settings = dict(extra or _project_extra(project_dir))
    if max_image_pixels is not None:
        settings["max_image_pixels"] = max_image_pixels
    if max_image_side is not None:
        settings["max_image_side"] = max_image_side
    ctx = ReadContext(labels, Path(project_dir), ImageLimits.from_extra(settings))
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "csv":
        return read_csv(path, ctx, path_field, label_field)
    if fmt == "folders":
        return read_folders(path, ctx)
    return read_images(path, ctx)
