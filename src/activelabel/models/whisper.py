"""Transcription with Whisper: pre-labels, a calibrated confidence, and learning between rounds.

The adapter is pretrained (it proposes transcripts before any answer). What ``fit`` learns from
the corrected transcripts lives in the version folder (``whisper_state.json``):

- ``vocabulary_``: domain terms and spellings, given to the next round as ``hotwords``
  (faster-whisper) and/or an ``initial_prompt``;
- ``calibrator_``: a logistic regression from Whisper's scores to P(transcript is right), fitted
  on the training answers transcribed with the new vocabulary; None until there are enough answers
  of both outcomes, in which case the fixed rule of ``whisper_confidence.raw_confidence`` is used;
- with ``params.fine_tune = true`` (openai-whisper only): a fine-tuned checkpoint ``finetuned.pt``.

A clip with no sound loud enough to be speech is proposed as an empty transcript with
``meta.no_speech = true``; it is never sent to Whisper, which would invent words for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.audio import DEFAULT_MAX_SECONDS, is_silent, load_audio
from activelabel.errors import ConfigError
from activelabel.metrics_text import normalise, transcript_metrics
from activelabel.models.base import Capabilities, Prediction, ProgressFn
from activelabel.models.whisper_backends import RawTranscript, make_backend, split_name
from activelabel.models.whisper_confidence import Calibrator, features, learn_vocabulary, raw_confidence
from activelabel.types import Item, Payload, Transcript

STATE = "whisper_state.json"
CHECKPOINT = "finetuned.pt"
VOCAB_MODES = ("hotwords", "prompt", "both", "off")


def audio_root(item: Item, root: Path | None) -> Path:
    """An item's audio file: its content is a path relative to the project folder."""
    path = Path(item.content)
    if path.is_absolute() or root is None:
        return path
    return root / path


def project_root_of(version_dir: Path) -> Path | None:
    """A version folder lives in <project>/models/<version>; items' paths are relative to <project>."""
    candidate = version_dir.resolve().parent.parent
    return candidate if (candidate / "activelabel.toml").exists() else None


class WhisperTranscriber:
    """Adapter for ``transcription``; the backend is chosen by the model name's prefix."""

    task = "transcription"
    # no warm start: each version re-learns from all answers; the base weights never change
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=False, warm_start=False)
    rehearses: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str] = (), model: str = "faster-whisper:tiny.en",
                 params: dict[str, Any] | None = None, root: Path | None = None, seed: int = 0) -> None:
        self.labels = list(labels)
        self.model = model
        self.params = dict(params or {})
        self.root = root
        self.seed = seed
        self.device = str(self.params.get("device", "auto"))
        self.vocabulary_mode = str(self.params.get("vocabulary", "hotwords"))
        if self.vocabulary_mode not in VOCAB_MODES:
            raise ConfigError(f"model.params.vocabulary = {self.vocabulary_mode!r}; use one of {VOCAB_MODES}")
        self.max_terms = int(self.params.get("max_terms", 40))
        self.max_seconds = float(self.params.get("max_audio_seconds", DEFAULT_MAX_SECONDS))
        self.fine_tune = bool(self.params.get("fine_tune", False))
        if self.fine_tune and split_name(model)[0] != "openai-whisper":
            raise ConfigError("model.params.fine_tune needs an 'openai-whisper:...' model; faster-whisper's "
                             "CTranslate2 weights cannot be trained")
        self._backend: Any = None
        self._checkpoint: Path | None = None

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> WhisperTranscriber:
        params = {"max_audio_seconds": config.extra.get("max_audio_seconds", DEFAULT_MAX_SECONDS),
                  **config.model.params}
        return cls(config.labels, config.model_name, params, project_dir, config.loop.seed)

    # ---- the backend, loaded on first use -------------------------------------------------

    @property
    def ready(self) -> bool:
        return True  # pretrained: proposes transcripts before any answer

    def backend(self) -> Any:
        if self._backend is None:
            self._backend = make_backend(self.model, device=self.device, params=self.params,
                                         checkpoint=self._checkpoint)
        return self._backend

    def _prompt_args(self) -> dict[str, str | None]:
        vocab = getattr(self, "vocabulary_", [])
        if not vocab or self.vocabulary_mode == "off":
            return {"hotwords": None, "prompt": None}
        terms = " ".join(vocab)
        hot = self.vocabulary_mode in ("hotwords", "both") and split_name(self.model)[0] == "faster-whisper"
        prompt = self.vocabulary_mode in ("prompt", "both") or not hot
        return {"hotwords": terms if hot else None, "prompt": ", ".join(vocab) + "." if prompt else None}

    def load_audios(self, items: Sequence[Item]) -> list[np.ndarray]:
        return [load_audio(audio_root(it, self.root), max_seconds=self.max_seconds) for it in items]

    def transcribe(self, items: Sequence[Item]) -> list[RawTranscript]:
        """Raw transcripts; silent clips come back empty without being decoded by Whisper."""
        audios = self.load_audios(items)
        return self.transcribe_audio(audios)

    def transcribe_audio(self, audios: Sequence[np.ndarray]) -> list[RawTranscript]:
        silent = [is_silent(a) for a in audios]
        speech = [a for a, s in zip(audios, silent) if not s]
        raws = iter(self.backend().transcribe(speech, **self._prompt_args()) if speech else [])
        return [RawTranscript("", no_speech_probs=[1.0]) if s else next(raws) for s in silent]

    # ---- the model contract -----------------------------------------------------------------

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        return self.propose(self.transcribe(items))

    def propose(self, raws: Sequence[RawTranscript]) -> list[Prediction]:
        calibrator: Calibrator | None = getattr(self, "calibrator_", None)
        feats = np.stack([features(r) for r in raws]) if raws else np.zeros((0, 8))
        conf = calibrator.predict(feats) if calibrator is not None and len(raws) else [raw_confidence(f) for f in feats]
        out = []
        for raw, f, c in zip(raws, feats, conf):
            no_speech = not raw.text.strip()
            meta = {"avg_logprob": float(f[0]), "no_speech_prob": float(f[2]), "compression_ratio": float(f[3]),
                    "calibrated": calibrator is not None, "no_speech": no_speech}
            words = tuple((w, round(p, 4)) for w, p in raw.words)
            out.append(Prediction(Transcript(raw.text, words), float(np.clip(c, 0.0, 1.0)), None,
                                tuple(p for _, p in words), meta))
        return out

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *,
            progress: ProgressFn | None = None) -> WhisperTranscriber:
        texts = [v.text for v in values if isinstance(v, Transcript)]
        if len(texts) != len(items):
            raise TypeError("transcription values must all be Transcript")
        self.vocabulary_ = learn_vocabulary(texts, self.max_terms) if self.vocabulary_mode != "off" else []
        if progress:
            progress(0.1, f"vocabulary: {len(self.vocabulary_)} terms from {len(texts)} transcripts")
        audios = self.load_audios(items)
        self.fine_tune_losses_: list[float] = []
        if self.fine_tune and texts:
            from activelabel.models.whisper_finetune import fine_tune

            self.fine_tune_losses_ = fine_tune(
                self.backend().model, audios, texts, epochs=int(self.params.get("epochs", 3)),
                lr=float(self.params.get("lr", 1e-5)), seed=self.seed,
                progress=(lambda f, m: progress(0.1 + 0.5 * f, m)) if progress else None)
        if progress:
            progress(0.6, f"transcribing {len(items)} answered clips to calibrate the confidence")
        raws = self.transcribe_audio(audios) if audios else []
        right = np.array([normalise(r.text) == normalise(t) for r, t in zip(raws, texts)], dtype=bool)
        feats = np.stack([features(r) for r in raws]) if raws else np.zeros((0, 8))
        self.calibrator_ = Calibrator(float(self.params.get("calibration_C", 1.0))).fit(feats, right)
        self.train_exact_match_ = float(right.mean()) if len(right) else float("nan")
        if progress:
            progress(1.0, f"fitted: {right.mean() if len(right) else 0:.0%} of answered clips transcribed right")
        return self

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        refs = [v.text for v in values if isinstance(v, Transcript)]
        proposals = self.predict(items)
        hyps = [p.value.text for p in proposals if isinstance(p.value, Transcript)]
        out = transcript_metrics(hyps, refs)
        right = np.array([normalise(h) == normalise(r) for h, r in zip(hyps, refs)], dtype=float)
        conf = np.array([p.confidence for p in proposals])
        out["brier"] = float(np.mean((conf - right) ** 2)) if len(right) else float("nan")
        return out

    def save(self, path: Path) -> None:
        """Settings and learned state as JSON; the base weights stay where they are (never copied)."""
        path.mkdir(parents=True, exist_ok=True)
        calibrator = getattr(self, "calibrator_", None)
        state = {"model": self.model, "params": self.params, "labels": self.labels, "seed": self.seed,
                 "fitted": hasattr(self, "vocabulary_"), "vocabulary": getattr(self, "vocabulary_", []),
                 "calibrator": calibrator.to_json() if calibrator is not None else None,
                 "train_exact_match": getattr(self, "train_exact_match_", None),
                 "fine_tune_losses": getattr(self, "fine_tune_losses_", []), "checkpoint": None}
        if self.fine_tune and getattr(self, "fine_tune_losses_", None):
            from activelabel.models.whisper_finetune import save_checkpoint

            save_checkpoint(self.backend().model, path / CHECKPOINT)
            state["checkpoint"] = CHECKPOINT
        (path / STATE).write_text(json.dumps(state, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> WhisperTranscriber:
        state = json.loads((path / STATE).read_text(encoding="utf-8"))
        model = cls(state["labels"], state["model"], state["params"], project_root_of(path), state["seed"])
        if state.get("checkpoint"):
            model._checkpoint = path / state["checkpoint"]
        if state.get("fitted"):
            model.vocabulary_ = list(state["vocabulary"])
            model.calibrator_ = Calibrator.from_json(state["calibrator"]) if state["calibrator"] else None
            model.train_exact_match_ = state.get("train_exact_match")
            model.fine_tune_losses_ = list(state.get("fine_tune_losses", []))
        return model

