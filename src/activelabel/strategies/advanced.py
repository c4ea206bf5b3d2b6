"""The strategy lab's strategies beyond the core four, each a registered pure function.

Draw-based ones (BALD, MC dropout, the committee measures) need ``proba`` of shape (n, c, d);
diversity ones need ``embeddings`` (and ``labeled_embeddings`` for core-set). The loop supplies
what ``needs`` names. Papers are cited in each docstring's second line.
"""

from __future__ import annotations

import numpy as np

from activelabel.errors import StrategyNotApplicableError
from activelabel.strategies import committee, diversity, utility
from activelabel.strategies.base import PoolView, StrategyFn, StrategyInfo
from activelabel.strategies.select import top_k
from activelabel.types import Selection

PREFILTER = 10  # hybrid strategies look at PREFILTER x k uncertainty candidates
POWER_BETA = 1.0


def _need(value: np.ndarray | None, what: str, who: str) -> np.ndarray:
    if value is None:
        raise StrategyNotApplicableError(f"strategy {who} needs {what}, and the model or loop gave none")
    return value


def _uncertainty(pool: PoolView) -> np.ndarray:
    """Margin uncertainty from class probabilities, else 1 - confidence (every task has it)."""
    return utility.margin(pool.proba) if pool.proba is not None else utility.confidence_uncertainty(pool.confidence)


def _picked(idx: np.ndarray, scores: np.ndarray) -> Selection:
    idx = np.asarray(idx, dtype=np.int64)
    return Selection(idx, np.asarray(scores, dtype=float)[idx])


# ---- committee and Bayesian ------------------------------------------------------------------


def bald(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """BALD: mutual information between the label and the model, over MC-dropout or committee draws.
    Houlsby et al. 2011; Gal, Islam and Ghahramani 2017."""
    return top_k(committee.bald(_need(pool.proba, "probability draws", "bald")), k, rng)


def mc_dropout(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """MC dropout: variation ratio of the votes of stochastic forward passes (or committee members).
    Gal, Islam and Ghahramani 2017 (variation ratios, Freeman 1965)."""
    return top_k(committee.variation_ratio(_need(pool.proba, "probability draws", "mc_dropout")), k, rng)


def vote_entropy(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Query by committee, vote entropy: members' hard votes disagree most.
    Dagan and Engelson 1995."""
    return top_k(committee.vote_entropy(_need(pool.proba, "probability draws", "vote_entropy")), k, rng)


def consensus_kl(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Query by committee, consensus KL: members' distributions stray most from their mean.
    McCallum and Nigam 1998."""
    return top_k(committee.consensus_kl(_need(pool.proba, "probability draws", "consensus_kl")), k, rng)


# ---- diversity and hybrids -------------------------------------------------------------------


def coreset(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Core-set: k-center greedy on embeddings, farthest from everything labeled or chosen.
    Sener and Savarese 2018."""
    x = _need(pool.embeddings, "embeddings", "coreset")
    chosen = diversity.k_center_greedy(x, pool.labeled_embeddings, k, rng)
    return Selection(chosen, np.zeros(len(chosen)))


def badge(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """BADGE: k-means++ seeding over last-layer gradient embeddings (p - onehot(argmax p)) x features.
    Ash et al. 2020."""
    p = utility._mean_over_draws(_need(pool.proba, "class probabilities", "badge"))
    x = _need(pool.embeddings, "embeddings", "badge")
    a = p.copy()
    a[np.arange(len(p)), p.argmax(axis=1)] -= 1.0
    chosen = diversity.kmeanspp_outer(a, x, k, rng)
    return _picked(chosen, np.sqrt((a * a).sum(axis=1) * (x * x).sum(axis=1)))


def cluster_margin(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Cluster-margin: low-margin candidates clustered (HAC, average linkage), round-robin from the smallest.
    Citovsky et al. 2021."""
    from scipy.cluster.hierarchy import fcluster, linkage

    x = _need(pool.embeddings, "embeddings", "cluster_margin")
    scores = _uncertainty(pool)
    m = min(pool.size, PREFILTER * k)
    cand = top_k(scores, m, rng).indices
    if m <= k:
        return _picked(cand, scores)
    n_clusters = min(m, 2 * k)
    labels = fcluster(linkage(np.asarray(x[cand], dtype=np.float64), method="average"), t=n_clusters,
                      criterion="maxclust")
    return _picked(cand[round_robin_smallest_first(labels, k, rng)], scores)


def round_robin_smallest_first(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Positions into ``labels``: clusters visited smallest first, one random member each, cycling."""
    ids, sizes = np.unique(labels, return_counts=True)
    order = ids[np.lexsort((rng.random(len(ids)), sizes))]
    members = [rng.permutation(np.flatnonzero(labels == c)).tolist() for c in order]  # loop over clusters
    picked: list[int] = []
    while len(picked) < min(k, len(labels)):
        for mem in members:
            if mem and len(picked) < k:
                picked.append(mem.pop())
    return np.asarray(picked, dtype=np.int64)


def information_density(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Information density: entropy x (mean cosine similarity to the pool)^beta, beta = 1.
    Settles and Craven 2008."""
    x = _need(pool.embeddings, "embeddings", "information_density")
    base = utility.entropy(pool.proba) if pool.proba is not None else utility.confidence_uncertainty(pool.confidence)
    return top_k(base * diversity.cosine_density(x), k, rng)


def uncertainty_diversity(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Hybrid: margin pre-filter of 10k candidates, then uncertainty-weighted k-means, nearest to each centre.
    Zhdanov 2019 (diverse mini-batch active learning)."""
    x = _need(pool.embeddings, "embeddings", "uncertainty_diversity")
    scores = _uncertainty(pool)
    cand = top_k(scores, min(pool.size, PREFILTER * k), rng).indices
    if len(cand) <= k:
        return _picked(cand, scores)
    chosen = diversity.kmeans_nearest(x[cand], k, rng, weights=np.maximum(scores[cand], 1e-12))
    return _picked(cand[chosen], scores)


def power_sample(scores: np.ndarray, k: int, rng: np.random.Generator, beta: float = POWER_BETA) -> Selection:
    """k items without replacement with P proportional to score^beta, via Gumbel-top-k."""
    with np.errstate(divide="ignore"):
        logs = beta * np.log(np.maximum(scores, 0.0))
    perturbed = logs + rng.gumbel(size=scores.shape[0])
    chosen = top_k(np.where(np.isfinite(perturbed), perturbed, -np.inf), k, rng).indices
    return _picked(chosen, scores)


def power_entropy(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Stochastic power sampling: draw a batch with P proportional to entropy^beta, beta = 1.
    Kirsch et al. 2023."""
    base = utility.entropy(pool.proba) if pool.proba is not None else utility.confidence_uncertainty(pool.confidence)
    return power_sample(base, k, rng)


def softrank_margin(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Stochastic soft-rank sampling: P proportional to rank^-beta by margin, beta = 1.
    Kirsch et al. 2023."""
    scores = _uncertainty(pool)
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    return power_sample(1.0 / ranks, k, rng)


def kmeans_cold_start(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Diversity cold start: k-means on unsupervised features, the item nearest each centre.
    For round 0, when no model exists yet."""
    x = _need(pool.embeddings, "embeddings", "kmeans_cold_start")
    chosen = diversity.kmeans_nearest(x, k, rng)
    return Selection(chosen, np.zeros(len(chosen)))


def class_balanced_margin(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Class-balance aware margin: quotas per predicted class that even out the labeled counts, rare first.
    After Aggarwal et al. 2020 (active learning for imbalanced data sets)."""
    p = utility._mean_over_draws(_need(pool.proba, "class probabilities", "class_balanced_margin"))
    c = p.shape[1]
    have = np.bincount(pool.labeled_classes, minlength=c)[:c] if pool.labeled_classes is not None else np.zeros(c)
    predicted = p.argmax(axis=1)
    available = np.bincount(predicted, minlength=c)
    quota = balanced_quotas(have, available, min(k, pool.size))
    scores = utility.margin(p)
    chosen: list[int] = []
    for cls in np.flatnonzero(quota):  # loop over classes, not items
        members = np.flatnonzero(predicted == cls)
        sub = top_k(scores[members], int(quota[cls]), rng)
        chosen.extend(members[sub.indices].tolist())
    idx = np.asarray(chosen, dtype=np.int64)
    order = np.argsort(-scores[idx], kind="stable")
    return _picked(idx[order], scores)


def balanced_quotas(have: np.ndarray, available: np.ndarray, k: int) -> np.ndarray:
    """Water-filling: give each of k slots to the class with the fewest labels so far (ties: lowest id)."""
    total = np.asarray(have, dtype=np.int64).copy()
    quota = np.zeros(len(total), dtype=np.int64)
    room = np.asarray(available, dtype=np.int64).copy()
    for _ in range(min(k, int(room.sum()))):  # k is a batch size
        cand = np.where(room > 0, total, np.iinfo(np.int64).max)
        cls = int(np.argmin(cand))
        quota[cls] += 1
        total[cls] += 1
        room[cls] -= 1
    return quota


def _info(fn: StrategyFn, needs: tuple[str, ...]) -> StrategyInfo:
    doc = (fn.__doc__ or "").strip().splitlines()
    cite = f" [{doc[1].strip().rstrip('.')}]" if len(doc) > 1 else ""
    return StrategyInfo(fn.__name__, fn, doc[0] + cite, needs)


STRATEGIES: list[StrategyInfo] = [
    _info(bald, ("proba", "proba_draws")),
    _info(mc_dropout, ("proba", "proba_draws")),
    _info(vote_entropy, ("proba", "proba_draws")),
    _info(consensus_kl, ("proba", "proba_draws")),
    _info(coreset, ("embeddings", "labeled_embeddings")),
    _info(badge, ("proba", "embeddings")),
    _info(cluster_margin, ("embeddings",)),
    _info(information_density, ("embeddings",)),
    _info(uncertainty_diversity, ("embeddings",)),
    _info(power_entropy, ()),
    _info(softrank_margin, ()),
    _info(kmeans_cold_start, ("embeddings",)),
    _info(class_balanced_margin, ("proba", "labeled_classes")),
]
