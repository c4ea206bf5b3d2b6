"""Speed of the core loop on the 2-core machine (issue 2 targets, printed, never asserted in tests).

- `queue -n 20` latency with 100k items in SQLite: p95 target under 50 ms;
- prelabel + score + route of 100k short texts: target under 20 s, and at most 1.5 times a bare
  scikit-learn ``predict_proba`` over the same texts with the same fitted pipeline (same run);
- margin + top-1000 selection over 1M x 10 probabilities: target under 0.1 s.

    python benchmarks/core_speed.py [--items 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from activelabel.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parent))

from text_common import seeded_text_project  # noqa: E402

from activelabel.strategies import utility  # noqa: E402
from activelabel.strategies.select import top_k  # noqa: E402


def bare_predict_proba(project: Project) -> tuple[int, float, float]:
    """The floor for pre-labeling: the promoted version's fitted pipeline, one predict_proba over the pool texts."""
    from activelabel.loop import current_model

    model, _ = current_model(project)
    pipeline = getattr(model, "estimator_", None)
    if pipeline is None:
        raise TypeError(f"{type(model).__name__} is not the scikit-learn text adapter")
    contents = [it.content for page in project.store.iter_pool(10_000) for it in page]
    t0, c0 = time.perf_counter(), time.process_time()
    pipeline.predict_proba(contents)
    return len(contents), time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queue-calls", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        project = seeded_text_project(Path(tmp) / "p", args.items)
        from activelabel.training import train_and_promote

        t0 = time.perf_counter()
        train_and_promote(project)  # fit + promote + prelabel/score/route of the whole pool
        total = time.perf_counter() - t0
        version = project.store.current_version()
        if version is None:
            raise RuntimeError("training promoted no version")
        project.store.forget_predictions(version)  # score the whole pool again
        t0, c0 = time.perf_counter(), time.process_time()
        result = project.prelabel()
        rescore, rescore_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"prelabel + score + route of {result['pool']} texts: {rescore:.1f} s, {rescore_cpu:.1f} s CPU "
              f"(target < 20 s); train + promote + re-score: {total:.1f} s")
        n_bare, bare, bare_cpu = bare_predict_proba(project)
        # CPU seconds too: on a shared machine the wall-clock ratio moves with the other processes' load
        print(f"bare scikit-learn predict_proba over the same {n_bare} texts (same fitted pipeline): {bare:.1f} s, "
              f"{bare_cpu:.1f} s CPU; ratio {rescore / bare:.2f} wall, {rescore_cpu / bare_cpu:.2f} CPU "
              f"(target <= 1.5)")

        lat = []
        for _ in range(args.queue_calls):
            t0 = time.perf_counter()
            project.queue(20)
            lat.append(time.perf_counter() - t0)
        lat_ms = np.array(lat) * 1000
        print(f"queue -n 20 with {project.store.item_count()} items (SQLite): p50 {np.percentile(lat_ms, 50):.1f} ms, "
              f"p95 {np.percentile(lat_ms, 95):.1f} ms (target < 50 ms)")
        claim = []
        for _ in range(args.queue_calls):
            t0 = time.perf_counter()
            project.claim("alice", 2)
            claim.append(time.perf_counter() - t0)
        claim_ms = np.array(claim) * 1000
        print(f"claim 2 under lease: p50 {np.percentile(claim_ms, 50):.1f} ms, p95 {np.percentile(claim_ms, 95):.1f} ms")
        project.close()

    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(10), size=1_000_000)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        top_k(utility.margin(proba), 1000, rng)
        best = min(best, time.perf_counter() - t0)
    print(f"margin + top-1000 over 1M x 10: {best * 1000:.0f} ms (best of 5; target < 100 ms)")


if __name__ == "__main__":
    main()
