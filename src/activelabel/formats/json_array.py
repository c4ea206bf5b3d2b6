"""``.json`` files that hold one array (a Label Studio export, LS JSON-min, a Prodigy ``data.json``).

Such a file is parsed as a whole, and each element is one record: rejections name the element's
index (``element [i]``), while ``line`` stays the 1-based record number, as for line formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from activelabel.formats.base import ImportRecord, RecordStream, Rejection, decode_json


def each_element(path: Path, make: Callable[[int, Any], ImportRecord | Rejection]) -> RecordStream:
    """``make(record number, element)`` over the array, a rejection naming its element index."""
    for got in read_array(path):
        if isinstance(got, Rejection):
            yield got
            continue
        n, element = got
        rec = make(n, element)
        yield Rejection(rec.source, n, f"{where(n - 1)}: {rec.reason}") if isinstance(rec, Rejection) else rec


def holds_array(path: Path) -> bool:
    """True when the file's first non-blank character opens a JSON array."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith(b"[")


def where(index: int) -> str:
    """How a rejection names an array element."""
    return f"element [{index}]"


def read_array(path: Path, what: str = "records") -> Iterator[tuple[int, Any] | Rejection]:
    """(1-based record number, element) per element, or one Rejection when the file is no JSON array."""
    source = str(path)
    data = decode_json(path.read_bytes(), source, None)
    if isinstance(data, Rejection):
        yield data
        return
    if isinstance(data, dict):  # a single Label Studio task
        data = [data]
    if not isinstance(data, list):
        yield Rejection(source, None, f"expected a JSON array of {what}, got {type(data).__name__}")
        return
    for i, element in enumerate(data):
        yield i + 1, element
