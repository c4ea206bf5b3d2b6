"""Transcription: the audio with its waveform, the transcript to edit, and the doubtful words marked.

Words whose probability is below ``LOW_PROB`` are shown on a red background (orange below 0.8),
so the annotator listens for those first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

from activelabel.types import Payload, Transcript
from activelabel.ui.audio_player import audio_player
from activelabel.ui.common import confidence_color, md_escape

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False
LOW_PROB = 0.5
POINTS = 600


@st.cache_data(show_spinner=False, max_entries=64)
def envelope(path: str) -> dict[str, list[float]]:
    """Peak amplitude of the first channel in ``POINTS`` buckets, with time in seconds."""
    try:
        import soundfile as sf

        data, rate = sf.read(path, always_2d=True)
        samples = np.asarray(data[:, 0], dtype=float)
    except ImportError:
        import wave

        with wave.open(path, "rb") as wav:
            rate = wav.getframerate()
            raw = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
            samples = raw[:: wav.getnchannels()].astype(float) / 32768.0
    n = max(1, len(samples) // POINTS)
    usable = samples[: len(samples) // n * n].reshape(-1, n) if len(samples) >= n else samples.reshape(1, -1)
    t = (np.arange(usable.shape[0]) * n / float(rate)).round(3)
    return {"seconds": t.tolist(), "amplitude": np.abs(usable).max(axis=1).round(4).tolist()}


def marked_words(words: list[list[Any]]) -> str:
    out = []
    for w, p in words:
        text = md_escape(str(w).strip())
        p = float(p)
        out.append(f":{confidence_color(p)}-background[{text}\u00a0{p:.2f}]" if p < 0.8 else text)
    return " ".join(out)


def _audio_path(project: Project, item: dict[str, Any]) -> Path:
    path = Path(item["content"])
    return path if path.is_absolute() else project.dir / path


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    path = _audio_path(project, item)
    audio_player(path)
    env = envelope(str(path))
    st.area_chart(env, x="seconds", y="amplitude", height=120)
    proposed = item.get("proposed") or {}
    words = proposed.get("words") or []
    if words:
        st.markdown("**Model's words** (doubtful ones marked): " + marked_words(words))
    st.text_area("Transcript", value=str(proposed.get("text", "")), key=key, height=100,
                 help="Edit, then press Ctrl+Enter to submit the correction.")


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    text = st.session_state.get(key)
    if text is None:
        text = (item.get("proposed") or {}).get("text", "")
    return Transcript(" ".join(str(text).split()))
