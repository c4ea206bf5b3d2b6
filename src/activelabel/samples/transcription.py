"""The transcription sample: bundled spoken-digit clips plus a transcript file for some of them."""

from __future__ import annotations

import csv
from pathlib import Path

from activelabel.samples._fsdd import copy_clips, spoken


def make_sample(folder: Path, n: int = 40, seed: int = 0, with_transcripts: int = 0) -> Path:
    """Write ``n`` clips into ``folder/audio``; the first ``with_transcripts`` get a CSV transcript.

    Returns the folder to import (no transcripts) or the CSV (``path,text``, paths relative to it).
    """
    clips = copy_clips(Path(folder) / "audio", n, seed)
    if not with_transcripts:
        return Path(folder) / "audio"
    out = Path(folder) / "transcripts.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "text"])
        for clip in clips[:with_transcripts]:
            writer.writerow([f"audio/{clip.name}", spoken(clip.name)])
    return out


def answer_key(folder: Path) -> dict[str, str]:
    """file name -> spoken word, for scripted demo rounds and oracle replays."""
    return {p.name: spoken(p.name) for p in (Path(folder) / "audio").glob("*.wav")}
