"""Value objects shared by every layer: items, label payloads, selections.

Payloads validate themselves against the project's labels, so that an unknown label or a box
outside its image is caught where it enters, with a message that says which.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from activelabel.errors import InvalidLabelError


class AnnotationStatus(str, Enum):
    ACCEPTED = "accepted"  # the human confirmed the proposal
    CORRECTED = "corrected"  # the human gave another value
    REJECTED = "rejected"  # the proposal is wrong, no value given
    SKIPPED = "skipped"
    AUTO = "auto"  # auto-accepted by the model; a human answer supersedes it

    @property
    def carries_label(self) -> bool:
        return self in (AnnotationStatus.ACCEPTED, AnnotationStatus.CORRECTED, AnnotationStatus.AUTO)

    @property
    def is_human(self) -> bool:
        return self is not AnnotationStatus.AUTO


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    media: str  # "text" | "image" | "audio"
    content: str  # the text, or a path relative to the project folder
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.content


# ---- label payloads -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassLabel:
    label: str

    def validate(self, labels: Sequence[str]) -> ClassLabel:
        if self.label not in labels:
            raise InvalidLabelError(f"unknown label {self.label!r}; the project's labels are {list(labels)}")
        return self

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClassLabel:
        return cls(str(data["label"]))


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # code-point offsets into the text
    end: int
    label: str
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@dataclass(frozen=True, slots=True)
class Spans:
    spans: tuple[Span, ...]

    def validate(self, labels: Sequence[str], text: str | None = None, *, allow_overlaps: bool = False) -> Spans:
        ordered = sorted(self.spans, key=lambda s: (s.start, s.end))
        for s in ordered:
            if s.label not in labels:
                raise InvalidLabelError(f"span {s.start}-{s.end}: unknown label {s.label!r}")
            if not 0 <= s.start < s.end:
                raise InvalidLabelError(f"span {s.start}-{s.end}: start must be >= 0 and below end")
            if text is not None and s.end > len(text):
                raise InvalidLabelError(f"span {s.start}-{s.end}: ends past the text ({len(text)} chars)")
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end and not allow_overlaps:
                raise InvalidLabelError(f"spans {a.start}-{a.end} and {b.start}-{b.end} overlap")
        return Spans(tuple(ordered))

    def to_json(self) -> dict[str, Any]:
        return {"spans": [s.to_json() for s in self.spans]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Spans:
        return cls(tuple(Span(int(s["start"]), int(s["end"]), str(s["label"]), s.get("confidence"))
                         for s in data["spans"]))


@dataclass(frozen=True, slots=True)
class Box:
    x0: float  # pixels, top-left origin
    y0: float
    x1: float
    y1: float
    label: str
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1, "label": self.label}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@dataclass(frozen=True, slots=True)
class Boxes:
    boxes: tuple[Box, ...]

    def validate(self, labels: Sequence[str], width: int | None = None, height: int | None = None) -> Boxes:
        for b in self.boxes:
            coords = (b.x0, b.y0, b.x1, b.y1)
            if any(not math.isfinite(c) for c in coords):
                raise InvalidLabelError(f"box {coords}: coordinates must be finite numbers")
            if b.label not in labels:
                raise InvalidLabelError(f"box {coords}: unknown label {b.label!r}")
            if b.x1 <= b.x0 or b.y1 <= b.y0:
                raise InvalidLabelError(f"box {coords}: must have positive area")
            if width is not None and height is not None:
                if b.x0 < 0 or b.y0 < 0 or b.x1 > width or b.y1 > height:
                    raise InvalidLabelError(f"box {coords}: outside the {width}x{height} image")
        return self

    def to_json(self) -> dict[str, Any]:
        return {"boxes": [b.to_json() for b in self.boxes]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Boxes:
        return cls(tuple(Box(float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]), str(b["label"]),
                             b.get("confidence")) for b in data["boxes"]))


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    words: tuple[tuple[str, float], ...] = ()  # (word, probability) where the model gives them

    def validate(self, labels: Sequence[str] = ()) -> Transcript:
        return self

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.words:
            out["words"] = [[w, p] for w, p in self.words]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Transcript:
        return cls(str(data["text"]), tuple((str(w), float(p)) for w, p in data.get("words", ())))


@dataclass(frozen=True, slots=True)
class Ranking:
    """An order of an item's responses, best first (a chosen/rejected pair is a ranking of two),
    with an optional overall rating of the best response."""

    order: tuple[int, ...]  # response indices into the item's ``responses``
    rating: float | None = None

    def validate(self, n_responses: int | None = None) -> Ranking:
        k = len(self.order)
        if k < 2:
            raise InvalidLabelError(f"a ranking orders at least two responses, got {list(self.order)}")
        if sorted(self.order) != list(range(k)):
            raise InvalidLabelError(f"order {list(self.order)} is not a permutation of 0..{k - 1}: "
                                    "name every response index once, best first")
        if n_responses is not None and k != n_responses:
            raise InvalidLabelError(f"order {list(self.order)} ranks {k} responses; the item has {n_responses}")
        if self.rating is not None and not math.isfinite(self.rating):
            raise InvalidLabelError(f"rating {self.rating!r} must be a finite number")
        return self

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"order": list(self.order)}
        if self.rating is not None:
            out["rating"] = self.rating
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ranking:
        order = data["order"]
        if isinstance(order, (str, bytes)) or not all(isinstance(i, int) and not isinstance(i, bool) for i in order):
            raise TypeError(f"order must be a list of response indices, got {order!r}")
        rating = data.get("rating")
        if rating is not None and (isinstance(rating, bool) or not isinstance(rating, (int, float))):
            raise TypeError(f"rating must be a number, got {rating!r}")
        return cls(tuple(order), None if rating is None else float(rating))


@dataclass(frozen=True, slots=True)
class LabelSet:
    """Any number of the project's labels for one item (topics, intents); the empty set is an answer too."""

    labels: tuple[str, ...]

    def validate(self, labels: Sequence[str]) -> LabelSet:
        unknown = [lab for lab in self.labels if lab not in labels]
        if unknown:
            raise InvalidLabelError(f"unknown labels {unknown}; the project's labels are {list(labels)}")
        if len(set(self.labels)) != len(self.labels):
            repeated = sorted({lab for lab in self.labels if self.labels.count(lab) > 1})
            raise InvalidLabelError(f"labels {repeated} given more than once; name each label once")
        return self

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LabelSet:
        raw = data["labels"]
        if isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence):
            raise TypeError(f"labels must be a list of strings, got {type(raw).__name__}")
        return cls(tuple(str(lab) for lab in raw))


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of a recording, in seconds, and who speaks (or what is said) in it. A model's
    proposal may leave ``label`` None before it has learned the labels; a person's answer may not."""

    start: float
    end: float
    label: str | None
    confidence: float | None = None  # the classifier's margin for this segment, in proposals

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@dataclass(frozen=True, slots=True)
class Segments:
    """Labeled segments of one recording (speaker turns, emotion or intent per stretch), in time order."""

    segments: tuple[Segment, ...]

    def validate(self, labels: Sequence[str], duration: float | None = None, *, allow_overlaps: bool = False,
                 where: str = "") -> Segments:
        """Ordered segments; an unknown or missing label, ``end <= start``, a segment past the recording's
        ``duration`` or an overlap is an InvalidLabelError naming ``where`` (the item) and the segment."""
        at = f"{where}: " if where else ""
        ordered = sorted(self.segments, key=lambda s: (s.start, s.end))
        for s in ordered:
            span = f"segment {s.start:.3f}-{s.end:.3f} s"
            if not (math.isfinite(s.start) and math.isfinite(s.end)):
                raise InvalidLabelError(f"{at}{span}: start and end must be finite numbers of seconds")
            if s.label is None:
                raise InvalidLabelError(f"{at}{span}: has no label; give each segment one of {list(labels)}")
            if s.label not in labels:
                raise InvalidLabelError(f"{at}{span}: unknown label {s.label!r}; the project's labels are "
                                        f"{list(labels)}")
            if s.start < 0 or s.end <= s.start:
                raise InvalidLabelError(f"{at}{span}: start must be >= 0 and end after start")
            if duration is not None and s.end > duration + 1e-3:
                raise InvalidLabelError(f"{at}{span}: ends past the recording ({duration:.3f} s)")
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end - 1e-6 and not allow_overlaps:
                raise InvalidLabelError(f"{at}segments {a.start:.3f}-{a.end:.3f} s and {b.start:.3f}-{b.end:.3f} s "
                                        "overlap")
        return Segments(tuple(ordered))

    def to_json(self) -> dict[str, Any]:
        return {"segments": [s.to_json() for s in self.segments]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Segments:
        raw = data["segments"]
        if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Sequence):
            raise TypeError(f"segments must be a list of {{start, end, label}} objects, got {type(raw).__name__}")
        out = []
        for s in raw:
            label = s.get("label")
            conf = s.get("confidence")
            out.append(Segment(float(s["start"]), float(s["end"]), None if label is None else str(label),
                               None if conf is None else float(conf)))
        return cls(tuple(out))


VISIBILITY = {0: "not labeled", 1: "labeled, hidden", 2: "visible"}  # COCO's keypoint flags


@dataclass(frozen=True, slots=True)
class Keypoint:
    """One named landmark in pixels; ``v`` is COCO's flag: 0 not labeled (x, y are 0), 1 hidden, 2 visible."""

    name: str
    x: float
    y: float
    v: int = 2
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "x": self.x, "y": self.y, "v": self.v}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@dataclass(frozen=True, slots=True)
class Pose:
    """One object: its box, its label and its keypoints, in the project's keypoint order."""

    box: Box
    keypoints: tuple[Keypoint, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.box.to_json(), "keypoints": [k.to_json() for k in self.keypoints]}


@dataclass(frozen=True, slots=True)
class Poses:
    """The objects of one image, each a box, a label and K named keypoints (landmarks, pose)."""

    objects: tuple[Pose, ...]

    def validate(self, labels: Sequence[str], width: int | None = None, height: int | None = None,
                 where: str = "") -> Poses:
        """Check boxes as ``Boxes`` does, and every keypoint: finite, a known flag, inside the image."""
        at = f"{where}: " if where else ""
        try:
            Boxes(tuple(o.box for o in self.objects)).validate(labels, width, height)
        except InvalidLabelError as exc:
            raise InvalidLabelError(f"{at}{exc}") from None
        for n, obj in enumerate(self.objects, 1):
            got = [k.name for k in obj.keypoints]
            if len(set(got)) != len(got):
                raise InvalidLabelError(f"{at}object {n} ({obj.box.label}) names a keypoint twice: {got}")
            for k in obj.keypoints:
                point = f"{at}object {n} ({obj.box.label}) keypoint {k.name!r} ({k.x:g}, {k.y:g})"
                if not (math.isfinite(k.x) and math.isfinite(k.y)):
                    raise InvalidLabelError(f"{point}: coordinates must be finite numbers")
                if k.v not in VISIBILITY:
                    raise InvalidLabelError(f"{point}: visibility must be 0 (not labeled), 1 (hidden) or 2 "
                                            f"(visible), got {k.v!r}")
                if k.v and width is not None and height is not None and not (0 <= k.x <= width and 0 <= k.y <= height):
                    raise InvalidLabelError(f"{point}: outside the {width}x{height} image")
        return self

    def check_names(self, names: Sequence[str], where: str = "") -> Poses:
        """Every object carries exactly the project's keypoints, in its order."""
        at = f"{where}: " if where else ""
        for n, obj in enumerate(self.objects, 1):
            got = [k.name for k in obj.keypoints]
            if got != list(names):
                raise InvalidLabelError(f"{at}object {n} ({obj.box.label}) has keypoints {got}; the project's "
                                        f"keypoints are {list(names)}, in that order")
        return self

    def to_json(self) -> dict[str, Any]:
        return {"objects": [o.to_json() for o in self.objects]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Poses:
        objects = []
        for o in data["objects"]:
            kps = o["keypoints"]
            if isinstance(kps, (str, bytes)) or not isinstance(kps, Sequence):
                raise TypeError(f"keypoints must be a list of {{name, x, y, v}}, got {type(kps).__name__}")
            points = []
            for k in kps:
                v = k.get("v", 2)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v:
                    raise TypeError(f"keypoint {k.get('name')!r}: visibility must be 0, 1 or 2, got {v!r}")
                conf = k.get("confidence")
                points.append(Keypoint(str(k["name"]), float(k["x"]), float(k["y"]), int(v),
                                       None if conf is None else float(conf)))
            conf = o.get("confidence")
            box = Box(float(o["x0"]), float(o["y0"]), float(o["x1"]), float(o["y1"]), str(o["label"]),
                      None if conf is None else float(conf))
            objects.append(Pose(box, tuple(points)))
        return cls(tuple(objects))


MIN_POLYGON_POINTS = 3


@dataclass(frozen=True, slots=True)
class MaskObject:
    """One object of an instance segmentation: its box, its label and its outline as polygons.

    Each polygon is ``(x1, y1, x2, y2, ...)`` in pixels (COCO's polygon form); an object cut in two by
    something in front of it has two. The box is the polygons' bounding box.
    """

    box: Box
    polygons: tuple[tuple[float, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.box.to_json(), "polygons": [list(p) for p in self.polygons]}

    @classmethod
    def around(cls, label: str, polygons: Sequence[Sequence[float]], confidence: float | None = None) -> MaskObject:
        """An object whose box is the bounding box of its polygons."""
        polys = tuple(tuple(float(v) for v in poly) for poly in polygons)
        xs = [v for poly in polys for v in poly[0::2]] or [0.0]
        ys = [v for poly in polys for v in poly[1::2]] or [0.0]
        return cls(Box(min(xs), min(ys), max(xs), max(ys), label, confidence), polys)


@dataclass(frozen=True, slots=True)
class Masks:
    """The objects of one image, each outlined by one or more polygons (instance segmentation)."""

    objects: tuple[MaskObject, ...]

    def validate(self, labels: Sequence[str], width: int | None = None, height: int | None = None,
                 where: str = "") -> Masks:
        """Known labels; every polygon has at least 3 finite points, inside the image, and an area."""
        at = f"{where}: " if where else ""
        for n, obj in enumerate(self.objects, 1):
            name = f"{at}object {n} ({obj.box.label})"
            if obj.box.label not in labels:
                raise InvalidLabelError(f"{name}: unknown label {obj.box.label!r}; the project's labels are {list(labels)}")
            if not obj.polygons:
                raise InvalidLabelError(f"{name}: an object needs at least one polygon")
            for k, poly in enumerate(obj.polygons, 1):
                shown = ", ".join(f"{v:g}" for v in poly[:8]) + (", ..." if len(poly) > 8 else "")
                if len(poly) % 2 or len(poly) < 2 * MIN_POLYGON_POINTS:
                    raise InvalidLabelError(f"{name} polygon {k} [{shown}]: needs at least {MIN_POLYGON_POINTS} "
                                            "points, as x1, y1, x2, y2, ...")
                if not all(math.isfinite(v) for v in poly):
                    raise InvalidLabelError(f"{name} polygon {k}: coordinates must be finite numbers")
                if width is not None and height is not None and not all(
                        0 <= x <= width and 0 <= y <= height for x, y in zip(poly[0::2], poly[1::2])):
                    raise InvalidLabelError(f"{name} polygon {k} [{shown}]: a point lies outside the "
                                            f"{width}x{height} image")
                if polygon_area(poly) <= 0:
                    raise InvalidLabelError(f"{name} polygon {k} [{shown}]: has no area (its points are on a line)")
        return self

    def to_json(self) -> dict[str, Any]:
        return {"objects": [o.to_json() for o in self.objects]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Masks:
        objects = []
        for o in data["objects"]:
            polys = o["polygons"]
            if isinstance(polys, (str, bytes)) or not isinstance(polys, Sequence) or any(
                    isinstance(p, (str, bytes)) or not isinstance(p, Sequence) for p in polys):
                raise TypeError("polygons must be a list of [x1, y1, x2, y2, ...] lists")
            conf = o.get("confidence")
            objects.append(MaskObject.around(str(o["label"]), polys, None if conf is None else float(conf)))
        return cls(tuple(objects))


def polygon_area(poly: Sequence[float]) -> float:
    """The shoelace area of ``(x1, y1, x2, y2, ...)``, in square pixels."""
    xs, ys = poly[0::2], poly[1::2]
    n = len(xs)
    return abs(sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n))) / 2.0


@dataclass(frozen=True, slots=True)
class TrackBox:
    """One object's box on one frame (0-based frame index, pixels)."""

    frame: int
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"frame": self.frame, "x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@dataclass(frozen=True, slots=True)
class Track:
    """One object followed through a video: its identity, its label and its box on each frame it is seen."""

    id: int
    label: str
    boxes: tuple[TrackBox, ...]  # in frame order, at most one per frame

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "boxes": [b.to_json() for b in self.boxes]}


@dataclass(frozen=True, slots=True)
class Tracks:
    """The tracked objects of one video, the frames a person checked (``keyframes``) and, in a model's
    proposal, the frames it is unsure of with why (``uncertain_frames``: where the editor sends people)."""

    tracks: tuple[Track, ...]
    keyframes: tuple[int, ...] = ()
    uncertain_frames: tuple[tuple[int, str], ...] = ()

    def validate(self, labels: Sequence[str], width: int | None = None, height: int | None = None,
                 n_frames: int | None = None, where: str = "") -> Tracks:
        """Known labels, distinct ids, one box per frame per track, frames inside the video, boxes with an
        area inside the frame."""
        at = f"{where}: " if where else ""
        seen: set[int] = set()
        for t in self.tracks:
            name = f"{at}track {t.id} ({t.label})"
            if t.id in seen:
                raise InvalidLabelError(f"{name}: two tracks have the id {t.id}")
            seen.add(t.id)
            if t.label not in labels:
                raise InvalidLabelError(f"{name}: unknown label {t.label!r}; the project's labels are {list(labels)}")
            frames = [b.frame for b in t.boxes]
            if len(set(frames)) != len(frames):
                raise InvalidLabelError(f"{name}: two boxes on one frame")
            for b in t.boxes:
                box = f"{name} frame {b.frame} ({b.x0:g}, {b.y0:g})-({b.x1:g}, {b.y1:g})"
                if b.frame < 0 or (n_frames is not None and b.frame >= n_frames):
                    raise InvalidLabelError(f"{box}: the video has frames 0..{(n_frames or 1) - 1}")
                if not all(math.isfinite(v) for v in (b.x0, b.y0, b.x1, b.y1)):
                    raise InvalidLabelError(f"{box}: coordinates must be finite numbers")
                if b.x1 <= b.x0 or b.y1 <= b.y0:
                    raise InvalidLabelError(f"{box}: must have positive area")
                if width is not None and height is not None and (b.x0 < 0 or b.y0 < 0 or b.x1 > width or b.y1 > height):
                    raise InvalidLabelError(f"{box}: outside the {width}x{height} frame")
        bad = [f for f in self.keyframes if f < 0 or (n_frames is not None and f >= n_frames)]
        if bad:
            raise InvalidLabelError(f"{at}keyframes {bad} are not frames of the video")
        return self

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tracks": [t.to_json() for t in self.tracks], "keyframes": list(self.keyframes)}
        if self.uncertain_frames:
            out["uncertain_frames"] = [{"frame": f, "reason": r} for f, r in self.uncertain_frames]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tracks:
        tracks = []
        for t in data["tracks"]:
            tid = t["id"]
            if isinstance(tid, bool) or not isinstance(tid, (int, float)) or int(tid) != tid:
                raise TypeError(f"a track id is a whole number, got {tid!r}")
            boxes = []
            for b in t["boxes"]:
                frame = b["frame"]
                if isinstance(frame, bool) or not isinstance(frame, (int, float)) or int(frame) != frame:
                    raise TypeError(f"track {tid}: a frame is a whole number, got {frame!r}")
                conf = b.get("confidence")
                boxes.append(TrackBox(int(frame), float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]),
                                      None if conf is None else float(conf)))
            tracks.append(Track(int(tid), str(t["label"]), tuple(sorted(boxes, key=lambda b: b.frame))))
        keyframes = tuple(sorted({int(f) for f in data.get("keyframes") or []}))
        flags = tuple((int(u["frame"]), str(u["reason"])) for u in data.get("uncertain_frames") or [])
        return cls(tuple(sorted(tracks, key=lambda t: t.id)), keyframes, flags)


Payload = ClassLabel | Spans | Boxes | Transcript | Ranking | LabelSet | Segments | Poses | Masks | Tracks


# ---- selections ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """What a strategy returns: the chosen pool indices, most informative first, and their scores."""

    indices: np.ndarray
    scores: np.ndarray  # score of each chosen index, same order
