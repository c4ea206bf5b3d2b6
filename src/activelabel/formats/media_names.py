"""Export file names: a media file keeps its original name; a suffix is added only on a clash.

Imported media are stored as ``<16 hex of the content hash>_<original name>`` (so two files of
the same name never collide in ``media/``); exports strip that prefix again.
"""

from __future__ import annotations

import re
from pathlib import Path

from activelabel.errors import ActiveLabelError

HASH_PREFIX = re.compile(r"^[0-9a-f]{16}_(?=.)")


def original_name(stored: str) -> str:
    """The file name an imported media file had, from its stored name."""
    return HASH_PREFIX.sub("", Path(stored).name)


class NameAllocator:
    """Hands out unique file names for one export folder: ``a.png``, then ``a-2.png``, ``a-3.png``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, wanted: str) -> str:
        stem, suffix = Path(wanted).stem or "file", Path(wanted).suffix
        name, k = f"{stem}{suffix}", 1
        while name.lower() in self._taken:  # case-insensitive file systems clash on case alone
            k += 1
            name = f"{stem}-{k}{suffix}"
        self._taken.add(name.lower())
        return name


def free_name(folder: Path, wanted: str) -> str:
    """``wanted``, or ``wanted`` with a ``-k`` suffix, whichever does not exist in ``folder`` yet."""
    stem, suffix = Path(wanted).stem or "file", Path(wanted).suffix
    name, k = f"{stem}{suffix}", 1
    while (folder / name).exists():
        k += 1
        name = f"{stem}-{k}{suffix}"
    return name


def label_folder(label: str) -> str:
    """A label as a folder name, unchanged; a label that cannot be one is refused by name."""
    if not label or label in (".", "..") or any(c in label for c in "/\\\0") or label != label.strip():
        raise ActiveLabelError(f"the label {label!r} cannot be a folder name (no slashes, NUL, surrounding "
                               "spaces, '.' or '..'); rename it to export ImageNet-style folders")
    return label
