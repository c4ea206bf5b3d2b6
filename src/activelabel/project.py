"""The facade that the CLI, the UI and users' scripts call: one object per project folder.

``Project`` is the composition root: a ``Workspace`` (folder, config, store) plus the methods
that compose the services (importing, quality.overlap + loop for a round, training, ...). The
services take a ``Workspace`` and never import this module, so only ``cli/``, ``ui/`` and the
few drivers named in ``tests/unit/test_import_graph.py`` do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activelabel.advice import stopping_advice
from activelabel.errors import ActiveLabelError, InvalidLabelError
from activelabel.importing import import_path
from activelabel.loop import run_round
from activelabel.promotion import latest_decision
from activelabel.quality.gold import ensure_predictions
from activelabel.quality.overlap import assign_overlap
from activelabel.store import QueueEntry, SubmitResult
from activelabel.training import (
    maybe_trigger_retrain,
    start_background_training,
    train_and_promote,
    training_running,
)
from activelabel.types import AnnotationStatus, Payload
from activelabel.workspace import Workspace


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


class Project(Workspace):
    """An opened project folder with the operations people run on it (see ``Workspace`` for the rest)."""

    # ---- work, delegated ---------------------------------------------------------------------

    def import_file(self, path: Path, **options: Any) -> Any:
        return import_path(self, path, **options)

    def prelabel(self, progress: Any = None, engine: Any = None) -> dict[str, Any]:
        """Score the pool with the current model (or cold-start it) and install a new round.

        ``engine``: an ``activelabel.engines`` engine (local in this process by default, or Ray)."""
        assign_overlap(self)
        return run_round(self, progress=progress, engine=engine)

    def train(self, *, wait: bool = True, progress: Any = None, force: bool = False) -> str:
        """``force``: promote the new version even if it scores worse than the current one."""
        if wait:
            return train_and_promote(self, progress=progress, force=force)
        return start_background_training(self, force=force)

    # ---- the queue and answers ---------------------------------------------------------------

    def _with_proposals(self, entries: list[QueueEntry]) -> list[QueuedItem]:
        rnd = self.store.current_round()
        version = rnd.model_version if rnd else None
        props = self.store.predictions_for(version, [e.item.id for e in entries]) if version else {}
        if version and len(props) < len(entries):  # gold and carried-over overlap items: predict them now
            props.update(ensure_predictions(self, version, [e.item.id for e in entries if e.item.id not in props]))
        strategy = rnd.strategy if rnd else ""
        return [QueuedItem(e, props.get(e.item.id), strategy) for e in entries]

    def queue(self, n: int = 10, annotator: str = "") -> list[QueuedItem]:
        """Peek at the next n items, most informative first, without leasing them."""
        return self._with_proposals(self.store.peek_queue(n, annotator))

    def claim(self, annotator: str, n: int = 1) -> list[QueuedItem]:
        """Lease the next n items to one annotator (the UI's way in)."""
        q = self.config.quality
        return self._with_proposals(self.store.claim(annotator, n, self.config.loop.lease_seconds,
                                                     gold_rate=q.gold_rate, seed=self.config.loop.seed))

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
        version = rnd.model_version if rnd else None
        proposal = self.store.predictions_for(version, [item_id]).get(item_id) if version else None
        if value is not None:
            value = self.validate_value(item_id, value)
        if status is None:
            if value is None:
                raise InvalidLabelError("give a value, or a status of rejected or skipped")
            same = proposal is not None and self.spec.same(proposal["value"], value.to_json())
            status = AnnotationStatus.ACCEPTED if same else AnnotationStatus.CORRECTED
        if status.carries_label and value is None:
            raise InvalidLabelError(f"status {status.value} needs a value")
        entry_reason = None
        result = self.store.submit(
            item_id=item_id, annotator=annotator, status=status,
            value=value.to_json() if value is not None else None,
            submission_id=submission_id or uuid.uuid4().hex, model_version=version,
            confidence=proposal["confidence"] if proposal else None,
            round_id=rnd.id if rnd else None, reason=entry_reason, duration_s=duration_s,
            require_lease=require_lease,
        )
        if result.created and trigger_retrain:
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
        return [(r.item_id, self.spec.payload(r.value or {}), r) for r in rows]

    def status(self) -> dict[str, Any]:
        counts = self.store.counts()
        versions = self.store.list_versions()
        advice = stopping_advice(self)
        return {
            "project": self.config.name, "task": self.task, "labels": self.config.labels,
            "counts": counts, "current_version": self.store.current_version(),
            "training": training_running(self),
            "promotion": latest_decision(versions),  # the gate's newest decision, and why
            "stopping": None if advice is None else advice.to_json(),  # is labeling more likely to pay?
            "versions": [{k: getattr(v, k) for k in ("id", "status", "n_train", "n_validation", "metrics",
                                                "trained_on_annotation_id", "created_at", "finished_at", "message")}
                         for v in versions],
            "rounds": [{k: getattr(r, k) for k in ("id", "model_version", "strategy", "n_scored", "n_auto", "n_audit",
                                              "n_queued", "budget", "created_at")} for r in self.store.list_rounds()],
        }
