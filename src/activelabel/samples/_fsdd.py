"""The bundled FSDD clips (CC BY-SA 4.0, see data/LICENSES.md), shared by the audio samples."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np

from activelabel.errors import UsageError
from activelabel.metrics_text import DIGIT_WORDS

PATTERN = "{label}_{speaker}_{take}.wav"


def bundled_clips() -> list[str]:
    return sorted(p.name for p in files("activelabel.data").joinpath("fsdd_sample").iterdir()
                  if p.name.endswith(".wav"))


def copy_clips(folder: Path, n: int, seed: int) -> list[Path]:
    """Copy ``n`` bundled clips (a seeded draw, at most 40) into ``folder``."""
    names = bundled_clips()
    if not 1 <= n <= len(names):
        raise UsageError(f"n must be between 1 and {len(names)} (the bundled FSDD clips)")
    chosen = sorted(np.random.default_rng(seed).choice(len(names), size=n, replace=False).tolist())
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in chosen:
        with as_file(files("activelabel.data").joinpath("fsdd_sample", names[i])) as src:
            dst = folder / names[i]
            shutil.copyfile(src, dst)
            out.append(dst)
    return out


def spoken(name: str) -> str:
    """The word spoken in an FSDD clip, from its file name: '5_george_5.wav' -> 'five'."""
    return DIGIT_WORDS[int(name.split("_", 1)[0])]
