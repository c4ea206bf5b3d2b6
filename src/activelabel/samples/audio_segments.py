"""The audio-segments sample: recordings made of bundled FSDD clips by different speakers, truth known exactly.

Each recording strings together two to four spoken digits, each by another speaker than the one
before, with 0.25-0.6 s of silence between them. Every clip is trimmed to its voiced part first
(20 ms frames louder than a tenth of the clip's loudest frame), so the truth -- who speaks from
when to when -- is the clip's place in the recording, to the sample. Labels are the four FSDD
speakers (speaker identification). ``digits`` picks which clips may be used, so that a held-out
set can be made of clips the pool never heard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np

from activelabel.audio import SAMPLE_RATE, load_audio

LABELS = ["george", "jackson", "lucas", "nicolas"]
FRAME_S = 0.02
GAP_S = (0.25, 0.6)


@dataclass(frozen=True)
class Recording:
    name: str
    audio: np.ndarray  # 16 kHz mono float32
    segments: tuple[tuple[float, float, str], ...]  # (start_s, end_s, speaker)

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE


def voiced(samples: np.ndarray) -> np.ndarray:
    """The clip from its first to its last frame louder than a tenth of its loudest frame."""
    n = int(FRAME_S * SAMPLE_RATE)
    frames = samples[: len(samples) // n * n].reshape(-1, n)
    rms = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > 0.1 * rms.max())
    return samples[loud[0] * n:(loud[-1] + 1) * n]


def _clip(digit: int, speaker: str) -> np.ndarray:
    with as_file(files("activelabel.data").joinpath("fsdd_sample", f"{digit}_{speaker}_5.wav")) as src:
        return voiced(load_audio(Path(src)))


def recordings(n: int, seed: int = 0, digits: Sequence[int] = range(10), prefix: str = "rec") -> list[Recording]:
    """``n`` seeded recordings of two to four clips of ``digits``, speakers changing at every clip."""
    rng = np.random.default_rng(seed)
    cache: dict[tuple[int, str], np.ndarray] = {}
    out = []
    for r in range(n):
        k = int(rng.integers(2, 5))
        parts: list[np.ndarray] = [np.zeros(int(rng.uniform(*GAP_S) * SAMPLE_RATE), np.float32)]
        segments = []
        cursor = len(parts[0])
        previous = ""
        for _ in range(k):
            speaker = str(rng.choice([s for s in LABELS if s != previous]))
            digit = int(rng.choice(list(digits)))
            clip = cache.setdefault((digit, speaker), _clip(digit, speaker))
            clip = (clip * rng.uniform(0.6, 1.0)).astype(np.float32)
            segments.append((round(cursor / SAMPLE_RATE, 4), round((cursor + len(clip)) / SAMPLE_RATE, 4), speaker))
            gap = np.zeros(int(rng.uniform(*GAP_S) * SAMPLE_RATE), np.float32)
            parts += [clip, gap]
            cursor += len(clip) + len(gap)
            previous = speaker
        audio = np.concatenate(parts)
        out.append(Recording(f"{prefix}_{r:03d}", audio, tuple(segments)))
    return out


def rttm_lines(rec: Recording) -> list[str]:
    """The recording's truth in RTTM (NIST): ``SPEAKER file 1 start dur <NA> <NA> label <NA> <NA>``."""
    return [f"SPEAKER {rec.name} 1 {s:.4f} {e - s:.4f} <NA> <NA> {lab} <NA> <NA>" for s, e, lab in rec.segments]


def write_recordings(folder: Path, recs: Sequence[Recording], with_labels: bool) -> Path:
    """``folder/<name>.wav`` per recording and, ``with_labels``, one ``<name>.rttm`` beside each."""
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    for rec in recs:
        sf.write(str(folder / f"{rec.name}.wav"), rec.audio, SAMPLE_RATE, subtype="PCM_16")
        if with_labels:
            (folder / f"{rec.name}.rttm").write_text("\n".join(rttm_lines(rec)) + "\n", encoding="utf-8")
    return folder


def make_sample(folder: Path, n: int = 12, seed: int = 0, with_labels: bool = False) -> Path:
    """Write ``n`` recordings (and their RTTM truth ``with_labels``) into ``folder/audio``; return that folder."""
    return write_recordings(Path(folder) / "audio", recordings(n, seed), with_labels)


def answer_key(folder: Path, n: int = 12, seed: int = 0) -> dict[str, list[tuple[float, float, str]]]:
    """recording file name -> its true segments, for scripted demo rounds (same ``n`` and ``seed``)."""
    return {f"{r.name}.wav": list(r.segments) for r in recordings(n, seed)}
