"""Retraining between rounds: a snapshot of the answers -> an immutable version -> the promotion
gate (``promotion.py``: no worse than the current version on the same held-out items) -> atomic
promotion, or the version stays ``ready``.

Training reads the answers up to a snapshot id and never holds a write lock while it fits, so
labeling goes on. The version folder is written under a temporary name and renamed into place,
so no reader ever sees half a model. Background training is a separate process (it survives a
Streamlit rerun and never blocks the UI); a lock file with its PID stops two at once. A
foreground ``train --wait`` that finds a run going on joins it instead of failing, and trains
again after it only when answers arrived after that run's snapshot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from activelabel.errors import TrainingBusyError
from activelabel.evaluation_set import HeldOut, hold_out
from activelabel.labels import resolve_labels
from activelabel.models.registry import create_model, load_model, save_model
from activelabel.promotion import decide
from activelabel.types import Item, Payload

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

LOCK_NAME = ".train.lock"
JOIN_POLL_S = 0.5  # how often a joined run's progress is read back from its version row
ProgressFn = Callable[[float, str], None]
NoteFn = Callable[[str], None]


def _lock_path(project: Workspace) -> Path:
    return project.models_dir / LOCK_NAME


def training_running(project: Workspace) -> bool:
    lock = _lock_path(project)
    if not lock.exists():
        return False
    try:
        pid = int(lock.read_text().split()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError, FileNotFoundError):
        return False
    return True


def _take_lock(project: Workspace) -> bool:
    lock = _lock_path(project)
    lock.parent.mkdir(parents=True, exist_ok=True)
    if training_running(project):
        return False
    lock.unlink(missing_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    os.write(fd, f"{os.getpid()} {time.time()}".encode())
    os.close(fd)
    return True


def _already_running(project: Workspace) -> TrainingBusyError:
    running = running_version(project)
    name = f" ({running})" if running else ""
    return TrainingBusyError(f"a training run{name} is already going on for this project: `activelabel train "
                             f"{project.dir} --wait` waits for it, `activelabel status {project.dir}` shows its "
                             "progress")


def train_and_promote(project: Workspace, *, progress: ProgressFn | None = None, version: str | None = None,
                      force: bool = False) -> str:
    """Train a new version on the answers so far; promote it and re-score the pool if it passes the gate.

    A version that scores worse than the current one on the evaluation set stays ``ready``
    (``promotion.py`` says why); ``force`` promotes it anyway.
    """
    if version is None:
        if not _take_lock(project):
            raise _already_running(project)
    return _train_holding_lock(project, progress=progress, version=version, force=force)


def _train_holding_lock(project: Workspace, *, progress: ProgressFn | None, version: str | None,
                        force: bool = False) -> str:
    try:
        return _train(project, progress=progress, version=version, force=force)
    finally:
        _lock_path(project).unlink(missing_ok=True)


def running_version(project: Workspace) -> str | None:
    """The version the running training works on (the newest one still in status 'training')."""
    if not training_running(project):
        return None
    training = [v.id for v in project.store.list_versions() if v.status == "training"]
    return training[-1] if training else None


def pending_answers(project: Workspace, after_id: int | None = None) -> int:
    """Human answers after ``after_id`` (default: the newest trained version's snapshot)."""
    if after_id is None:
        versions = [v for v in project.store.list_versions() if v.status in ("ready", "promoted", "retired")]
        after_id = max((v.trained_on_annotation_id for v in versions), default=0)
    return project.store.human_answer_count(after_id=after_id)


def wait_for_training(project: Workspace, *, progress: ProgressFn | None = None,
                      poll_s: float = JOIN_POLL_S) -> str | None:
    """Block while a training runs (this process's or another's); returns the version it worked on.

    The run is followed through its lock (its PID) rather than its version row, so a worker that
    died without a word ends the wait too."""
    version = running_version(project)
    while training_running(project):
        if version is None:
            version = running_version(project)
        elif progress is not None:
            row = project.store.get_version(version)
            progress(float(row.progress or 0.0), str(row.message or ""))
        time.sleep(poll_s)
    return version


def train_or_join(project: Workspace, *, progress: ProgressFn | None = None, note: NoteFn | None = None,
                  poll_s: float = JOIN_POLL_S, force: bool = False) -> str:
    """Train in the foreground; if a run is already going on, wait for it instead of failing.

    After a joined run, a new one starts only when human answers arrived after its snapshot (or it
    failed, or its worker died); otherwise the joined version is the result. ``note`` hears what
    happens (joined, training again and why), for the command to print."""
    tell = note or (lambda _message: None)
    while not _take_lock(project):
        running = running_version(project)
        if running is not None:
            tell(f"a training run ({running}) is already going on: waiting for it")
        joined = wait_for_training(project, progress=progress, poll_s=poll_s)
        if joined is None:
            continue  # the run ended before its version could be read; try to take the lock again
        row = project.store.get_version(joined)
        if row.status == "failed":
            tell(f"{joined} failed ({row.message}); training a new version")
        elif row.status == "training":
            tell(f"{joined} stopped without finishing (its worker is gone); training a new version")
        else:
            newer = pending_answers(project, after_id=int(row.trained_on_annotation_id or 0))
            if newer == 0:
                return joined
            tell(f"{newer} answer(s) arrived after {joined}'s snapshot: training a new version on them")
    return _train_holding_lock(project, progress=progress, version=None, force=force)


def _train(project: Workspace, *, progress: ProgressFn | None, version: str | None, force: bool) -> str:
    store, cfg = project.store, project.config
    snapshot = store.max_annotation_id()
    gold = store.gold_items()
    gold_ids = {g.id for g, _ in gold}
    # the one label policy (adjudicated > majority > latest); answers on gold items measure the
    # annotators, and training on them would leak the validation set
    in_force = resolve_labels(project, include_auto=False, upto_annotation_id=snapshot)
    rows = sorted((f for f in in_force.values() if f.item_id not in gold_ids), key=lambda f: f.annotation_id or 0)
    items_by_id = store.get_items([r.item_id for r in rows])
    items: list[Item] = [items_by_id[r.item_id] for r in rows]
    values: list[Payload] = [cfg.spec.payload(r.value or {}) for r in rows]
    base = store.current_version()
    if version is None:
        version = store.create_version(base_version=base, path_for=lambda v: project.models_dir / v)
    else:
        store.update_version(version, base_version=base)

    def report(fraction: float, message: str) -> None:
        store.update_version(version, progress=float(fraction), message=message)
        if progress:
            progress(fraction, message)

    try:
        report(0.02, f"snapshot: {len(items)} answers up to annotation {snapshot}")
        rng = np.random.default_rng([cfg.loop.seed, snapshot])
        held = hold_out(project, items, values, gold)
        model = _fresh_or_warm(project, base)
        extra = _unlabeled_sample(project, model, rng)
        model.fit([items[i] for i in held.train], [values[i] for i in held.train],
                  progress=lambda f, m: report(0.05 + 0.6 * f, m), **extra)
        metrics: dict[str, Any] = {}
        if held.items:
            report(0.7, f"evaluating on {len(held.items)} held-out {'gold items' if gold else 'answers'}")
            metrics = model.evaluate(held.items, held.values)
            metrics["evaluated_on"] = held.source
        final = project.models_dir / version
        tmp = project.models_dir / f".tmp-{version}"
        shutil.rmtree(tmp, ignore_errors=True)
        save_model(model, tmp)
        os.replace(tmp, final)
        store.update_version(version, status="ready", finished_at=time.time(), metrics=metrics,
                             n_train=len(held.train), n_validation=len(held.items),
                             trained_on_annotation_id=snapshot, path=str(final))
        return _promote_if_no_worse(project, version, model, metrics, held, force=force, report=report)
    except Exception as exc:
        store.update_version(version, status="failed", finished_at=time.time(), message=f"{type(exc).__name__}: {exc}")
        raise


def _promote_if_no_worse(project: Workspace, version: str, model: Any, metrics: dict[str, Any], held: HeldOut, *,
                         force: bool, report: ProgressFn) -> str:
    """The gate: compare with the current version on the same held-out items; promote, or leave it ready."""
    if held.items and not force and project.store.current_version() is not None:
        report(0.8, "scoring the current version on the same held-out items")
    decision = decide(project, version, metrics, held, model=model, force=force)
    project.store.update_version(version, metrics={**metrics, "gate": decision.to_json()})
    if not decision.promote:
        report(1.0, decision.message)
        return version
    report(0.9, "re-scoring the pool; the version is promoted with its ranking")
    from activelabel.loop import run_round

    run_round(project, model=model, version=version, promote=True)
    report(1.0, "done")
    return version


REHEARSAL_SAMPLE = 200


def _unlabeled_sample(project: Workspace, model: Any, rng: np.random.Generator) -> dict[str, Any]:
    """Pool items for adapters that rehearse on unlabeled data (spaCy NER), so they do not forget."""
    if not model.rehearses:
        return {}
    pool = next(project.store.iter_pool(page_size=REHEARSAL_SAMPLE * 5), [])
    if len(pool) > REHEARSAL_SAMPLE:
        pool = [pool[i] for i in sorted(rng.choice(len(pool), size=REHEARSAL_SAMPLE, replace=False))]
    return {"unlabeled": pool}


def _fresh_or_warm(project: Workspace, base: str | None) -> Any:
    """Warm-start adapters (spaCy, YOLO) continue from the current version; others start fresh."""
    fresh = create_model(project.config, project.dir)
    if base is not None and fresh.capabilities.warm_start:
        return load_model(Path(project.store.get_version(base).path), project.models_dir)
    return fresh


def start_background_training(project: Workspace, *, force: bool = False) -> str:
    """Reserve a version and train it in a detached worker process; returns the version id.

    ``force``: promote it even if the gate finds it worse than the current version."""
    if training_running(project):
        raise _already_running(project)
    version = project.store.create_version(base_version=project.store.current_version(),
                                           path_for=lambda v: project.models_dir / v)
    log = (project.dir / "logs")
    log.mkdir(exist_ok=True)
    with open(log / f"train-{version}.log", "ab") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "activelabel.worker", "train", str(project.dir), "--version", version]
            + (["--force"] if force else []),
            stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "ACTIVELABEL_DB": project.store.engine.url.render_as_string(hide_password=False)},
        )
    _lock_path(project).write_text(f"{proc.pid} {time.time()}")
    return version


def maybe_trigger_retrain(project: Workspace) -> str | None:
    """Start background training when ``retrain_every`` new answers arrived since the last version."""
    every = project.config.loop.retrain_every
    if every <= 0 or training_running(project):
        return None
    if pending_answers(project) < every:
        return None
    labels = project.store.current_labels()
    if project.config.spec.single_label:
        if len({(r.value or {}).get("label") for r in labels}) < 2:
            return None  # nothing to learn from yet: one class only
    return start_background_training(project)
