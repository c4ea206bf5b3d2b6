"""Audio segments: Whisper finds where the speech is, a head on its encoder embeddings labels each stretch.

Segments come from faster-whisper's (or openai-whisper's) word timestamps snapped to the voiced
runs of the signal (``segmenting.snap_words``); ``[model.params] segmenter = "energy"`` uses the
signal alone instead, only when the project chooses it. Each segment's audio is embedded by the
Whisper encoder (mean and standard deviation over its frames, as the audio classifier does) and
labeled by the same standardised logistic regression (``whisper_classifier.fit_head``), trained on
the segments people gave. Until there are answers of two labels the segments come unlabeled.

Confidence: a segment's label confidence is the classifier's margin (best minus second-best
probability); the item's confidence is the least sure of its segments, counting both the margin
and the boundary confidence, so a recording with one doubtful turn or one doubtful boundary is
asked about first. The encoder is never trained; the proposals (Whisper's part) are cached per
file and the embeddings per (file, start, end) for the adapter's lifetime.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.audio import DEFAULT_MAX_SECONDS, SAMPLE_RATE, load_audio
from activelabel.errors import ConfigError, NotEnoughAnswersError
from activelabel.models.base import Capabilities, Prediction, ProgressFn
from activelabel.models.segmenting import Proposed, energy_segments, snap_words, voiced_runs
from activelabel.models.whisper import audio_root, project_root_of
from activelabel.models.whisper_backends import make_backend
from activelabel.models.whisper_classifier import fit_head, head_proba
from activelabel.quality.segment_agreement import agreed_time, intervals
from activelabel.types import Item, Payload, Segment, Segments

SEGMENTERS = ("whisper", "energy")
STATE = "segments_head.joblib"


class WhisperSegmenter:
    """Adapter for ``audio_segments``; learned state in ``head_`` and ``classes_``."""

    task = "audio_segments"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=False, warm_start=False)
    rehearses: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str], model: str = "faster-whisper:tiny.en",
                 params: dict[str, Any] | None = None, root: Path | None = None, seed: int = 0) -> None:
        self.labels = list(labels)
        self.model = model
        self.params = dict(params or {})
        self.root = root
        self.seed = seed
        self.C = float(self.params.get("C", 1.0))
        self.max_seconds = float(self.params.get("max_audio_seconds", DEFAULT_MAX_SECONDS))
        self.segmenter = str(self.params.get("segmenter", "whisper"))
        if self.segmenter not in SEGMENTERS:
            raise ConfigError(f"model.params.segmenter = {self.segmenter!r}; use one of {SEGMENTERS}")
        self._backend: Any = None
        self._audio: dict[str, np.ndarray] = {}
        self._found: dict[str, tuple[list[Proposed], int]] = {}
        self._emb: dict[tuple[str, float, float], np.ndarray] = {}

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> WhisperSegmenter:
        params = {"max_audio_seconds": config.extra.get("max_audio_seconds", DEFAULT_MAX_SECONDS),
                  **config.model.params}
        return cls(config.labels, config.model_name, params, project_dir, config.loop.seed)

    @property
    def ready(self) -> bool:
        return True  # Whisper proposes the segments before any answer; labels follow once trained

    def backend(self) -> Any:
        if self._backend is None:
            self._backend = make_backend(self.model, device=str(self.params.get("device", "auto")),
                                         params=self.params)
        return self._backend

    # ---- where the speech is ------------------------------------------------------------------

    def _load(self, items: Sequence[Item]) -> list[str]:
        paths = [str(audio_root(it, self.root)) for it in items]
        for p in dict.fromkeys(paths):
            if p not in self._audio:
                self._audio[p] = load_audio(Path(p), max_seconds=self.max_seconds)
        return paths

    def find_segments(self, items: Sequence[Item]) -> list[tuple[list[Proposed], int]]:
        """Per item: the proposed segments (unlabeled) and how many Whisper words were dropped."""
        paths = self._load(items)
        todo = [p for p in dict.fromkeys(paths) if p not in self._found]
        if todo and self.segmenter == "energy":
            for p in todo:
                self._found[p] = (energy_segments(self._audio[p]), 0)
        elif todo:
            raws = self.backend().transcribe([self._audio[p] for p in todo])
            for p, raw in zip(todo, raws):
                self._found[p] = snap_words([w for w, _ in raw.words], raw.word_times, voiced_runs(self._audio[p]))
        return [self._found[p] for p in paths]

    # ---- what each stretch is -----------------------------------------------------------------

    def embed_segments(self, path: str, spans: Sequence[tuple[float, float]]) -> np.ndarray:
        """Encoder embeddings of the stretches of one file (cached by file and span)."""
        audio = self._audio[path]
        keys = [(path, round(s, 3), round(e, 3)) for s, e in spans]
        missing = [k for k in dict.fromkeys(keys) if k not in self._emb]
        if missing:
            clips = [audio[int(s * SAMPLE_RATE):max(int(s * SAMPLE_RATE) + 1, int(e * SAMPLE_RATE))]
                     for _, s, e in missing]
            for k, row in zip(missing, self.backend().embed(clips)):
                self._emb[k] = row
        return np.stack([self._emb[k] for k in keys]) if keys else np.zeros((0, 0))

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *,
            progress: ProgressFn | None = None) -> WhisperSegmenter:
        if len(values) != len(items) or not all(isinstance(v, Segments) for v in values):
            raise TypeError("audio segments values must all be Segments")
        paths = self._load(items)
        rows, y = [], []
        if progress:
            progress(0.1, f"embedding the segments of {len(items)} recordings with the Whisper encoder")
        for path, value in zip(paths, values):
            segs = [s for s in value.segments if s.label is not None]  # type: ignore[union-attr]
            if segs:
                rows.append(self.embed_segments(path, [(s.start, s.end) for s in segs]))
                y += [str(s.label) for s in segs]
        if len(set(y)) < 2:
            raise NotEnoughAnswersError(f"need segments of at least two labels to train; have {sorted(set(y))}")
        self.head_ = fit_head(np.concatenate(rows), y, self.C)
        self.classes_ = [str(c) for c in self.head_.classes_]
        if progress:
            progress(1.0, f"head fitted on {len(y)} segments, {len(self.classes_)} labels")
        return self

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        found = self.find_segments(items)
        paths = [str(audio_root(it, self.root)) for it in items]
        trained = hasattr(self, "head_")
        out = []
        for path, (proposed, dropped) in zip(paths, found):
            if trained and proposed:
                proba = head_proba(self.head_, self.classes_, self.labels,
                                   self.embed_segments(path, [(p.start, p.end) for p in proposed]))
                top2 = np.sort(proba, axis=1)[:, ::-1]
                margins = top2[:, 0] - (top2[:, 1] if proba.shape[1] > 1 else 0.0)
                names: list[str | None] = [self.labels[int(i)] for i in proba.argmax(axis=1)]
            else:
                margins, names = np.zeros(len(proposed)), [None] * len(proposed)
            segs = tuple(Segment(p.start, p.end, lab, round(float(m), 4))
                         for p, lab, m in zip(proposed, names, margins))
            parts = tuple(float(min(m, p.boundary)) for p, m in zip(proposed, margins))
            # no speech found: nothing to doubt about labels, but nothing to trust either
            confidence = min(parts) if parts else 0.0
            meta = {"segmenter": self.segmenter, "dropped_words": dropped, "trained": trained,
                    "boundary": [p.boundary for p in proposed]}
            out.append(Prediction(Segments(segs), float(np.clip(confidence, 0.0, 1.0)), None, parts, meta))
        return out

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """Time-weighted accuracy (share of the speech, truth or proposed, given the true label) and
        segment accuracy (true segments whose most-overlapping proposal has their label)."""
        preds = self.predict(items)
        same = base = 0.0
        right = total = 0
        for pred, truth in zip(preds, values):
            t = intervals(truth.to_json())
            p = intervals(pred.value.to_json())
            s, b = agreed_time(p, t)
            same, base = same + s, base + b
            for ts, te, lab in t:
                best = max(p, key=lambda iv: min(te, iv[1]) - max(ts, iv[0]), default=None)
                total += 1
                right += best is not None and min(te, best[1]) > max(ts, best[0]) and best[2] == lab
        acc = same / base if base > 0 else float("nan")
        return {"metric": acc, "time_accuracy": acc, "segment_accuracy": right / total if total else float("nan")}

    def save(self, path: Path) -> None:
        import joblib

        path.mkdir(parents=True, exist_ok=True)
        joblib.dump({"head": getattr(self, "head_", None), "classes": getattr(self, "classes_", None),
                     "labels": self.labels, "model": self.model, "params": self.params, "seed": self.seed},
                    path / STATE)

    @classmethod
    def load(cls, path: Path) -> WhisperSegmenter:
        import joblib

        state = joblib.load(path / STATE)
        model = cls(state["labels"], state["model"], state["params"], project_root_of(path), state["seed"])
        if state["head"] is not None:
            model.head_ = state["head"]
            model.classes_ = state["classes"]
        return model
