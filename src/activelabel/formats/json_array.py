"""``.json`` files that hold one array (a Label Studio export, LS JSON-min, a Prodigy ``data.json``).

Such a file is parsed as a whole, and each element is one record: rejections name the element's
index (``element [i]``), while ``line`` stays the 1-based record number, as for line formats.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from activelabel.formats.base import Rejection


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
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield Rejection(source, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
        return
    except json.JSONDecodeError as exc:
        yield Rejection(source, None, f"broken JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    except RecursionError:
        yield Rejection(source, None, "JSON nested too deeply")
        return
    if isinstance(data, dict):  # a single Label Studio task
        data = [data]
    if not isinstance(data, list):
        yield Rejection(source, None, f"expected a JSON array of {what}, got {type(data).__name__}")
        return
    for i, element in enumerate(data):
        yield i + 1, element
