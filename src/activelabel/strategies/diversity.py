"""Geometry for diversity strategies: k-center greedy, k-means++ seeding, density, k-means picks.

Distances are computed in float32 blocks, never as a full n x n matrix, so 100k x 64 fits easily.
"""

from __future__ import annotations

import numpy as np

BLOCK = 4096


def _sq_norms(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


def min_sq_dist(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """For each row of x, the squared distance to its nearest center (blocked over centers)."""
    x = np.asarray(x, dtype=np.float32)
    out = np.full(x.shape[0], np.inf, dtype=np.float32)
    if centers.shape[0] == 0:
        return out
    centers = np.asarray(centers, dtype=np.float32)
    xn = _sq_norms(x)
    for start in range(0, centers.shape[0], BLOCK):
        c = centers[start:start + BLOCK]
        d = xn[:, None] + _sq_norms(c)[None, :] - 2.0 * (x @ c.T)
        np.minimum(out, d.min(axis=1), out=out)
    return np.maximum(out, 0.0)


def k_center_greedy(x: np.ndarray, labeled: np.ndarray | None, k: int, rng: np.random.Generator) -> np.ndarray:
    """Sener and Savarese (2018): repeatedly take the point farthest from every chosen or labeled point."""
    x = np.asarray(x, dtype=np.float32)
    n = x.shape[0]
    k = min(k, n)
    chosen = np.empty(k, dtype=np.int64)
    if labeled is not None and len(labeled):
        dist = min_sq_dist(x, labeled)
        start = 0
    else:
        chosen[0] = rng.integers(n)
        dist = min_sq_dist(x, x[chosen[:1]])
        start = 1
    xn = _sq_norms(x)
    for j in range(start, k):
        i = int(np.argmax(dist))
        chosen[j] = i
        d = xn + xn[i] - 2.0 * (x @ x[i])
        np.minimum(dist, np.maximum(d, 0.0), out=dist)
    return chosen


def kmeanspp_outer(a: np.ndarray, x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur and Vassilvitskii 2007) over the rows g_i = a_i (outer) x_i, as in BADGE.

    The gradient embeddings are never built: ||g_i - g_j||^2 = |a_i|^2 |x_i|^2 + |a_j|^2 |x_j|^2
    - 2 (a_i . a_j)(x_i . x_j), so each step costs O(n (c + e)) instead of O(n c e).
    The first center is the largest gradient, as in the authors' code.
    """
    a = np.asarray(a, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    n = a.shape[0]
    k = min(k, n)
    norms = _sq_norms(a) * _sq_norms(x)
    chosen = [int(np.argmax(norms))]
    dist = np.full(n, np.inf)
    for _ in range(1, k):
        j = chosen[-1]
        d = norms + norms[j] - 2.0 * (a @ a[j]) * (x @ x[j])
        np.minimum(dist, np.maximum(d, 0.0), out=dist)
        dist[chosen] = 0.0
        total = dist.sum()
        if total <= 0:  # every remaining point coincides with a center: take any unchosen one
            rest = np.setdiff1d(np.arange(n), chosen)
            chosen.append(int(rng.choice(rest)))
            continue
        chosen.append(int(rng.choice(n, p=dist / total)))
    return np.asarray(chosen, dtype=np.int64)


def cosine_density(x: np.ndarray) -> np.ndarray:
    """Settles and Craven (2008): mean cosine similarity of each item to the pool, in O(n e).

    mean_u cos(x, u) = x_hat . (sum_u u_hat) / n, so no n x n matrix is needed.
    """
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    unit = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    return np.asarray(unit @ unit.mean(axis=0))


def kmeans_nearest(x: np.ndarray, k: int, rng: np.random.Generator, weights: np.ndarray | None = None) -> np.ndarray:
    """Cluster into k groups (k-means, optionally weighted) and take the item nearest each centroid."""
    from sklearn.cluster import KMeans

    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    k = min(k, n)
    km = KMeans(n_clusters=k, n_init=1, random_state=int(rng.integers(2**31 - 1))).fit(x, sample_weight=weights)
    d = np.asarray(_sq_norms(x)[:, None] + _sq_norms(km.cluster_centers_)[None, :] - 2.0 * x @ km.cluster_centers_.T)
    chosen: list[int] = []
    taken = np.zeros(n, dtype=bool)
    for c in range(k):  # k is a batch size: a loop over clusters, not over items
        col = np.where(taken, np.inf, d[:, c])
        i = int(np.argmin(col))
        chosen.append(i)
        taken[i] = True
    return np.asarray(chosen, dtype=np.int64)
