"""The audio player of the audio editors, with the clip's length written beside it.

Chromium's player rounds the time to whole seconds, so a clip shorter than one second (most spoken
digits) reads "0:00 / 0:00" as if it held nothing; the caption gives the length, the rate and the
channels from the file's header.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from activelabel.audio import AudioError, probe


def audio_player(path: Path) -> None:
    """The player, then "0.47 s · 8000 Hz · mono", or why the file cannot be read."""
    st.audio(str(path))
    try:
        info = probe(path)
    except AudioError as exc:
        st.error(f"This clip cannot be played: {exc}")
        return
    channels = "mono" if info.channels == 1 else f"{info.channels} channels"
    st.caption(f"Clip length {info.duration:.2f} s · {info.sample_rate} Hz · {channels}")
