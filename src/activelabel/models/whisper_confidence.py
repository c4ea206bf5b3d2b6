"""From Whisper's scores to one number people can route on: P(the transcript is right).

Per clip, the segment scores (avg_logprob, no_speech_prob, compression_ratio) and the word
probabilities are reduced to a small feature vector. Before any correction exists, a fixed rule
turns them into a confidence (``raw_confidence``); once people have corrected transcripts, a
logistic regression fitted on "was the proposal right" replaces it (``Calibrator``). Which of the
two produced a confidence is recorded in the proposal's meta, so it is never hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from activelabel.metrics_text import normalise
from activelabel.models.whisper_backends import RawTranscript

FEATURES = ("avg_logprob", "min_logprob", "no_speech_prob", "compression_ratio", "min_word_prob",
            "mean_word_prob", "log_words", "empty")
MIN_CALIBRATION = 10  # answers needed, of both outcomes, before the calibrator replaces the rule
STOPWORDS = frozenset("a an the and or but of to in on at for with is are was were be it this that i you he she "
                      "we they my your our so as by from not no yes um uh".split())


def _finite(values: list[float], default: float) -> list[float]:
    """Whisper can return NaN scores (seen on degenerate outputs); they count as the worst case."""
    return [v if np.isfinite(v) else default for v in values] or [default]


def features(raw: RawTranscript) -> np.ndarray:
    lp = _finite(raw.avg_logprobs, -5.0)
    probs = _finite([p for _, p in raw.words], 0.0)
    no_speech = _finite(raw.no_speech_probs, 1.0)
    compression = _finite(raw.compression_ratios, 0.0)
    return np.array([
        float(np.mean(lp)), float(np.min(lp)), float(max(no_speech)),
        float(max(compression)), float(min(probs)), float(np.mean(probs)),
        float(np.log1p(len(raw.words))), float(not raw.text.strip()),
    ])


def raw_confidence(f: np.ndarray) -> float:
    """The uncalibrated rule: sequence probability, discounted for no-speech and repetition loops."""
    conf = float(np.exp(f[0])) * (1.0 - 0.5 * f[2])
    if f[3] > 2.4:  # Whisper's own threshold for a repetitive (hallucinated) output
        conf *= 0.2
    return float(np.clip(conf, 0.0, 1.0))


class Calibrator:
    """Logistic regression on the features vs "the proposal matched the human transcript"."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, feats: np.ndarray, right: np.ndarray) -> Calibrator | None:
        """Returns self, or None when there are too few answers of either outcome to learn from."""
        right = np.asarray(right, dtype=bool)
        if len(right) < MIN_CALIBRATION or right.all() or not right.any():
            return None
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.pipeline_ = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=1000))
        self.pipeline_.fit(feats, right)
        return self

    def predict(self, feats: np.ndarray) -> np.ndarray:
        return np.asarray(self.pipeline_.predict_proba(np.atleast_2d(feats))[:, 1], dtype=float)

    def to_json(self) -> dict[str, Any]:
        scaler, lr = self.pipeline_[0], self.pipeline_[-1]
        return {"C": self.C, "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
                "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0])}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibrator:
        """Rebuilt from plain numbers, so a version folder holds no pickle."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        cal = cls(float(data["C"]))
        scaler = StandardScaler()
        scaler.mean_ = np.array(data["mean"])
        scaler.scale_ = np.array(data["scale"])
        scaler.var_ = scaler.scale_ ** 2
        scaler.n_features_in_ = len(scaler.mean_)
        lr = LogisticRegression(C=cal.C)
        lr.coef_ = np.array([data["coef"]])
        lr.intercept_ = np.array([data["intercept"]])
        lr.classes_ = np.array([False, True])
        lr.n_features_in_ = len(scaler.mean_)
        cal.pipeline_ = make_pipeline(scaler, lr)
        return cal


def learn_vocabulary(texts: Sequence[str], max_terms: int = 40) -> list[str]:
    """Domain terms from corrected transcripts, most frequent first, in their most common spelling.

    Function words are left out: they are not what Whisper misses, and the prompt budget is small.
    """
    spelled: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    for text in texts:
        for surface in text.split():
            surface = surface.strip(".,;:!?\"()[]{}")
            key = normalise(surface)
            if not key or key in STOPWORDS:
                continue
            counts[key] += 1
            # a spoken digit written "5" is prompted as its word: Whisper writes what it is prompted with
            spelled.setdefault(key, Counter())[key if surface.isdigit() and len(surface) == 1 else surface] += 1
    ranked = sorted(counts, key=lambda k: (-counts[k], k))[:max_terms]
    return [spelled[k].most_common(1)[0][0] for k in ranked]
