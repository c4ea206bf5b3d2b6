"""The audio-classification sample: bundled spoken-digit clips; the digit is the label.

Import the folder with ``label_from_filename = PATTERN`` to take labels from the file names, or
without it to label from scratch.
"""

from __future__ import annotations

from pathlib import Path

from activelabel.samples._fsdd import PATTERN, copy_clips

LABELS = [str(d) for d in range(10)]
__all__ = ["LABELS", "PATTERN", "make_sample"]


def make_sample(folder: Path, n: int = 40, seed: int = 0) -> Path:
    """Copy ``n`` bundled clips into ``folder/audio`` and return that folder."""
    copy_clips(Path(folder) / "audio", n, seed)
    return Path(folder) / "audio"
