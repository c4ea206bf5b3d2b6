"""A reward-style scorer for ranking items: logistic regression on feature differences of response pairs.

Each response gets features phi(prompt, response): hashed character n-grams of the response (what
it says), and three dense features of how it answers the prompt (the share of the prompt's words it
covers, its log length in words, its length relative to the prompt). Features of the prompt alone
would cancel in a difference, so they are left out. A ranking of k responses implies k(k-1)/2
pairs (better, worse); each pair is one training row phi(better) - phi(worse) with target 1, and
its mirror with target 0, so the model has no side bias and needs no intercept. Its weights are a
linear reward s(r) = w . phi(r), and P(a preferred to b) = sigmoid(s(a) - s(b)) (Bradley-Terry).

``predict`` proposes the order by reward. The item confidence is the probability of its least
sure pair: the smallest P(better over next) over neighbours in the proposed order (0.5 when two
responses tie, near 1 when every step is clear), so items with one pair the model cannot call go to
people first; ``parts`` holds that probability for each neighbouring pair. The weights are saved
as a NumPy array beside a JSON file of settings: no pickle, nothing to execute on load.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from activelabel.errors import NotEnoughAnswersError, NotFittedError
from activelabel.models.base import Capabilities, Prediction, ProgressFn
from activelabel.preferences import RankingItem, implied_pairs
from activelabel.types import Item, Payload, Ranking

WORD = re.compile(r"\w+", re.UNICODE)
N_DENSE = 3


def _words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if len(w) >= 4}


def _dense(prompt: str, response: str) -> list[float]:
    asked = _words(prompt)
    coverage = len(asked & _words(response)) / len(asked) if asked else 0.0
    n_words = len(WORD.findall(response))
    relative = n_words / max(1, len(WORD.findall(prompt)))
    return [coverage, math.log1p(n_words), math.log1p(relative)]


class PairwiseRewardModel:
    """Adapter for ``ranking``; learned state in ``coef_`` (the reward weights) and ``n_pairs_``."""

    task = "ranking"
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=False,
                                                        warm_start=False)
    rehearses: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str] = (), n_features: int = 2 ** 15, ngram_max: int = 4,
                 C: float = 1.0, seed: int = 0) -> None:
        self.labels = list(labels)
        self.n_features = int(n_features)
        self.ngram_max = int(ngram_max)
        self.C = float(C)
        self.seed = int(seed)

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> PairwiseRewardModel:
        params = dict(config.model.params)
        return cls(config.labels, int(params.get("n_features", 2 ** 15)), int(params.get("ngram_max", 4)),
                   float(params.get("C", 1.0)), config.loop.seed)

    @property
    def ready(self) -> bool:
        return hasattr(self, "coef_")

    def _features(self, items: Sequence[Item]) -> list[Any]:
        """Per item, one sparse row per response: hashed char n-grams, then the dense prompt-fit features.

        All responses go through the vectorizer at once (a pool is scored in batches), then split by item.
        """
        from scipy import sparse
        from sklearn.feature_extraction.text import HashingVectorizer

        parsed = [RankingItem.parse(i.content) for i in items]
        texts = [r for p in parsed for r in p.responses]
        if not texts:
            return []
        hashed = HashingVectorizer(analyzer="char_wb", ngram_range=(2, self.ngram_max), n_features=self.n_features,
                                   alternate_sign=False, norm="l2").transform(texts)
        dense = sparse.csr_matrix(np.array([_dense(p.prompt, r) for p in parsed for r in p.responses]))
        rows = sparse.hstack([hashed, dense], format="csr")
        ends = np.cumsum([len(p.responses) for p in parsed])
        return [rows[end - len(p.responses):end] for p, end in zip(parsed, ends, strict=True)]

    def _rewards(self, items: Sequence[Item]) -> list[np.ndarray]:
        if not self.ready:
            raise NotFittedError("the reward model has not been trained yet; rank a few items first")
        return [np.asarray(x @ self.coef_).ravel() for x in self._features(items)]

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *,
            progress: ProgressFn | None = None) -> PairwiseRewardModel:
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression

        rankings = [v for v in values if isinstance(v, Ranking)]
        if len(rankings) != len(items):
            raise TypeError("ranking values must all be Ranking")
        if not items:
            raise NotEnoughAnswersError("need at least one ranked item to train the reward model")
        rows = []
        for x, ranking in zip(self._features(items), rankings, strict=True):
            for better, worse in implied_pairs(ranking.order):
                rows.append(x[better] - x[worse])
        diffs = sparse.vstack(rows, format="csr")
        x_all = sparse.vstack([diffs, -diffs], format="csr")
        y = np.r_[np.ones(diffs.shape[0]), np.zeros(diffs.shape[0])]
        if progress:
            progress(0.1, f"fitting on {diffs.shape[0]} preference pairs")
        clf = LogisticRegression(C=self.C, fit_intercept=False, max_iter=2000, random_state=self.seed)
        clf.fit(x_all, y)
        self.coef_ = np.asarray(clf.coef_, dtype=np.float64).ravel()
        self.n_pairs_ = int(diffs.shape[0])
        if progress:
            progress(1.0, "fitted")
        return self

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        out = []
        for rewards in self._rewards(items):
            order = tuple(int(i) for i in np.argsort(-rewards, kind="stable"))
            steps = tuple(float(1.0 / (1.0 + math.exp(-(rewards[a] - rewards[b]))))
                          for a, b in zip(order, order[1:]))
            out.append(Prediction(Ranking(order), min(steps), None, steps,
                                {"rewards": [float(r) for r in rewards]}))
        return out

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """Pairwise accuracy: the share of implied pairs whose better response gets the higher reward."""
        right = total = 0
        exact = 0
        rankings = [v for v in values if isinstance(v, Ranking)]
        if len(rankings) != len(values):
            raise TypeError("ranking values must all be Ranking")
        for rewards, ranking in zip(self._rewards(items), rankings, strict=True):
            pairs = implied_pairs(ranking.order)
            hits = int(sum(rewards[better] > rewards[worse] for better, worse in pairs))
            right, total, exact = right + hits, total + len(pairs), exact + (hits == len(pairs))
        acc = float(right / total) if total else float("nan")
        return {"metric": acc, "pairwise_accuracy": acc,
                "exact_order": float(exact / len(items)) if items else float("nan")}

    def save(self, path: Path) -> None:
        if not self.ready:
            raise NotFittedError("nothing to save: the reward model is not trained")
        np.save(path / "reward_coef.npy", self.coef_)
        (path / "reward.json").write_text(json.dumps({
            "labels": self.labels, "n_features": self.n_features, "ngram_max": self.ngram_max, "C": self.C,
            "seed": self.seed, "n_pairs": self.n_pairs_}), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> PairwiseRewardModel:
        state = json.loads((path / "reward.json").read_text(encoding="utf-8"))
        model = cls(state["labels"], state["n_features"], state["ngram_max"], state["C"], state["seed"])
        model.coef_ = np.load(path / "reward_coef.npy", allow_pickle=False)
        model.n_pairs_ = int(state["n_pairs"])
        return model
