"""Text classification with scikit-learn: character TF-IDF + LogisticRegression by default.

Any estimator with ``predict_proba`` can be named in the config as ``module:Class``; one without it
(LinearSVC, say) is wrapped in ``CalibratedClassifierCV`` so its scores become probabilities.
Versions are saved with joblib inside the project's model store and loaded only from there.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.errors import ConfigError, NotEnoughAnswersError, NotFittedError
from activelabel.models.base import Capabilities, Prediction, ProgressFn
from activelabel.types import ClassLabel, Item, Payload

DEFAULT_ESTIMATOR = "tfidf-logreg"


def _build_estimator(name: str, params: dict[str, Any]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if name == DEFAULT_ESTIMATOR:
        # character n-grams within word boundaries: robust to the spelling of short, noisy texts
        # (SMS, tweets) and strong with few labels; balanced weights keep rare classes visible
        tfidf = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=1,
                                **params.get("tfidf", {}))
        weight = params.get("class_weight", "balanced")  # "none": unweighted (TOML has no null)
        clf = LogisticRegression(C=params.get("C", 10.0), max_iter=2000,
                                 class_weight=None if weight == "none" else weight)
        return make_pipeline(tfidf, clf)
    module_name, _, cls_name = name.partition(":")
    if not cls_name:
        raise ConfigError(f"model name {name!r}: use {DEFAULT_ESTIMATOR!r} or 'module:Class'")
    estimator = getattr(importlib.import_module(module_name), cls_name)(**params)
    if not hasattr(estimator, "predict_proba"):
        from sklearn.calibration import CalibratedClassifierCV

        estimator = CalibratedClassifierCV(estimator, method="sigmoid", cv=3)
    # a bare estimator gets TF-IDF features in front of it
    if not hasattr(estimator, "steps"):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline

        estimator = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)), estimator)
    return estimator


class SklearnTextClassifier:
    """Adapter for text classification; learned state in ``estimator_`` and ``classes_``."""

    task = "classification"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=True, draws=False, embeddings=True,
                                                        warm_start=False)
    rehearses: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str], estimator: str = DEFAULT_ESTIMATOR,
                 params: dict[str, Any] | None = None, seed: int = 0) -> None:
        self.labels = list(labels)
        self.estimator = estimator
        self.params = dict(params or {})
        self.seed = seed

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> SklearnTextClassifier:
        return cls(config.labels, config.model_name, config.model.params, config.loop.seed)

    @property
    def ready(self) -> bool:
        return hasattr(self, "estimator_")

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *, progress: ProgressFn | None = None) -> SklearnTextClassifier:
        y = [v.label for v in values if isinstance(v, ClassLabel)]
        if len(y) != len(items):
            raise TypeError("classification values must all be ClassLabel")
        if len(set(y)) < 2:
            raise NotEnoughAnswersError(f"need answers of at least two labels to train; have {sorted(set(y))}")
        estimator = _build_estimator(self.estimator, self.params)
        if progress:
            progress(0.1, f"fitting on {len(y)} answers")
        estimator.fit([i.content for i in items], y)
        self.estimator_ = estimator
        self.classes_ = [str(c) for c in estimator.classes_]
        if progress:
            progress(1.0, "fitted")
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities over the project's labels (columns in ``self.labels`` order)."""
        if not self.ready:
            raise NotFittedError("the classifier has not been trained yet; label a few items first")
        raw = self.estimator_.predict_proba(list(texts))
        out = np.zeros((raw.shape[0], len(self.labels)))
        for j, c in enumerate(self.classes_):
            out[:, self.labels.index(c)] = raw[:, j]
        return out

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        proba = self.predict_proba([i.content for i in items])
        best = proba.argmax(axis=1)
        return [Prediction(ClassLabel(self.labels[b]), float(p[b]), p) for b, p in zip(best, proba)]

    def embed(self, items: Sequence[Item]) -> np.ndarray:
        """TF-IDF features reduced to a dense embedding, for diversity strategies."""
        if not self.ready:
            raise NotFittedError("the classifier has not been trained yet")
        feats = self.estimator_[:-1].transform([i.content for i in items])
        return np.asarray(feats.todense() if hasattr(feats, "todense") else feats)

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        from sklearn.metrics import accuracy_score, f1_score

        y = [v.label for v in values if isinstance(v, ClassLabel)]
        pred = [self.labels[i] for i in self.predict_proba([i.content for i in items]).argmax(axis=1)]
        acc = float(accuracy_score(y, pred))
        return {"metric": acc, "accuracy": acc, "macro_f1": float(f1_score(y, pred, average="macro"))}

    def save(self, path: Path) -> None:
        import joblib

        if not self.ready:
            raise NotFittedError("nothing to save: the classifier is not trained")
        joblib.dump({"estimator": self.estimator_, "classes": self.classes_, "labels": self.labels,
                     "name": self.estimator, "params": self.params, "seed": self.seed}, path / "model.joblib")

    @classmethod
    def load(cls, path: Path) -> SklearnTextClassifier:
        import joblib

        state = joblib.load(path / "model.joblib")
        model = cls(state["labels"], state["name"], state["params"], state["seed"])
        model.estimator_ = state["estimator"]
        model.classes_ = state["classes"]
        return model
