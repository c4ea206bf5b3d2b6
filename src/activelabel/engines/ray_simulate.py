"""``activelabel simulate --engine ray``: every (strategy, seed) run as one Ray task.

Runs share nothing but the read-only data files, so they spread over a cluster as they come; the
driver writes the curves as each run finishes, like the process-pool path. On a cluster, the data
folder and the work folder must be on storage every node mounts at the same path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from activelabel.engines.ray_engine import import_ray


def run_on_ray(dataset: Any, files: Path, root: Path, settings: Any, runs: list[tuple[str, int]], keep: bool,
               on_done: Callable[[list[Any]], None], *, address: str | None = None,
               cpus_per_run: float = 1.0) -> list[Any]:
    """Run ``run_one`` for each (strategy, seed) as a Ray task; ``on_done`` gets each run's rounds."""
    from activelabel.simulation.runner import run_one

    ray = import_ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="warning")
    task = ray.remote(num_cpus=cpus_per_run, max_retries=0)(run_one)
    data_ref = ray.put(dataset)
    pending = [task.remote(data_ref, files, root, settings, name, seed, None, keep) for name, seed in runs]
    results: list[Any] = []
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        rounds = ray.get(done[0])
        results += rounds
        on_done(rounds)
    return results
