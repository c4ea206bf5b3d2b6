"""The whole comparison: check everything, compute the full-pool reference, replay every
(strategy, seed) through the real loop, and write the curves and the summary."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from activelabel.simulation.report import plot_curves, summarize, write_curves, write_summary
from activelabel.simulation.runner import RoundResult, Settings, check_settings, full_pool_metric, run_one
from activelabel.simulation.tasks import SimDataset

ProgressFn = Callable[[RoundResult | None, str], None]  # (finished round or None, message)


def simulate(dataset: SimDataset, settings: Settings, out: Path, *, progress: ProgressFn | None = None,
             workdir: Path | None = None, keep_projects: bool = False, jobs: int = 1, engine: str = "local",
             address: str | None = None) -> dict[str, Any]:
    """Run the comparison; returns the summary (also written to ``out/summary.json``).

    ``jobs`` > 1 runs that many (strategy, seed) projects at once in worker processes; each is a
    project folder of its own, so they share nothing but the read-only data files.
    """
    infos = check_settings(settings, dataset)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="activelabel-sim-") as tmp:
        root = Path(workdir) if workdir is not None else Path(tmp)
        files = root / "data"
        if progress:
            progress(None, "training the full-pool reference model")
        full = full_pool_metric(dataset, files, root, settings)
        results: list[RoundResult] = []
        runs = [(info.name, seed) for info in infos for seed in range(settings.seeds)]
        if engine == "ray":  # each (strategy, seed) a Ray task, on this machine or a cluster
            results = _on_ray(dataset, files, root, settings, runs, out, progress, keep_projects, address)
        elif jobs > 1:
            results = _parallel(dataset, files, root, settings, runs, jobs, out, progress, keep_projects)
        else:
            for name, seed in runs:
                if progress:
                    progress(None, f"{name}, seed {seed}")
                results += run_one(dataset, files, root, settings, name, seed,
                                   on_round=(lambda r: progress(r, "")) if progress else None, keep=keep_projects)
                write_curves(results, out)  # partial results survive an interrupted run
    summary = summarize(results, task=dataset.task, metric_name=dataset.metric_name, full_metric=full,
                        extra={"dataset": dataset.name, "n_pool": dataset.n_pool, "n_eval": dataset.n_eval,
                               "seeds": settings.seeds, "init": settings.init, "batch": settings.batch,
                               "budget": settings.budget, "pool_subsample": settings.pool_subsample,
                               "cold_start": settings.cold_start, "notes": dataset.notes,
                               "seconds": round(time.time() - started, 1)})
    write_summary(summary, out)
    plot_curves(results, summary, out)
    return summary


def _parallel(dataset: SimDataset, files: Path, root: Path, settings: Settings, runs: list[tuple[str, int]],
              jobs: int, out: Path, progress: ProgressFn | None, keep: bool) -> list[RoundResult]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: list[RoundResult] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_one, dataset, files, root, settings, name, seed, None, keep): (name, seed)
                   for name, seed in runs}
        if progress:
            progress(None, f"{len(runs)} runs, {jobs} at a time")
        for fut in as_completed(futures):
            try:
                done = fut.result()
            except Exception:
                for other in futures:  # one broken run stops the comparison; do not wait for the rest
                    other.cancel()
                raise
            results += done
            write_curves(sorted(results, key=lambda r: (r.strategy, r.seed, r.round)), out)
            if progress:
                for r in done:
                    progress(r, "")
    order = {name: i for i, (name, _) in enumerate(runs)}
    return sorted(results, key=lambda r: (order[r.strategy], r.seed, r.round))


def _on_ray(dataset: SimDataset, files: Path, root: Path, settings: Settings, runs: list[tuple[str, int]],
            out: Path, progress: ProgressFn | None, keep: bool, address: str | None) -> list[RoundResult]:
    from activelabel.engines.ray_simulate import run_on_ray

    results: list[RoundResult] = []
    order = {name: i for i, (name, _) in enumerate(runs)}

    def on_done(done: list[RoundResult]) -> None:
        results.extend(done)
        write_curves(sorted(results, key=lambda r: (order[r.strategy], r.seed, r.round)), out)
        if progress:
            for r in done:
                progress(r, "")

    if progress:
        progress(None, f"{len(runs)} runs as Ray tasks")
    run_on_ray(dataset, files, root, settings, runs, keep, on_done, address=address)
    return sorted(results, key=lambda r: (order[r.strategy], r.seed, r.round))
