"""Where the speech is: Whisper's word timestamps snapped to the voiced stretches of the signal.

Whisper tiny's word times are rough (the first word often starts at 0.0, a word may spill into the
silence after it, and past the end of a short recording it may repeat a word that is not there).
So each word is snapped to the voiced runs it touches -- 20 ms frames louder than 3% of the
recording's loudest frame and above -45 dBFS, gaps under ``bridge_s`` bridged -- and:

- a word that touches no voiced run is dropped (a hallucination), counted in ``dropped_words``;
- words that snap to the same runs become one segment;
- a voiced run that no word touches still becomes a segment, with boundary confidence 0, so the
  person sees speech the model did not hear (never dropped, never passed off as sure);
- a segment's boundary confidence is the overlap (IoU) of its word span and its voiced span: 1
  when Whisper and the signal agree on where it starts and ends.

``energy_segments`` is the other segmenter, from the signal alone, for projects that choose it
(``[model.params] segmenter = "energy"``); its boundary confidence is 1 for every segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from activelabel.audio import SAMPLE_RATE

FRAME_S = 0.02
RELATIVE = 0.03  # of the loudest frame's RMS (about -30 dB): quieter speakers still count
FLOOR_DBFS = -45.0
BRIDGE_S = 0.2  # gaps shorter than this inside a word (a closure, a breath) are bridged
MIN_RUN_S = 0.06
PAD_S = 0.1  # a word touches a run this close to it


@dataclass(frozen=True)
class Proposed:
    start: float
    end: float
    boundary: float  # 0..1: how sure the boundaries are
    words: tuple[str, ...] = ()


def voiced_runs(samples: np.ndarray, rate: int = SAMPLE_RATE, bridge_s: float = BRIDGE_S,
                min_run_s: float = MIN_RUN_S) -> list[tuple[float, float]]:
    """(start, end) seconds of the loud stretches, gaps under ``bridge_s`` bridged, blips under ``min_run_s`` dropped."""
    n = int(FRAME_S * rate)
    if len(samples) < n:
        return []
    frames = np.asarray(samples[: len(samples) // n * n], dtype=np.float64).reshape(-1, n)
    rms = np.sqrt((frames ** 2).mean(axis=1))
    if rms.max() <= 0:
        return []
    loud = rms > max(RELATIVE * rms.max(), 10 ** (FLOOR_DBFS / 20))
    runs: list[list[float]] = []
    for i in np.flatnonzero(loud):
        t0, t1 = i * FRAME_S, (i + 1) * FRAME_S
        if runs and t0 - runs[-1][1] < bridge_s:
            runs[-1][1] = t1
        else:
            runs.append([t0, t1])
    return [(round(float(a), 3), round(float(b), 3)) for a, b in runs if b - a >= min_run_s]


def _iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def snap_words(words: Sequence[str], times: Sequence[tuple[float, float]],
               runs: Sequence[tuple[float, float]]) -> tuple[list[Proposed], int]:
    """Segments from Whisper's words snapped to the voiced runs, and the number of words dropped."""
    groups: list[tuple[set[int], list[int]]] = []  # (run indices, word indices)
    dropped = 0
    for w, (ws, we) in enumerate(times):
        touched = {r for r, (rs, re_) in enumerate(runs) if rs < we + PAD_S and re_ > ws - PAD_S}
        if not touched:
            dropped += 1
            continue
        for g in groups:
            if g[0] & touched:
                g[0].update(touched)
                g[1].append(w)
                break
        else:
            groups.append((touched, [w]))
    out = []
    heard: set[int] = set()
    for run_ids, word_ids in groups:
        heard |= run_ids
        span = (min(runs[r][0] for r in run_ids), max(runs[r][1] for r in run_ids))
        said = (min(times[w][0] for w in word_ids), max(times[w][1] for w in word_ids))
        out.append(Proposed(span[0], span[1], round(_iou(span, said), 4), tuple(words[w] for w in word_ids)))
    out += [Proposed(s, e, 0.0) for r, (s, e) in enumerate(runs) if r not in heard]
    out.sort(key=lambda p: p.start)
    return _merge_overlaps(out), dropped


def _merge_overlaps(segs: list[Proposed]) -> list[Proposed]:
    merged: list[Proposed] = []
    for p in segs:
        if merged and p.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Proposed(last.start, max(last.end, p.end), min(last.boundary, p.boundary),
                                  last.words + p.words)
        else:
            merged.append(p)
    return merged


def energy_segments(samples: np.ndarray, rate: int = SAMPLE_RATE) -> list[Proposed]:
    """The voiced runs as segments (the chosen ``segmenter = "energy"``): no words, boundaries as measured."""
    return [Proposed(s, e, 1.0) for s, e in voiced_runs(samples, rate)]
