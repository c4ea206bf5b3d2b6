"""What every importer produces: records that can be stored, and rejections that say where and why."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
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
    # the item's id, where the reader hashed the media already (content_id of its bytes, once); None: the
    # id is content_id of ``content`` (a text)
    item_id: str | None = None
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


HASH_CHUNK = 1 << 20


def content_id(media: str, basis: bytes | tuple[Path, ...]) -> str:
    """A stable id from the content, so that importing the same item twice stores it once. ``basis``: the
    bytes, or files whose bytes one after another are the content (the same id as their bytes joined)."""
    digest = hashlib.sha256(media.encode() + b"\0")
    if isinstance(basis, bytes):
        digest.update(basis)
    else:
        for path in basis:
            with open(path, "rb") as fh:
                while chunk := fh.read(HASH_CHUNK):
                    digest.update(chunk)
    return digest.hexdigest()[:24]


def decode_json(raw: bytes, source: str, line: int | None) -> Any:
    """One JSON document, or a Rejection saying where it broke: bad UTF-8, bad JSON, nesting too deep.

    ``line`` is the record's line in a line format; a whole-file document (None) names the line inside it.
    """
    try:
        return json.loads(raw.decode("utf-8-sig" if line is None else "utf-8"))
    except UnicodeDecodeError as exc:
        return Rejection(source, line, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        at = f"line {exc.lineno} column {exc.colno}" if line is None else f"column {exc.colno}"
        return Rejection(source, line, f"broken JSON: {exc.msg} at {at}")
    except RecursionError:  # e.g. 5,000 nested brackets: the decoder gives up, so do we
        return Rejection(source, line, "JSON nested too deeply")


def json_lines(lines: Iterable[bytes], source: str) -> Iterator[tuple[int, Any] | Rejection]:
    """(1-based line, object) per non-blank JSONL line, or that line's Rejection."""
    for n, raw in enumerate(lines, 1):
        if raw.strip():
            got = decode_json(raw, source, n)
            yield got if isinstance(got, Rejection) else (n, got)
