"""Audio classification: a scikit-learn head on Whisper encoder embeddings, retrained every round.

The encoder (faster-whisper's CTranslate2 encoder, or openai-whisper's) turns each clip into its
frame states; their mean and standard deviation over the frames that hold audio are the clip's
embedding. A standardised logistic regression on those gives ``predict_proba`` over the project's
labels, so margin, entropy and the rest work as on text. The encoder itself is never trained, so
embeddings are cached per file for the life of the adapter object.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.audio import DEFAULT_MAX_SECONDS, load_audio
from activelabel.errors import NotEnoughAnswersError, NotFittedError
from activelabel.models.base import Capabilities, Prediction, ProgressFn
from activelabel.models.whisper import audio_root, project_root_of
from activelabel.models.whisper_backends import make_backend
from activelabel.types import ClassLabel, Item, Payload


def fit_head(X: np.ndarray, y: Sequence[str], C: float) -> Any:
    """The head on encoder embeddings: standardised logistic regression (also the per-segment head)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=3000)).fit(X, list(y))


def head_proba(head: Any, classes: Sequence[str], labels: Sequence[str], X: np.ndarray) -> np.ndarray:
    """The head's probabilities with one column per project label (labels it never saw get 0)."""
    raw = head.predict_proba(X)
    out = np.zeros((raw.shape[0], len(labels)))
    for j, c in enumerate(classes):
        out[:, list(labels).index(c)] = raw[:, j]
    return out


class WhisperEmbeddingClassifier:
    """Adapter for ``audio_classification``; learned state in ``head_`` and ``classes_``."""

    task = "audio_classification"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=True, draws=False, embeddings=True, warm_start=False)
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
        self._backend: Any = None
        self._cache: dict[str, np.ndarray] = {}

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> WhisperEmbeddingClassifier:
        params = {"max_audio_seconds": config.extra.get("max_audio_seconds", DEFAULT_MAX_SECONDS),
                  **config.model.params}
        return cls(config.labels, config.model_name, params, project_dir, config.loop.seed)

    @property
    def ready(self) -> bool:
        return hasattr(self, "head_")

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        """Encoder embeddings, one row per item (cached by file path)."""
        paths = [str(audio_root(it, self.root)) for it in items]
        missing = [p for p in dict.fromkeys(paths) if p not in self._cache]
        if missing:
            if self._backend is None:
                self._backend = make_backend(self.model, device=str(self.params.get("device", "auto")),
                                             params=self.params)
            audios = [load_audio(Path(p), max_seconds=self.max_seconds) for p in missing]
            for p, row in zip(missing, self._backend.embed(audios)):
                self._cache[p] = row
        return np.stack([self._cache[p] for p in paths]) if paths else np.zeros((0, 0))

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *,
            progress: ProgressFn | None = None) -> WhisperEmbeddingClassifier:
        y = [v.label for v in values if isinstance(v, ClassLabel)]
        if len(y) != len(items):
            raise TypeError("audio classification values must all be ClassLabel")
        if len(set(y)) < 2:
            raise NotEnoughAnswersError(f"need answers of at least two labels to train; have {sorted(set(y))}")
        if progress:
            progress(0.1, f"embedding {len(items)} clips with the Whisper encoder")
        head = fit_head(self.embed(items), y, self.C)
        self.head_ = head
        self.classes_ = [str(c) for c in head.classes_]
        if progress:
            progress(1.0, f"head fitted on {len(y)} answers, {len(self.classes_)} labels")
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities over the project's labels (columns in ``self.labels`` order)."""
        if not self.ready:
            raise NotFittedError("the audio classifier has not been trained yet; label a few clips first")
        return head_proba(self.head_, self.classes_, self.labels, X)

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        if not self.ready:
            raise NotFittedError("the audio classifier has not been trained yet; label a few clips first")
        proba = self.predict_proba(self.embed(items))
        best = proba.argmax(axis=1)
        return [Prediction(ClassLabel(self.labels[b]), float(p[b]), p) for b, p in zip(best, proba)]

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        from sklearn.metrics import accuracy_score, f1_score

        y = [v.label for v in values if isinstance(v, ClassLabel)]
        pred = [self.labels[i] for i in self.predict_proba(self.embed(items)).argmax(axis=1)]
        acc = float(accuracy_score(y, pred))
        return {"metric": acc, "accuracy": acc, "macro_f1": float(f1_score(y, pred, average="macro"))}

    def save(self, path: Path) -> None:
        import joblib

        if not self.ready:
            raise NotFittedError("nothing to save: the audio classifier is not trained")
        joblib.dump({"head": self.head_, "classes": self.classes_, "labels": self.labels, "model": self.model,
                     "params": self.params, "seed": self.seed}, path / "head.joblib")

    @classmethod
    def load(cls, path: Path) -> WhisperEmbeddingClassifier:
        import joblib

        state = joblib.load(path / "head.joblib")
        model = cls(state["labels"], state["model"], state["params"], project_root_of(path), state["seed"])
        model.head_ = state["head"]
        model.classes_ = state["classes"]
        return model
