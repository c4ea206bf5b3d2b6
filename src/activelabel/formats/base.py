"""What every importer produces: records that can be stored, and rejections that say where and why."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from activelabel.types import Payload


@dataclass(frozen=True, slots=True)
class ImportRecord:
    content: str  # the text, or the file's path relative to the project folder
    media: str
    value: Payload | None = None  # a person's label
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    line: int | None = None  # 1-based line or record number in the source
    hash_basis: bytes | None = None  # what the id hashes; defaults to the content
    prediction: Payload | None = None  # a model's or auto label (LS predictions, Prodigy "answer": null)


@dataclass(frozen=True, slots=True)
class Rejection:
    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line is not None else "")
        return f"{where}: {self.reason}"


RecordStream = Iterator[ImportRecord | Rejection]


@dataclass
class ImportReport:
    source: str
    total: int = 0
    imported: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # fixed-up input (clipped boxes, snapped spans)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "total": self.total, "imported": self.imported, "rejected": self.rejected,
                "rejections": [{"line": r.line, "reason": r.reason, "source": r.source} for r in self.rejections],
                "warnings": self.warnings}


def content_id(media: str, basis: bytes) -> str:
    """A stable id from the content, so that importing the same item twice stores it once."""
    return hashlib.sha256(media.encode() + b"\0" + basis).hexdigest()[:24]
