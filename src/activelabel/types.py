"""Value objects shared by every layer: items, label payloads, predictions.

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


class TaskKind(str, Enum):
    CLASSIFICATION = "classification"
    NER = "ner"
    DETECTION = "detection"
    TRANSCRIPTION = "transcription"
    AUDIO_CLASSIFICATION = "audio_classification"

    @property
    def media(self) -> str:
        """What one item holds: text, an image path or an audio path."""
        return {
            TaskKind.CLASSIFICATION: "text",
            TaskKind.NER: "text",
            TaskKind.DETECTION: "image",
            TaskKind.TRANSCRIPTION: "audio",
            TaskKind.AUDIO_CLASSIFICATION: "audio",
        }[self]


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

    def validate(self, labels: Sequence[str], text: str | None = None) -> Spans:
        ordered = sorted(self.spans, key=lambda s: (s.start, s.end))
        for s in ordered:
            if s.label not in labels:
                raise InvalidLabelError(f"span {s.start}-{s.end}: unknown label {s.label!r}")
            if not 0 <= s.start < s.end:
                raise InvalidLabelError(f"span {s.start}-{s.end}: start must be >= 0 and below end")
            if text is not None and s.end > len(text):
                raise InvalidLabelError(f"span {s.start}-{s.end}: ends past the text ({len(text)} chars)")
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end:
                raise InvalidLabelError(f"spans {a.start}-{a.end} and {b.start}-{b.end} overlap")
        return Spans(tuple(ordered))

    def to_json(self) -> dict[str, Any]:
        return {"spans": [s.to_json() for s in self.spans]}


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


Payload = ClassLabel | Spans | Boxes | Transcript


def payload_from_json(task: TaskKind, data: Mapping[str, Any]) -> Payload:
    """Rebuild a payload from its stored JSON form; raises InvalidLabelError on a wrong shape."""
    try:
        if task in (TaskKind.CLASSIFICATION, TaskKind.AUDIO_CLASSIFICATION):
            return ClassLabel(str(data["label"]))
        if task is TaskKind.NER:
            return Spans(
                tuple(
                    Span(int(s["start"]), int(s["end"]), str(s["label"]), s.get("confidence"))
                    for s in data["spans"]
                )
            )
        if task is TaskKind.DETECTION:
            return Boxes(
                tuple(
                    Box(float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]), str(b["label"]),
                        b.get("confidence"))
                    for b in data["boxes"]
                )
            )
        if task is TaskKind.TRANSCRIPTION:
            words = tuple((str(w), float(p)) for w, p in data.get("words", ()))
            return Transcript(str(data["text"]), words)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLabelError(f"malformed {task.value} value {dict(data)!r}: {exc}") from exc
    raise InvalidLabelError(f"unknown task kind {task!r}")


def parse_value(task: TaskKind, value: str) -> Payload:
    """Parse a value typed on the command line: a label, a transcript, or JSON for spans/boxes."""
    import json

    if task in (TaskKind.CLASSIFICATION, TaskKind.AUDIO_CLASSIFICATION):
        return ClassLabel(value)
    if task is TaskKind.TRANSCRIPTION:
        return Transcript(value)
    try:
        data = json.loads(value)
    except json.JSONDecodeError as exc:
        raise InvalidLabelError(f"expected JSON for a {task.value} value: {exc}") from exc
    if isinstance(data, list):
        data = {"spans": data} if task is TaskKind.NER else {"boxes": data}
    return payload_from_json(task, data)


# ---- predictions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prediction:
    """What a model proposes for one item."""

    item_id: str
    value: Payload
    confidence: float  # 0..1, item level, after reduction over boxes/entities/words
    model_version: str
    proba: np.ndarray | None = None  # (n_classes,) or (n_classes, n_draws) where it exists
    parts: tuple[float, ...] = ()  # per box / entity / word confidences, for the UI
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Selection:
    """What a strategy returns: the chosen pool indices, most informative first, and their scores."""

    indices: np.ndarray
    scores: np.ndarray  # score of each chosen index, same order
