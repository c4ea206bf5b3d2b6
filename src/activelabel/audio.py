"""Audio in, 16 kHz mono float32 out: decoding in Python (libsndfile or PyAV), no ffmpeg binary.

Whisper wants 16 kHz mono. Files are read with soundfile (WAV, FLAC, OGG, ...) and, for what
libsndfile cannot read (MP3, M4A, WebM...), with PyAV, which bundles its own FFmpeg libraries.
The duration is checked from the header before anything is decoded, so a 3-hour file is refused
at once with a message that names the limit and where to change it. Every failure is an
``AudioError`` that names the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np

from activelabel.errors import ActiveLabelError

SAMPLE_RATE = 16_000
DEFAULT_MAX_SECONDS = 600.0  # config: extra.max_audio_seconds
SILENCE_DBFS = -45.0  # a clip whose loudest 30 ms window is below this holds no speech


class AudioError(ActiveLabelError):
    """An audio file that cannot be used; the message names the file and the reason."""


class AudioTooLongError(AudioError):
    """Longer than the configured limit (``extra.max_audio_seconds``)."""


@dataclass(frozen=True, slots=True)
class AudioInfo:
    duration: float  # seconds
    sample_rate: int
    channels: int
    codec: str


def probe(path: Path) -> AudioInfo:
    """Duration, rate and channels from the header, without decoding the samples."""
    path = Path(path)
    _check_file(path)
    import soundfile as sf

    try:
        info = sf.info(str(path))
        if info.frames <= 0 or info.samplerate <= 0:
            raise AudioError(f"{path}: the audio file holds no samples")
        return AudioInfo(info.frames / info.samplerate, int(info.samplerate), int(info.channels), info.format)
    except (sf.LibsndfileError, RuntimeError, TypeError) as sf_exc:
        sf_reason = str(sf_exc)
    return _probe_av(path, sf_reason)


def _probe_av(path: Path, sf_reason: str) -> AudioInfo:
    import av

    try:
        with av.open(str(path)) as container:
            streams = container.streams.audio
            if not streams:
                raise AudioError(f"{path}: no audio stream in the file")
            stream = streams[0]
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            else:
                duration = float("nan")
            return AudioInfo(duration, int(stream.rate or 0), int(stream.channels or 0), stream.codec_context.name)
    except AudioError:
        raise
    except Exception as exc:  # PyAV raises many error types (InvalidDataError, FFmpegError, ...)
        raise AudioError(f"{path}: not a readable audio file (libsndfile: {sf_reason}; PyAV: {exc})") from exc


def _check_file(path: Path) -> None:
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if not path.is_file():
        raise AudioError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes)")


def check_duration(path: Path, info: AudioInfo, max_seconds: float | None) -> None:
    if max_seconds is not None and np.isfinite(info.duration) and info.duration > max_seconds:
        raise AudioTooLongError(
            f"{path}: {info.duration / 60:.1f} minutes long, over the limit of {max_seconds / 60:.1f} minutes; "
            "split the file, or raise extra.max_audio_seconds in activelabel.toml")


def load_audio(path: Path, *, max_seconds: float | None = DEFAULT_MAX_SECONDS) -> np.ndarray:
    """Decode ``path`` to 16 kHz mono float32 in [-1, 1]; raises AudioError with the reason."""
    path = Path(path)
    info = probe(path)
    check_duration(path, info, max_seconds)
    import soundfile as sf

    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        mono = data.mean(axis=1)
    except (sf.LibsndfileError, RuntimeError, TypeError):
        mono, rate = _decode_av(path)
    if mono.size == 0:
        raise AudioError(f"{path}: the audio file holds no samples")
    return resample(mono, int(rate), SAMPLE_RATE)


def _decode_av(path: Path) -> tuple[np.ndarray, int]:
    import av

    try:
        with av.open(str(path)) as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            chunks = []
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except Exception as exc:
        raise AudioError(f"{path}: could not decode the audio: {exc}") from exc
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    return samples, SAMPLE_RATE


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Polyphase resampling (anti-aliased), exact for integer rate ratios like 44.1k -> 16k."""
    samples = np.asarray(samples, dtype=np.float32)
    if rate == target:
        return samples
    if rate <= 0:
        raise AudioError(f"invalid sample rate {rate}")
    from scipy.signal import resample_poly

    g = gcd(rate, target)
    return resample_poly(samples, target // g, rate // g).astype(np.float32)


def loudest_dbfs(samples: np.ndarray, rate: int = SAMPLE_RATE, window: float = 0.03) -> float:
    """Level of the loudest short window, in dB relative to full scale (-inf for digital silence)."""
    n = max(1, int(rate * window))
    if samples.size == 0:
        return float("-inf")
    usable = samples[: samples.size // n * n] if samples.size >= n else samples
    frames = usable.reshape(-1, min(n, usable.size))
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)).max()
    return float(20 * np.log10(rms)) if rms > 0 else float("-inf")


def is_silent(samples: np.ndarray, threshold_dbfs: float = SILENCE_DBFS) -> bool:
    """True when no window is loud enough to hold speech: reported as no speech, not transcribed."""
    return loudest_dbfs(samples) < threshold_dbfs
