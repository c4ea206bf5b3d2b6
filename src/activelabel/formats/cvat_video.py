"""CVAT for video 1.1 XML: ``<annotations>`` with ``<meta><task>`` (``size``, ``mode``, ``start_frame``,
``stop_frame``, ``labels``, ``original_size``, ``source``) and one ``<track id label>`` per object
holding ``<box frame xtl ytl xbr ybr outside occluded keyframe>`` shapes, frames from 0 (CVAT's
documented format; ``<source>`` sits in ``<task>`` since CVAT 2, in ``<meta>`` before: both are read).

Read as CVAT shows a track: a shape with ``outside="0"`` is a box on its frame; ``outside="1"`` ends
the track there (it may come back at a later shape); the frames between two shapes are interpolated
linearly from the earlier to the later one, and a track whose last shape is not outside goes on to
the task's ``stop_frame`` (else the video's last frame) with its last box. A file CVAT wrote lists
every frame, so this only fills in files written by hand or by tools that list keyframes alone.
``occluded`` and ``z_order`` are not kept. The answer's ``keyframes`` are the frames where a visible
box is marked ``keyframe="1"``. A track of polygons, points or any shape but boxes, a rotated box,
or an ``<image>`` element (CVAT *for images*) rejects the video: this reader tracks boxes only.

Written so that CVAT's own import gives the same boxes back: CVAT keeps only a track's keyframe
shapes and interpolates between them, so every box the answer's keyframes and linear interpolation
would not reproduce (to ``TOLERANCE`` px) is marked ``keyframe="1"`` as well, beside the answer's
keyframes and each run's first and last box; ``outside="1"`` follows each run that ends before the
video does.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET  # noqa: S405 - parsing only local annotation files, no entities
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from activelabel.formats.mot import num
from activelabel.types import Track, TrackBox, Tracks

TOLERANCE = 0.01  # px: how far CVAT's interpolation between the written keyframes may miss a box
COORDS = ("xtl", "ytl", "xbr", "ybr")
OTHER_SHAPES = ("polygon", "polyline", "points", "cuboid", "mask", "skeleton", "ellipse")


@dataclass(frozen=True)
class CvatShape:
    frame: int
    outside: bool
    keyframe: bool
    box: tuple[float, float, float, float]  # xtl, ytl, xbr, ybr


@dataclass(frozen=True)
class CvatTrack:
    id: int
    label: str
    shapes: tuple[CvatShape, ...]  # in frame order


@dataclass(frozen=True)
class CvatTask:
    """What one XML says about its video and tracks."""

    name: str
    source: str  # the video's file name (``<source>``), or ""
    width: int | None  # ``original_size``
    height: int | None
    stop_frame: int | None
    tracks: tuple[CvatTrack, ...]


def _int(text: str | None) -> int | None:
    try:
        v = float((text or "").strip())
    except ValueError:
        return None
    return int(v) if math.isfinite(v) and v.is_integer() else None


def _flag(el: ET.Element, name: str, where: str) -> bool | str:
    raw = el.get(name, "0").strip()
    if raw not in ("0", "1"):
        return f"{where}: {name}={raw!r} must be 0 or 1"
    return raw == "1"


def _shape(el: ET.Element, track: str) -> CvatShape | str:
    frame = _int(el.get("frame"))
    if frame is None:
        return f"{track}: a box needs a whole frame number, got frame={el.get('frame')!r}"
    where = f"{track} frame {frame}"
    coords = []
    for k in COORDS:
        try:
            v = float(el.get(k, ""))
        except ValueError:
            return f"{where}: {k}={el.get(k)!r} is not a number"
        if not math.isfinite(v):
            return f"{where}: {k}={el.get(k)!r} is not a finite number"
        coords.append(v)
    rotation = el.get("rotation")
    if rotation is not None:
        try:
            angle = float(rotation)
        except ValueError:
            return f"{where}: rotation={rotation!r} is not a number"
        if not math.isfinite(angle) or angle % 360 != 0:
            return f"{where}: a box rotated by {rotation} degrees; this project tracks upright boxes"
    outside, keyframe = _flag(el, "outside", where), _flag(el, "keyframe", where)
    if isinstance(outside, str):
        return outside
    if isinstance(keyframe, str):
        return keyframe
    return CvatShape(frame, outside, keyframe, (coords[0], coords[1], coords[2], coords[3]))


def parse_cvat(xml: Path) -> CvatTask | str:
    """One CVAT for video XML, or the reason it cannot be read (naming the track and frame)."""
    try:
        root = ET.parse(xml).getroot()  # noqa: S314
    except (ET.ParseError, OSError) as exc:
        return f"not valid XML: {exc}"
    if root.tag != "annotations":
        return f"not a CVAT XML: the root element is <{root.tag}>, not <annotations>"
    if root.find("image") is not None:
        return "a CVAT for images XML (<image> elements); export the task as CVAT for video 1.1"
    meta = root.find("meta")
    task = meta.find("task") if meta is not None else None
    if meta is None or task is None:
        return "no <meta><task> (a CVAT project export holds one XML per task; import a task's XML)"
    size = task.find("original_size")
    width = _int(size.findtext("width")) if size is not None else None
    height = _int(size.findtext("height")) if size is not None else None
    source = (task.findtext("source") or meta.findtext("source") or "").strip()
    tracks = []
    for n, el in enumerate(root.findall("track"), 1):
        tid = _int(el.get("id"))
        label = el.get("label", "")
        name = f"track {el.get('id')} ({label})"
        if tid is None:
            return f"track {n} ({label}): id={el.get('id')!r} must be a whole number"
        other = next((child.tag for child in el if child.tag in OTHER_SHAPES), None)
        if other is not None:
            return f"{name} holds <{other}> shapes; this project tracks boxes"
        shapes = []
        for box in el.findall("box"):
            got = _shape(box, name)
            if isinstance(got, str):
                return got
            shapes.append(got)
        frames = [s.frame for s in shapes]
        if len(set(frames)) != len(frames):
            dup = next(f for f in frames if frames.count(f) > 1)
            return f"{name}: two boxes on frame {dup}"
        tracks.append(CvatTrack(tid, label, tuple(sorted(shapes, key=lambda s: s.frame))))
    return CvatTask(name=(task.findtext("name") or xml.parent.name).strip(), source=source, width=width,
                    height=height, stop_frame=_int(task.findtext("stop_frame")), tracks=tuple(tracks))


def _between(a: tuple[float, ...], b: tuple[float, ...], t: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (round(p + (q - p) * t, 4) for p, q in zip(a, b))
    return x0, y0, x1, y1


def cvat_tracks(task: CvatTask, labels: Sequence[str], width: int, height: int, n_frames: int,
                clip: bool = False) -> tuple[Tracks, list[str]] | str:
    """The XML's tracks as the answer CVAT shows (see the module docstring), checked against the
    video: known labels, frames the video has, boxes inside the frame (``clip``: clipped, with a
    warning); or why the video is rejected."""
    last = n_frames - 1 if task.stop_frame is None else task.stop_frame
    if last >= n_frames:
        return f"the XML's stop_frame {last} is beyond the video's last frame {n_frames - 1}"
    out: list[Track] = []
    keyframes: set[int] = set()
    warnings: list[str] = []
    clipped = 0
    for t in task.tracks:
        name = f"track {t.id} ({t.label})"
        if t.label not in labels:
            return f"{name}: unknown label {t.label!r}; the project's labels are {list(labels)}"
        boxes: list[TrackBox] = []
        for k, s in enumerate(t.shapes):
            if s.frame < 0 or s.frame >= n_frames:
                return f"{name} frame {s.frame}: the video has frames 0..{n_frames - 1}"
            if s.outside:
                continue
            x0, y0, x1, y1 = s.box
            where = f"{name} frame {s.frame} box ({x0:g}, {y0:g})-({x1:g}, {y1:g})"
            if x1 <= x0 or y1 <= y0:
                return f"{where}: must have positive area"
            if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
                if not clip:
                    return f"{where}: outside the {width}x{height} frame"
                clipped += 1
            if s.keyframe:
                keyframes.add(s.frame)
            nxt = t.shapes[k + 1] if k + 1 < len(t.shapes) else None
            end = nxt.frame if nxt is not None else max(last, s.frame) + 1
            for f in range(s.frame, end):
                box = s.box if nxt is None else _between(s.box, nxt.box, (f - s.frame) / (nxt.frame - s.frame))
                boxes.append(TrackBox(f, *box))
        if clip:
            kept = []
            for b in boxes:
                x0, y0 = max(0.0, b.x0), max(0.0, b.y0)
                x1, y1 = min(float(width), b.x1), min(float(height), b.y1)
                if x1 > x0 and y1 > y0:
                    kept.append(TrackBox(b.frame, x0, y0, x1, y1))
            boxes = kept
        if not boxes:
            warnings.append(f"{name} left out: it has no box that is not outside")
            continue
        out.append(Track(t.id, t.label, tuple(boxes)))
    if clipped:
        warnings.append(f"{clipped} box(es) clipped to the {width}x{height} frame")
    return Tracks(tuple(sorted(out, key=lambda t: t.id)), tuple(sorted(keyframes))), warnings


def _miss(a: TrackBox, b: TrackBox, c: TrackBox) -> float:
    """How far linear interpolation between ``a`` and ``b`` misses ``c`` (the largest coordinate gap)."""
    t = (c.frame - a.frame) / (b.frame - a.frame)
    return max(abs(p + (q - p) * t - r) for p, q, r in zip((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1),
                                                           (c.x0, c.y0, c.x1, c.y1)))


def keyframe_indexes(run: Sequence[TrackBox], fixed: set[int], tolerance: float = TOLERANCE) -> set[int]:
    """Which boxes of a run (consecutive frames) to mark ``keyframe="1"``: its ends, the answer's
    keyframes (``fixed`` frames), and, splitting where interpolation misses most (Douglas-Peucker
    over time), enough more that interpolating between them gives every box back within ``tolerance``."""
    keep = {0, len(run) - 1} | {i for i, b in enumerate(run) if b.frame in fixed}
    ordered = sorted(keep)
    todo = list(zip(ordered, ordered[1:]))
    while todo:
        lo, hi = todo.pop()
        worst, at = tolerance, -1
        for i in range(lo + 1, hi):
            miss = _miss(run[lo], run[hi], run[i])
            if miss > worst:
                worst, at = miss, i
        if at >= 0:
            keep.add(at)
            todo += [(lo, at), (at, hi)]
    return keep


def _runs(boxes: Sequence[TrackBox]) -> list[list[TrackBox]]:
    """A track's boxes cut where a frame is missing."""
    runs: list[list[TrackBox]] = []
    for b in boxes:
        if runs and runs[-1][-1].frame == b.frame - 1:
            runs[-1].append(b)
        else:
            runs.append([b])
    return runs


def _box(parent: ET.Element, b: TrackBox, outside: bool, keyframe: bool) -> None:
    ET.SubElement(parent, "box", {"frame": str(b.frame), "outside": str(int(outside)), "occluded": "0",
                                  "keyframe": str(int(keyframe)), "xtl": num(b.x0), "ytl": num(b.y0),
                                  "xbr": num(b.x1), "ybr": num(b.y1), "z_order": "0"})


def cvat_xml(value: Tracks, *, task_id: int, name: str, source: str, width: int, height: int, n_frames: int,
             labels: Sequence[str]) -> bytes:
    """One video's ``annotations.xml`` (CVAT for video 1.1, interpolation mode)."""
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    meta = ET.SubElement(root, "meta")
    task = ET.SubElement(meta, "task")
    for key, text in (("id", str(task_id)), ("name", name), ("size", str(n_frames)), ("mode", "interpolation"),
                      ("overlap", "0"), ("bugtracker", ""), ("start_frame", "0"), ("stop_frame", str(n_frames - 1)),
                      ("frame_filter", "")):
        ET.SubElement(task, key).text = text
    segment = ET.SubElement(ET.SubElement(task, "segments"), "segment")
    for key, text in (("id", "0"), ("start", "0"), ("stop", str(n_frames - 1)), ("url", "")):
        ET.SubElement(segment, key).text = text
    label_list = ET.SubElement(task, "labels")
    for lab in labels:
        el = ET.SubElement(label_list, "label")
        ET.SubElement(el, "name").text = lab
        ET.SubElement(el, "type").text = "rectangle"
        ET.SubElement(el, "attributes")
    size = ET.SubElement(task, "original_size")
    ET.SubElement(size, "width").text = str(width)
    ET.SubElement(size, "height").text = str(height)
    ET.SubElement(task, "source").text = source
    fixed = set(value.keyframes)
    for t in value.tracks:
        track = ET.SubElement(root, "track", {"id": str(t.id), "label": t.label, "source": "manual"})
        for run in _runs(t.boxes):
            keys = keyframe_indexes(run, fixed)
            for i, b in enumerate(run):
                _box(track, b, outside=False, keyframe=i in keys)
            if run[-1].frame + 1 < n_frames:  # the object leaves: CVAT would carry it to the end otherwise
                end = run[-1]
                _box(track, TrackBox(end.frame + 1, end.x0, end.y0, end.x1, end.y1), outside=True, keyframe=True)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
