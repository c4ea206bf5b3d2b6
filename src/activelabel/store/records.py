"""Typed rows the store hands out for rounds and model versions, so callers never index dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Round:
    """One installed ranking of the pool (``model_version`` None: a cold start)."""

    id: int
    model_version: str | None
    strategy: str
    created_at: float
    n_scored: int = 0
    n_auto: int = 0
    n_audit: int = 0
    n_queued: int = 0
    budget: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Any) -> Round:
        m = row._mapping
        return cls(int(m["id"]), m["model_version"], str(m["strategy"]), float(m["created_at"]), int(m["n_scored"]),
                   int(m["n_auto"]), int(m["n_audit"]), int(m["n_queued"]), int(m["budget"]), dict(m["stats"] or {}))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Version:
    """One model version: ``training`` -> ``ready`` -> ``promoted`` -> ``retired`` (or ``failed``)."""

    id: str
    status: str
    created_at: float
    finished_at: float | None = None
    path: str = ""
    base_version: str | None = None
    trained_on_annotation_id: int = 0
    n_train: int = 0
    n_validation: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    progress: float = 0.0
    message: str = ""

    @classmethod
    def from_row(cls, row: Any) -> Version:
        m = row._mapping
        return cls(str(m["id"]), str(m["status"]), float(m["created_at"]), m["finished_at"], str(m["path"] or ""),
                   m["base_version"], int(m["trained_on_annotation_id"] or 0), int(m["n_train"] or 0),
                   int(m["n_validation"] or 0), dict(m["metrics"] or {}), float(m["progress"] or 0.0),
                   str(m["message"] or ""))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
