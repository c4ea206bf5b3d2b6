"""MOT Challenge text: ``gt.txt`` lines, ``seqinfo.ini``, the class-name map and where sequences are.

A line is ``frame,id,x,y,w,h,conf,class[,visibility[,...]]`` (commas, or whitespace, between fields):
the frame counted from 1, the track id, the box's top-left corner and size in pixels, taken as
written (no 1-based shift: the sample, py-motmetrics' writer and most tools write pixels from 0, so
an export reads back unchanged), and ``class`` an index from 1 into the class names. Lines with
``conf`` 0 are MOT's "do not evaluate" marks (crowds, distractors): they are left out, counted in a
warning. A line that cannot be read, or whose box breaks the video (outside the frame, on a frame the
video does not have, an unknown class, a second box of one track on one frame), rejects its video,
named with the file and line: leaving one object out would teach the model it is background.

The class names (which label class ``k`` is) come from ``labels.txt`` (one label per line, class 1
first) beside the MOT files or in a folder above them, the file ``export --format mot`` and the
package write; without one, class ``k`` is the project's ``k``-th label (the ``labels=`` the reader is
given); a reader option ``class_names=[...]`` overrides both.
"""

from __future__ import annotations

import configparser
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from activelabel.formats.base import Rejection
from activelabel.types import Track, TrackBox, Tracks

FIELD = re.compile(r"\s*,\s*|\s+")
COLUMNS = ("frame", "id", "x", "y", "w", "h", "conf", "class")
LABELS_FILE = "labels.txt"
SEQINFO = "seqinfo.ini"
DEFAULT_IM_DIR = "img1"


@dataclass(frozen=True)
class ClassNames:
    """Class ``k`` (from 1) is ``names[k - 1]``; ``origin`` says where the names came from, for messages."""

    names: tuple[str, ...]
    origin: str


@dataclass(frozen=True)
class SeqInfo:
    """A sequence's ``seqinfo.ini`` ([Sequence] name, imDir, frameRate, seqLength, imWidth, imHeight, imExt)."""

    name: str
    im_dir: str
    frame_rate: float
    seq_length: int | None
    width: int | None
    height: int | None
    ext: str


def num(v: float) -> str:
    """A coordinate as text: 4 decimals at most, no trailing zeros (what the readers round to)."""
    text = f"{float(v):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def read_class_names(path: Path) -> ClassNames:
    """``labels.txt``: one label per line, class 1 first (blank lines skipped)."""
    names = tuple(x.strip() for x in path.read_text(encoding="utf-8-sig").splitlines() if x.strip())
    return ClassNames(names, str(path))


def class_names_for(start: Path, top: Path, labels: Sequence[str], option: Sequence[str] | None) -> ClassNames:
    """The class map for the MOT files in ``start``: the option, else the nearest ``labels.txt`` from
    ``start`` up to ``top``, else the project's labels."""
    if option is not None:
        return ClassNames(tuple(str(x) for x in option), "the class_names option")
    folder = start
    while True:
        if (folder / LABELS_FILE).is_file():
            return read_class_names(folder / LABELS_FILE)
        if folder == top or folder.parent == folder or top not in folder.parents:
            break
        folder = folder.parent
    return ClassNames(tuple(labels), "the project's labels")


def _whole(text: str) -> int | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return int(v) if math.isfinite(v) and v.is_integer() else None


def _box_text(x: float, y: float, w: float, h: float) -> str:
    return f"box x={x:g} y={y:g} w={w:g} h={h:g}"


def parse_mot(text: str, source: str, *, classes: ClassNames, labels: Sequence[str], width: int, height: int,
              n_frames: int, video: str, clip: bool = False) -> tuple[Tracks, list[str]] | Rejection:
    """One video's MOT lines as tracks (and what was fixed up or left out), or the first bad line's
    Rejection. ``clip`` clips a box that sticks out of the frame (with a warning) instead of rejecting."""
    boxes: dict[int, dict[int, tuple[TrackBox, int]]] = {}  # id -> frame -> (box, line)
    track_class: dict[int, tuple[int, int]] = {}  # id -> (class, first line)
    ignored = 0
    clipped: list[int] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        fields = FIELD.split(line)
        if len(fields) < len(COLUMNS):
            return Rejection(source, n, f"a MOT line has the fields frame,id,x,y,w,h,conf,class[,visibility]; "
                                        f"this one has {len(fields)}: {line[:60]!r}")
        values: list[float] = []
        for name, field in zip(COLUMNS, fields):
            try:
                v = float(field)
            except ValueError:
                return Rejection(source, n, f"{name} is {field!r}, not a number")
            if not math.isfinite(v):
                return Rejection(source, n, f"{name} is {field!r}, not a finite number")
            values.append(v)
        frame, tid, cls = _whole(fields[0]), _whole(fields[1]), _whole(fields[7])
        x, y, w, h, conf = values[2], values[3], values[4], values[5], values[6]
        if frame is None or tid is None or cls is None:
            bad = next(c for c, v in zip(("frame", "id", "class"), (frame, tid, cls)) if v is None)
            return Rejection(source, n, f"{bad} must be a whole number, got {fields[COLUMNS.index(bad)]!r}")
        if conf == 0:  # MOT's mark for a box that is not to be evaluated
            ignored += 1
            continue
        if frame < 1:
            return Rejection(source, n, f"frame {frame}: MOT frames count from 1")
        if frame > n_frames:
            return Rejection(source, n, f"frame {frame} is beyond the end of {video}, which has {n_frames} frames")
        if tid < 0:
            return Rejection(source, n, f"track id {tid}: a ground-truth line needs an identity "
                                        "(-1 marks a detection without one)")
        if not 1 <= cls <= len(classes.names):
            return Rejection(source, n, f"unknown class {cls}: {classes.origin} gives classes 1..{len(classes.names)}"
                                        f" ({', '.join(classes.names)})")
        label = classes.names[cls - 1]
        if label not in labels:
            return Rejection(source, n, f"class {cls} is {label!r} ({classes.origin}), not one of the project's "
                                        f"labels {list(labels)}")
        if w <= 0 or h <= 0:
            return Rejection(source, n, f"{_box_text(x, y, w, h)}: width and height must be positive")
        x0, y0, x1, y1 = round(x, 4), round(y, 4), round(x + w, 4), round(y + h, 4)
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            if not clip:
                return Rejection(source, n, f"{_box_text(x, y, w, h)} is outside the {width}x{height} frame of "
                                            f"{video}")
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
            if x1 <= x0 or y1 <= y0:
                return Rejection(source, n, f"{_box_text(x, y, w, h)} lies entirely outside the {width}x{height} "
                                            f"frame of {video}")
            clipped.append(n)
        first = track_class.setdefault(tid, (cls, n))
        if first[0] != cls:
            return Rejection(source, n, f"track {tid} is class {cls} here and class {first[0]} on line {first[1]}; "
                                        "a track has one label")
        seen = boxes.setdefault(tid, {})
        if frame - 1 in seen:
            return Rejection(source, n, f"track {tid} already has a box on frame {frame} (line {seen[frame - 1][1]})")
        seen[frame - 1] = (TrackBox(frame - 1, x0, y0, x1, y1), n)
    warnings = []
    if ignored:
        warnings.append(f"{ignored} line(s) with conf 0 left out (MOT's mark for boxes not to evaluate)")
    if clipped:
        warnings.append(f"{len(clipped)} box(es) clipped to the {width}x{height} frame (first on line {clipped[0]})")
    tracks = tuple(Track(tid, classes.names[track_class[tid][0] - 1],
                         tuple(boxes[tid][f][0] for f in sorted(boxes[tid]))) for tid in sorted(boxes))
    return Tracks(tracks), warnings


def mot_text(value: Tracks, labels: Sequence[str]) -> str:
    """MOT lines for one video: frame (from 1), id, x, y, w, h, conf 1, class (from 1 in ``labels``
    order), visibility 1; sorted by frame, then id."""
    rows = sorted((b.frame, t.id, f"{b.frame + 1},{t.id},{num(b.x0)},{num(b.y0)},{num(b.x1 - b.x0)},"
                                  f"{num(b.y1 - b.y0)},1,{list(labels).index(t.label) + 1},1")
                  for t in value.tracks for b in t.boxes)
    return "".join(r[2] + "\n" for r in rows)


def read_seqinfo(path: Path) -> SeqInfo | str:
    """``seqinfo.ini``, or why it cannot be read."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8-sig"), source=str(path))
    except (configparser.Error, UnicodeDecodeError) as exc:
        return f"not a readable seqinfo.ini: {exc}"
    if not parser.has_section("Sequence"):
        return "no [Sequence] section"
    sec = parser["Sequence"]

    def whole(key: str) -> int | None | str:
        raw = sec.get(key)
        if raw is None or not raw.strip():
            return None
        got = _whole(raw.strip())
        return got if got is not None and got > 0 else f"{key}={raw!r} must be a positive whole number"

    found = {k: whole(k) for k in ("seqLength", "imWidth", "imHeight")}
    bad = next((v for v in found.values() if isinstance(v, str)), None)
    if bad is not None:
        return bad
    rate_raw = (sec.get("frameRate") or "").strip()
    try:
        rate = float(rate_raw) if rate_raw else 0.0
    except ValueError:
        return f"frameRate={rate_raw!r} must be a number"
    if not math.isfinite(rate) or rate < 0:
        return f"frameRate={rate_raw!r} must be a positive number"
    length, w, h = (v if isinstance(v, int) else None for v in found.values())
    return SeqInfo(name=(sec.get("name") or path.parent.name).strip(), im_dir=(sec.get("imDir") or DEFAULT_IM_DIR).strip(),
                   frame_rate=rate, seq_length=length, width=w, height=h, ext=(sec.get("imExt") or ".jpg").strip())


def seqinfo_text(name: str, fps: float, n_frames: int, width: int, height: int, im_dir: str = DEFAULT_IM_DIR,
                 ext: str = ".jpg") -> str:
    return (f"[Sequence]\nname={name}\nimDir={im_dir}\nframeRate={num(fps)}\nseqLength={n_frames}\n"
            f"imWidth={width}\nimHeight={height}\nimExt={ext}\n")


def is_sequence(folder: Path) -> bool:
    """A MOT Challenge sequence folder: ``seqinfo.ini``, or an ``img1/`` frame folder, inside."""
    return (folder / SEQINFO).is_file() or (folder / DEFAULT_IM_DIR).is_dir()


def sequence_dirs(root: Path) -> list[Path]:
    """Every sequence folder under ``root`` (``root`` itself included), not looking inside a sequence;
    hidden folders skipped."""
    out = []
    for dirpath, dirnames, _files in os.walk(root):
        here = Path(dirpath)
        if is_sequence(here):
            out.append(here)
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
    return sorted(out)
