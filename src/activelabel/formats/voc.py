"""Pascal VOC: one XML per image (``filename``, ``object/name``, ``object/bndbox`` in pixels).

The image of an XML is found from its ``filename`` beside the XML, in ``../images`` or
``../JPEGImages``, or by the XML's own stem. Images under the folder that no XML names are imported
unlabeled. Coordinates are taken as given (no 1-based shift), so an export reads back unchanged.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parsing only local annotation files, no entities
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.detection_base import ExportImage, RawBox, ReadContext, copy_image, image_files
from activelabel.images import IMAGE_SUFFIXES


def _image_for(xml: Path, filename: str) -> Path | None:
    dirs = [xml.parent, xml.parent.parent / "images", xml.parent.parent / "JPEGImages", xml.parent.parent]
    for d in dirs:
        if filename and (d / filename).is_file():
            return d / filename
        for suffix in IMAGE_SUFFIXES + tuple(s.upper() for s in IMAGE_SUFFIXES):
            if (d / (xml.stem + suffix)).is_file():
                return d / (xml.stem + suffix)
    return None


def parse_voc(xml: Path) -> tuple[str, list[RawBox]] | str:
    """The image file name and boxes of one XML, or the reason it cannot be read."""
    try:
        root = ET.parse(xml).getroot()  # noqa: S314
    except (ET.ParseError, OSError) as exc:
        return f"not valid XML: {exc}"
    boxes: list[RawBox] = []
    for n, obj in enumerate(root.iter("object"), 1):
        name = (obj.findtext("name") or "").strip()
        bnd = obj.find("bndbox")
        if bnd is None:
            return f"object {n} ({name!r}) has no bndbox"
        try:
            coords = [float((bnd.findtext(k) or "").strip()) for k in ("xmin", "ymin", "xmax", "ymax")]
        except ValueError:
            return f"object {n} ({name!r}): bndbox needs numeric xmin, ymin, xmax, ymax"
        boxes.append((coords[0], coords[1], coords[2], coords[3], name))
    return (root.findtext("filename") or "").strip(), boxes


def read_voc(path: Path, ctx: ReadContext) -> RecordStream:
    xmls = [path] if path.is_file() else sorted(path.rglob("*.xml"))
    claimed: set[Path] = set()
    for xml in xmls:
        parsed = parse_voc(xml)
        if isinstance(parsed, str):
            yield Rejection(str(xml), None, parsed)
            continue
        filename, boxes = parsed
        image = _image_for(xml, filename)
        if image is None:
            yield Rejection(str(xml), None, f"image {filename or xml.stem!r} not found beside the XML or in ../images")
            continue
        claimed.add(image.resolve())
        checked = ctx.check(image, str(xml))
        yield checked if isinstance(checked, Rejection) else ctx.record(checked, boxes, str(xml))
    if path.is_dir():
        for image in image_files(path):
            if image.resolve() not in claimed:
                checked = ctx.check(image, str(image))
                yield checked if isinstance(checked, Rejection) else ctx.record(checked, None, str(image))


def voc_xml(im: ExportImage) -> str:
    objects = "".join(
        f"  <object>\n    <name>{escape(b.label)}</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n"
        f"    <difficult>0</difficult>\n    <bndbox>\n      <xmin>{b.x0:g}</xmin>\n      <ymin>{b.y0:g}</ymin>\n"
        f"      <xmax>{b.x1:g}</xmax>\n      <ymax>{b.y1:g}</ymax>\n    </bndbox>\n  </object>\n"
        for b in im.boxes)
    return (f"<annotation>\n  <folder>images</folder>\n  <filename>{escape(im.name)}</filename>\n"
            f"  <size>\n    <width>{im.width}</width>\n    <height>{im.height}</height>\n    <depth>3</depth>\n"
            f"  </size>\n  <segmented>0</segmented>\n{objects}</annotation>\n")


def write_voc_folder(out: Path, images: Sequence[ExportImage], labels: Sequence[str]) -> int:
    """``OUT/images/`` and ``OUT/annotations/<stem>.xml``."""
    ann_dir = out / "annotations"
    ann_dir.mkdir(parents=True, exist_ok=True)
    for im in images:
        copy_image(im.path, out / "images", name=im.name)
        (ann_dir / f"{im.path.stem}.xml").write_text(voc_xml(im), encoding="utf-8")
    return len(images)
