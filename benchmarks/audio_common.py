"""Shared helpers for the audio benchmarks: FSDD clips, their truth, timing."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from activelabel.metrics_text import DIGIT_WORDS
from activelabel.types import Item

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "fsdd"


def fsdd_items(data: Path, limit: int | None, seed: int) -> tuple[list[Item], list[str], list[str]]:
    """(items with absolute paths, spoken word, digit label), a seeded draw of ``limit`` clips."""
    files = sorted(Path(data).glob("*.wav"))
    if not files:
        raise SystemExit(f"no .wav files in {data}; pass --data PATH_TO_FSDD")
    if limit and limit < len(files):
        idx = np.sort(np.random.default_rng(seed).choice(len(files), size=limit, replace=False))
        files = [files[i] for i in idx]
    items = [Item(f.name, "audio", str(f.resolve())) for f in files]
    digits = [f.name.split("_", 1)[0] for f in files]
    return items, [DIGIT_WORDS[int(d)] for d in digits], digits


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
