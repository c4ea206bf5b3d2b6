"""The facade that the CLI, the UI and users' scripts call: one object per project folder.

It wires config -> store -> model -> strategy; the work itself lives in importing, loop
(scoring and routing a round), training and exporting, each a module of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activelabel.config import ProjectConfig, load_config, save_config
from activelabel.errors import ActiveLabelError, InvalidLabelError
from activelabel.store import QueueEntry, Store, SubmitResult
from activelabel.types import AnnotationStatus, Payload, TaskKind, payload_from_json


@dataclass(frozen=True)
class QueuedItem:
    """One item for a human, with the model's proposal and why it was picked."""

    entry: QueueEntry
    proposal: dict[str, Any] | None  # stored prediction row (value, confidence, parts), if scored
    strategy: str

    def to_json(self) -> dict[str, Any]:
        e = self.entry
        p = self.proposal or {}
        return {
            "id": e.item.id, "media": e.item.media, "content": e.item.content,
            "proposed": p.get("value"), "confidence": p.get("confidence"), "parts": p.get("parts", []),
            "model_version": p.get("model_version"), "score": e.score, "reason": e.reason,
            "strategy": self.strategy, "rank": e.pool_rank, "queue_position": e.rank, "round": e.round_id,
        }


class Project:
    """An opened project folder: its config, its store and its model versions."""

    def __init__(self, directory: Path, config: ProjectConfig, store: Store) -> None:
        self.dir = directory
        self.config = config
        self.store = store

    # ---- life cycle --------------------------------------------------------------------------

    @classmethod
    def init(cls, directory: Path, config: ProjectConfig) -> Project:
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / "activelabel.toml").exists():
            raise ActiveLabelError(f"{directory} already holds a project; remove activelabel.toml to start over")
        save_config(directory, config)
        for sub in ("models", "media", "logs"):
            (directory / sub).mkdir(exist_ok=True)
        return cls.open(directory)

    @classmethod
    def open(cls, directory: Path, db_url: str | None = None) -> Project:
        directory = directory.resolve()
        config = load_config(directory)
        store = Store.open(db_url or config.db_url(directory))
        return cls(directory, config, store)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_config(self, config: ProjectConfig) -> None:
        save_config(self.dir, config)
        self.config = config

    @property
    def task(self) -> TaskKind:
        return self.config.task

    @property
    def models_dir(self) -> Path:
        return self.dir / "models"

    # ---- work, delegated ---------------------------------------------------------------------

    def import_file(self, path: Path, **options: Any) -> Any:
        from activelabel.importing import import_path

        return import_path(self, path, **options)

    def prelabel(self, progress: Any = None, engine: Any = None) -> dict[str, Any]:
        """Score the pool with the current model (or cold-start it) and install a new round.

        ``engine``: an ``activelabel.engines`` engine (local in this process by default, or Ray)."""
        from activelabel.loop import run_round
        from activelabel.quality.overlap import assign_overlap

        assign_overlap(self)
        return run_round(self, progress=progress, engine=engine)

    def train(self, *, wait: bool = True, progress: Any = None) -> str:
        from activelabel.training import start_background_training, train_and_promote

        if wait:
            return train_and_promote(self, progress=progress)
        return start_background_training(self)

    # ---- the queue and answers ---------------------------------------------------------------

    def _with_proposals(self, entries: list[QueueEntry]) -> list[QueuedItem]:
        rnd = self.store.current_round()
        version = rnd["model_version"] if rnd else None
        props = self.store.predictions_for(version, [e.item.id for e in entries]) if version else {}
        if version and len(props) < len(entries):  # gold and carried-over overlap items: predict them now
            from activelabel.quality.gold import ensure_predictions

            props.update(ensure_predictions(self, version, [e.item.id for e in entries if e.item.id not in props]))
        strategy = rnd["strategy"] if rnd else ""
        return [QueuedItem(e, props.get(e.item.id), strategy) for e in entries]

    def queue(self, n: int = 10, annotator: str = "") -> list[QueuedItem]:
        """Peek at the next n items, most informative first, without leasing them."""
        return self._with_proposals(self.store.peek_queue(n, annotator))

    def claim(self, annotator: str, n: int = 1) -> list[QueuedItem]:
        """Lease the next n items to one annotator (the UI's way in)."""
        q = self.config.quality
        return self._with_proposals(self.store.claim(annotator, n, self.config.loop.lease_seconds,
                                                     gold_rate=q.gold_rate, seed=self.config.loop.seed))

    def validate_value(self, item_id: str, value: Payload) -> Payload:
        labels = self.config.labels
        if hasattr(value, "validate"):
            if self.task is TaskKind.NER:
                return value.validate(labels, self.store.get_item(item_id).content)  # type: ignore[call-arg]
            if self.task is TaskKind.DETECTION:
                meta = self.store.get_item(item_id).meta
                return value.validate(labels, meta.get("width"), meta.get("height"))  # type: ignore[call-arg]
            return value.validate(labels)
        raise InvalidLabelError(f"not a label value: {value!r}")

    def submit(
        self,
        item_id: str,
        value: Payload | None,
        *,
        annotator: str,
        status: AnnotationStatus | None = None,
        submission_id: str | None = None,
        duration_s: float | None = None,
        trigger_retrain: bool = True,
        require_lease: bool = False,
    ) -> SubmitResult:
        """Save one answer at once. ``status`` defaults to accepted/corrected by comparing with the proposal."""
        if not annotator or annotator.startswith("model:"):
            raise ActiveLabelError("an answer needs a signed-in annotator name")
        rnd = self.store.current_round()
        version = rnd["model_version"] if rnd else None
        proposal = self.store.predictions_for(version, [item_id]).get(item_id) if version else None
        if value is not None:
            value = self.validate_value(item_id, value)
        if status is None:
            if value is None:
                raise InvalidLabelError("give a value, or a status of rejected or skipped")
            same = proposal is not None and _same_value(self.task, proposal["value"], value)
            status = AnnotationStatus.ACCEPTED if same else AnnotationStatus.CORRECTED
        if status.carries_label and value is None:
            raise InvalidLabelError(f"status {status.value} needs a value")
        entry_reason = None
        result = self.store.submit(
            item_id=item_id, annotator=annotator, status=status,
            value=value.to_json() if value is not None else None,
            submission_id=submission_id or uuid.uuid4().hex, model_version=version,
            confidence=proposal["confidence"] if proposal else None,
            round_id=rnd["id"] if rnd else None, reason=entry_reason, duration_s=duration_s,
            require_lease=require_lease,
        )
        if result.created and trigger_retrain:
            from activelabel.training import maybe_trigger_retrain

            maybe_trigger_retrain(self)
        return result

    def undo_last(self, annotator: str) -> str | None:
        """Revoke the annotator's last answer; returns its item id so the UI can show it again."""
        last = self.store.last_annotation(annotator)
        if last is None:
            return None
        self.store.revoke(last.annotation_id, by=annotator)
        return last.item_id

    def labels_in_force(self, include_auto: bool = False) -> list[tuple[str, Payload, Any]]:
        rows = self.store.current_labels(include_auto=include_auto)
        return [(r.item_id, payload_from_json(self.task, r.value or {}), r) for r in rows]

    def status(self) -> dict[str, Any]:
        from activelabel.training import training_running

        counts = self.store.counts()
        versions = self.store.list_versions()
        return {
            "project": self.config.name, "task": self.task.value, "labels": self.config.labels,
            "counts": counts, "current_version": self.store.current_version(),
            "training": training_running(self),
            "versions": [{k: v.get(k) for k in ("id", "status", "n_train", "n_validation", "metrics",
                                                "trained_on_annotation_id", "created_at", "finished_at", "message")}
                         for v in versions],
            "rounds": [{k: r.get(k) for k in ("id", "model_version", "strategy", "n_scored", "n_auto", "n_audit",
                                              "n_queued", "budget", "created_at")} for r in self.store.list_rounds()],
        }


def _same_value(task: TaskKind, stored: dict[str, Any], value: Payload) -> bool:
    def strip(d: dict[str, Any]) -> Any:
        if "label" in d:
            return d["label"]
        if "text" in d:
            return " ".join(str(d["text"]).split())
        key = "spans" if "spans" in d else "boxes"
        return sorted(tuple(sorted((k, v) for k, v in part.items() if k != "confidence")) for part in d.get(key, []))

    return bool(strip(stored) == strip(value.to_json()))


def open_project(directory: str | Path, db_url: str | None = None) -> Project:
    return Project.open(Path(directory), db_url)


def values_for(task: TaskKind, rows: Sequence[dict[str, Any]]) -> list[Payload]:
    return [payload_from_json(task, r) for r in rows]
