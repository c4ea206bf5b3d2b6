"""Strategy scoring speed: our vectorised strategies next to the per-row way (small-text's BreakingTies).

Prints, for 1M items x 10 classes, the time to score and select the top 1,000 with least
confidence, margin and entropy; for 100k x 64 embeddings, core-set (k-center greedy) selecting
100. Next to each, the same computation written as small-text writes BreakingTies: a Python
function applied per row with ``np.apply_along_axis`` (measured on a slice and scaled, unless
``--full-rowwise``), and for core-set a per-point Python loop over the distance updates.

    python benchmarks/strategies_speed.py [--n 1000000] [--classes 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from activelabel.strategies import PoolView, get_strategy


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` runs in CPU seconds of this process (wall time is meaningless on a shared,
    overloaded machine; on an idle one the two agree for these single-threaded loops)."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


# ---- the per-row way, as small-text's BreakingTies and friends compute it ---------------------


def _breaking_ties_row(p: np.ndarray) -> float:
    p = np.sort(p)  # small-text: np.apply_along_axis(lambda x: x[-1] - x[-2], 1, np.sort(proba))
    return float(p[-1] - p[-2])


def _least_confidence_row(p: np.ndarray) -> float:
    return float(1.0 - p.max())


def _entropy_row(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log(q)).sum())


def rowwise_select(proba: np.ndarray, row_fn: Callable[[np.ndarray], float], k: int, higher: bool) -> np.ndarray:
    scores = np.apply_along_axis(row_fn, 1, proba)
    order = np.argsort(-scores if higher else scores)  # and a full sort, as those libraries do
    return order[:k]


def coreset_loop(x: np.ndarray, labeled: np.ndarray, k: int) -> list[int]:
    """k-center greedy with a per-point Python loop for the distance update (the naive way)."""
    dist = np.array([min(float(((xi - lab) ** 2).sum()) for lab in labeled) for xi in x])
    chosen = []
    for _ in range(k):
        i = int(np.argmax(dist))
        chosen.append(i)
        for j in range(len(x)):
            d = float(((x[j] - x[i]) ** 2).sum())
            if d < dist[j]:
                dist[j] = d
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="items scored (default 1M)")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--top", type=int, default=1000, help="items selected")
    ap.add_argument("--emb-n", type=int, default=100_000, help="embeddings for core-set (default 100k)")
    ap.add_argument("--emb-dim", type=int, default=64)
    ap.add_argument("--coreset-k", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rowwise-slice", type=int, default=20_000,
                    help="rows the per-row versions run on; their time is scaled to --n (default 20k)")
    ap.add_argument("--full-rowwise", action="store_true", help="run the per-row versions on all rows")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(args.n, args.classes))
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    pool = PoolView(confidence=proba.max(axis=1), proba=proba)
    n_row = args.n if args.full_rowwise else min(args.n, args.rowwise_slice)
    scale = args.n / n_row

    print(f"scoring + top-{args.top} over {args.n:,} items x {args.classes} classes (CPU seconds, best of {args.repeat})")
    print(f"{'strategy':<20}{'activelabel':>14}{'per-row (apply_along_axis)':>30}{'speed-up':>10}")
    row_fns = {"least_confidence": (_least_confidence_row, True), "margin": (_breaking_ties_row, False),
               "entropy": (_entropy_row, True)}
    for name, (row_fn, higher) in row_fns.items():
        fn = get_strategy(name).fn
        ours = best_of(lambda fn=fn: fn(pool, args.top, np.random.default_rng(1)), args.repeat)
        sub = proba[:n_row]
        theirs = best_of(lambda sub=sub, row_fn=row_fn, higher=higher: rowwise_select(sub, row_fn, args.top, higher),
                         1) * scale
        note = "" if scale == 1 else f" (x{scale:.0f} of {n_row:,})"
        print(f"{name:<20}{ours:>13.3f}s{theirs:>20.2f}s{note:<10}{theirs / ours:>9.0f}x")

    x = rng.normal(size=(args.emb_n, args.emb_dim)).astype(np.float32)
    labeled = rng.normal(size=(50, args.emb_dim)).astype(np.float32)
    emb_pool = PoolView(confidence=np.zeros(args.emb_n), embeddings=x, labeled_embeddings=labeled)
    coreset = get_strategy("coreset").fn
    ours = best_of(lambda: coreset(emb_pool, args.coreset_k, np.random.default_rng(1)), args.repeat)
    loop_n = min(args.emb_n, 1_000) if not args.full_rowwise else args.emb_n
    loop_k = min(args.coreset_k, 5) if not args.full_rowwise else args.coreset_k
    t = best_of(lambda: coreset_loop(x[:loop_n], labeled, loop_k), 1)
    # cost grows with n x (k + labeled): scale the measured slice to the full problem
    theirs = t * (args.emb_n / loop_n) * ((args.coreset_k + len(labeled)) / (loop_k + len(labeled)))
    print(f"\ncore-set (k-center greedy), {args.emb_n:,} x {args.emb_dim} embeddings, {len(labeled)} labeled, "
          f"selecting {args.coreset_k}")
    print(f"{'coreset':<20}{ours:>13.3f}s{theirs:>20.1f}s (est. from {loop_n:,} x {loop_k}){theirs / ours:>8.0f}x")


if __name__ == "__main__":
    main()
