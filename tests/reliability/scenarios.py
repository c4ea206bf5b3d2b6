"""Reliability scenarios as functions that return their figures; the tests assert, the benchmark prints.

Annotators and writers are real OS processes (``python -m tests.reliability.workers``), each with
its own database connections, so the database sees what it sees in production: independent
clients racing for the same rows. A worker prints one JSON line per acknowledged answer, after
the commit returned, which is exactly the promise a client gets.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.store import Store
from activelabel.store.integrity import check_store
from activelabel.store.records import QueueRow
from activelabel.store.repository import NewItem
from activelabel.types import Item

REPO_ROOT = Path(__file__).resolve().parents[2]
LABELS = ["ham", "spam"]


@dataclass
class SubmissionFigures:
    """What a scenario made, what the database holds, and the integrity verdict."""

    backend: str
    made: int = 0  # acknowledged by the store
    stored: int = 0  # of those, found in the database
    lost: int = 0
    duplicated: int = 0  # answers beyond one per (submission id) or per (item, scenario)
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    integrity_problems: list[str] = field(default_factory=list)

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(self.latencies_ms, 95)) if self.latencies_ms else float("nan")


def item_rows(n: int, prefix: str = "item") -> list[NewItem]:
    return [NewItem(Item(f"{prefix}{i:06d}", "text", f"{prefix} text number {i}")) for i in range(n)]


def make_project(folder: Path, db_url: str | None, n_items: int) -> Path:
    """A classification project with ``n_items`` items, all in one cold-start queue."""
    cfg = parse_config({"name": "reliability", "task": "classification", "labels": LABELS, "db": db_url or "",
                        "loop": {"human_budget_per_round": n_items, "retrain_every": 0, "lease_seconds": 600}})
    with Project.init(folder, cfg) as project:
        queue_all(project.store, n_items)
    return folder


def queue_all(store: Store, n_items: int) -> None:
    store.add_items(item_rows(n_items))
    store.create_round(version=None, strategy="cold_start:random",
                       entries=[QueueRow(item_id=f"item{i:06d}", rank=i, reason="cold_start", score=0.0, pool_rank=i)
                                for i in range(n_items)], auto=[], budget=n_items, stats={})


def worker_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.reliability.workers", *args]


def worker_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}


def run_annotators(project_dir: Path, n_annotators: int, n_each: int, *, backend: str,
                   timeout: float = 600) -> SubmissionFigures:
    """``n_annotators`` processes claim and answer ``n_each`` items each, all at once."""
    procs = [subprocess.Popen(worker_cmd("annotate", str(project_dir), f"annotator{k}", str(n_each)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
                              env=worker_env()) for k in range(n_annotators)]
    acks: list[dict[str, Any]] = []
    fig = SubmissionFigures(backend)
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        acks.extend(json.loads(line) for line in out.splitlines() if line.startswith("{"))
        if p.returncode != 0:
            fig.errors.append(f"worker exit {p.returncode}: {err.strip()[-500:]}")
    fig.errors.extend(a["error"] for a in acks if "error" in a)
    answers = [a for a in acks if "submission_id" in a]
    fig.made = len(answers)
    fig.latencies_ms = [a["ms"] for a in answers]
    with Project.open(project_dir) as project:
        fig = _tally(project.store, fig, [a["submission_id"] for a in answers])
    return fig


def _tally(store: Store, fig: SubmissionFigures, acknowledged: list[str]) -> SubmissionFigures:
    rows = [r for r in store.all_annotations() if r["status"] != "auto"]
    by_sub = Counter(r["submission_id"] for r in rows)
    by_item = Counter(r["item_id"] for r in rows if r["revoked_at"] is None)
    fig.stored = sum(1 for sid in set(acknowledged) if by_sub[sid] >= 1)
    fig.lost = len(set(acknowledged)) - fig.stored
    fig.duplicated = sum(c - 1 for c in by_sub.values() if c > 1) + sum(c - 1 for c in by_item.values() if c > 1)
    fig.integrity_problems = check_store(store).problems
    return fig


def kill_trials(db_dir: Path, trials: int, writes: int, seed: int = 0, span: int | None = None) -> SubmissionFigures:
    """Start a writer of ``writes`` answers, ``kill -9`` it at a random point, check what it acknowledged.

    The kill lands after a random number of acknowledged answers in [0, span) (span defaults to
    ``writes``), plus a random few milliseconds, so it hits between commits and inside them.
    """
    rng = random.Random(seed)
    fig = SubmissionFigures("sqlite")
    url = f"sqlite:///{db_dir / 'kill.db'}"
    store = Store.open(url)
    store.add_items(item_rows(writes))
    store.close()
    acknowledged: list[str] = []
    for trial in range(trials):
        stop_after = rng.randrange(0, span or writes)
        proc = subprocess.Popen(worker_cmd("write", url, f"trial{trial}", str(writes)), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=REPO_ROOT, env=worker_env())
        assert proc.stdout is not None
        seen = 0
        for line in proc.stdout:
            if line.startswith("{"):
                acknowledged.append(json.loads(line)["submission_id"])
                seen += 1
            if seen >= stop_after:
                time.sleep(rng.random() * 0.005)  # land anywhere: between commits or inside one
                break
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        acknowledged.extend(json.loads(x)["submission_id"] for x in rest.splitlines() if x.startswith("{"))
    fig.made = len(acknowledged)
    store = Store.open(url)
    try:
        rows = store.all_annotations()
        stored_ids = Counter(r["submission_id"] for r in rows)
        fig.stored = sum(1 for sid in acknowledged if stored_ids[sid])
        fig.lost = fig.made - fig.stored
        fig.duplicated = sum(c - 1 for c in stored_ids.values() if c > 1)
        fig.integrity_problems = check_store(store).problems
    finally:
        store.close()
    return fig
