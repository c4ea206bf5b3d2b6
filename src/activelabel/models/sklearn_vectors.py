"""Classification of feature vectors (items whose content is numbers separated by spaces or commas).

Model name ``vectors-logreg``: LogisticRegression on the features, scaled as ``params.scale`` says
(``standard``, ``maxabs`` or ``none``; the default is ``standard``). With the parameter
``committee: K`` (K >= 2) it also fits K bagged copies and returns their probabilities as draws,
``proba`` of shape (n_classes, K), so that query-by-committee and BALD have a committee to ask
(the mean of the draws is the proposal). ``embed`` returns the vectors as the model scales them, also before
any fit, so a diversity cold start can cluster them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.errors import ConfigError, InvalidLabelError, NotEnoughAnswersError, NotFittedError
from activelabel.models.base import Capabilities, Prediction, ProgressFn
from activelabel.types import ClassLabel, Item, Payload

MODEL_NAME = "vectors-logreg"
SCALERS = ("standard", "maxabs", "none")
DEFAULT_SCALE = "standard"


def parse_vectors(items: Sequence[Item]) -> np.ndarray:
    """Items' content as a float matrix; a malformed item is named in the error."""
    if not items:
        return np.empty((0, 0))
    try:  # fast path: one conversion for the whole batch
        return np.array([it.content.replace(",", " ").split() for it in items], dtype=float)
    except ValueError:
        pass  # a bad or ragged row: find it and say which
    rows = []
    for it in items:
        try:
            rows.append(np.array(it.content.replace(",", " ").split(), dtype=float))
        except ValueError as exc:
            raise InvalidLabelError(f"item {it.id}: content is not a vector of numbers ({exc})") from None
    if not rows:
        return np.empty((0, 0))
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise InvalidLabelError(f"feature vectors have different lengths: {sorted(widths)}")
    return np.vstack(rows)


class SklearnVectorClassifier:
    """Adapter for vector items; learned state in ``scaler_``, ``clf_``, ``committee_``."""

    task = "classification"
    # draws: with params.committee >= 2 (without one, the draw-based strategies say so when they run)
    capabilities: ClassVar[Capabilities] = Capabilities(proba=True, draws=True, embeddings=True, warm_start=False)
    rehearses: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str], params: dict[str, Any] | None = None, seed: int = 0) -> None:
        self.labels = list(labels)
        self.params = dict(params or {})
        self.seed = seed
        self.scale = str(self.params.get("scale", DEFAULT_SCALE))
        if self.scale not in SCALERS:
            raise ConfigError(f"model.params.scale = {self.scale!r}: use one of {', '.join(SCALERS)}")

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> SklearnVectorClassifier:
        return cls(config.labels, config.model.params, config.loop.seed)

    @property
    def ready(self) -> bool:
        return hasattr(self, "clf_")

    def _new_clf(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=float(self.params.get("C", 1.0)), max_iter=int(self.params.get("max_iter", 1000)))

    def _new_scaler(self) -> Any:
        """The scaler is fitted on the answers only (the adapter never sees the pool in ``fit``)."""
        from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler, StandardScaler

        if self.scale == "standard":
            return StandardScaler()
        if self.scale == "maxabs":
            return MaxAbsScaler()
        return FunctionTransformer()  # "none": the identity, so saved versions keep one shape

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *,
            progress: ProgressFn | None = None) -> SklearnVectorClassifier:
        y = np.array([v.label for v in values if isinstance(v, ClassLabel)])
        if len(y) != len(items):
            raise TypeError("classification values must all be ClassLabel")
        if len(set(y.tolist())) < 2:
            raise NotEnoughAnswersError(f"need answers of at least two labels to train; have {sorted(set(y.tolist()))}")
        x = parse_vectors(items)
        self.scaler_ = self._new_scaler().fit(x)
        xs = self.scaler_.transform(x)
        self.clf_ = self._new_clf().fit(xs, y)
        rng = np.random.default_rng([self.seed, len(y)])
        members = []
        for _ in range(int(self.params.get("committee", 0))):
            idx = rng.choice(len(y), size=len(y), replace=True)
            if len(set(y[idx].tolist())) < 2:  # a bootstrap with one class cannot train; draw again
                idx = np.concatenate([idx, rng.permutation(len(y))[:2]])
                while len(set(y[idx].tolist())) < 2:
                    idx = np.concatenate([idx, rng.choice(len(y), size=2)])
            members.append(self._new_clf().fit(xs[idx], y[idx]))
        self.committee_ = members
        if progress:
            progress(1.0, f"fitted on {len(y)} answers" + (f" (+{len(members)} committee members)" if members else ""))
        return self

    def _aligned(self, clf: Any, xs: np.ndarray) -> np.ndarray:
        raw = clf.predict_proba(xs)
        out = np.zeros((xs.shape[0], len(self.labels)))
        cols = [self.labels.index(str(c)) for c in clf.classes_]
        out[:, cols] = raw
        return out

    def predict_proba(self, items: Sequence[Item]) -> np.ndarray:
        """(n, classes), or (n, classes, K) with a committee."""
        if not self.ready:
            raise NotFittedError("the classifier has not been trained yet; label a few items first")
        xs = self.scaler_.transform(parse_vectors(items))
        if self.committee_:
            return np.stack([self._aligned(m, xs) for m in self.committee_], axis=2)
        return self._aligned(self.clf_, xs)

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        proba = self.predict_proba(items)
        mean = proba.mean(axis=2) if proba.ndim == 3 else proba
        if proba.ndim == 3:  # the proposal is the full model's; the committee's draws inform the strategy
            mean = self._aligned(self.clf_, self.scaler_.transform(parse_vectors(items)))
        best = mean.argmax(axis=1)
        return [Prediction(ClassLabel(self.labels[b]), float(mean[i, b]), proba[i])
                for i, b in enumerate(best.tolist())]

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        x = parse_vectors(items)
        if self.ready:
            return np.asarray(self.scaler_.transform(x))
        return np.asarray(self._new_scaler().fit_transform(x))

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        from sklearn.metrics import accuracy_score, f1_score

        y = [v.label for v in values if isinstance(v, ClassLabel)]
        xs = self.scaler_.transform(parse_vectors(items))
        pred = [self.labels[i] for i in self._aligned(self.clf_, xs).argmax(axis=1)]
        acc = float(accuracy_score(y, pred))
        return {"metric": acc, "accuracy": acc, "macro_f1": float(f1_score(y, pred, average="macro"))}

    def save(self, path: Path) -> None:
        import joblib

        if not self.ready:
            raise NotFittedError("nothing to save: the classifier is not trained")
        joblib.dump({"scaler": self.scaler_, "clf": self.clf_, "committee": self.committee_, "labels": self.labels,
                     "params": self.params, "seed": self.seed}, path / "model.joblib")

    @classmethod
    def load(cls, path: Path) -> SklearnVectorClassifier:
        import joblib

        state = joblib.load(path / "model.joblib")
        model = cls(state["labels"], state["params"], state["seed"])
        model.scaler_, model.clf_, model.committee_ = state["scaler"], state["clf"], state["committee"]
        return model
