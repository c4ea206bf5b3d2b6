"""Model versions and their predictions: immutable versions, one promoted at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update

from activelabel.store import schema as s
from activelabel.store.sql import chunks, promote_version, serialize
from activelabel.store.transactions import Transactions


class VersionsMixin(Transactions):
    """Store methods for model versions and predictions (mixed into ``Store``, whose ``read()``,
    ``write()`` and ``engine`` they use)."""

    def save_predictions(self, version: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert; rows hold item_id, value, confidence, score, parts. Re-saving replaces.

        JSON is serialised here and sent through the driver directly: SQLAlchemy's per-row type
        processing cost more than the insert itself on 100k-item pools.
        """
        now = time.time()
        payload = [{"item_id": r["item_id"], "model_version": version, "value": json.dumps(r["value"]),
                    "confidence": float(r["confidence"]), "score": float(r["score"]),
                    "parts": json.dumps(list(r.get("parts", []))), "created_at": now} for r in rows]
        json_cast = "CAST({} AS JSON)" if self.engine.dialect.name == "postgresql" else "{}"
        stmt = text(
            "INSERT INTO predictions (item_id, model_version, value, confidence, score, parts, created_at) "
            f"VALUES (:item_id, :model_version, {json_cast.format(':value')}, :confidence, :score, "
            f"{json_cast.format(':parts')}, :created_at)"
        )
        with self.write() as conn:
            had_any = conn.scalar(select(s.predictions.c.id).where(s.predictions.c.model_version == version).limit(1))
            for chunk in chunks(payload, 5000):
                if had_any is not None:
                    ids = [r["item_id"] for r in chunk]
                    conn.execute(delete(s.predictions).where(s.predictions.c.model_version == version,
                                                             s.predictions.c.item_id.in_(ids)))
                conn.execute(stmt, list(chunk))

    def predictions_for(self, version: str, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self.read() as conn:
            for chunk in chunks(list(item_ids), 500):
                q = select(s.predictions).where(s.predictions.c.model_version == version,
                                                s.predictions.c.item_id.in_(chunk))
                for r in conn.execute(q):
                    out[r.item_id] = dict(r._mapping)
        return out

    def scored_ids(self, version: str) -> set[str]:
        with self.read() as conn:
            return set(conn.scalars(select(s.predictions.c.item_id).where(s.predictions.c.model_version == version)))

    def create_version(self, *, base_version: str | None, path_for: Any) -> str:
        """Reserve the next version id (v0001, ...) in status 'training'; path_for(id) gives its folder."""
        with self.write() as conn:
            serialize(conn, "model_versions")
            n = int(conn.scalar(select(func.count()).select_from(s.model_versions)) or 0) + 1
            vid = f"v{n:04d}"
            conn.execute(insert(s.model_versions).values(
                id=vid, created_at=time.time(), status="training", path=str(path_for(vid)),
                base_version=base_version, trained_on_annotation_id=0, n_train=0, n_validation=0,
                metrics={}, progress=0.0, message="queued",
            ))
        return vid

    def update_version(self, version: str, **fields: Any) -> None:
        with self.write() as conn:
            conn.execute(update(s.model_versions).where(s.model_versions.c.id == version).values(**fields))

    def promote(self, version: str) -> None:
        """Make ``version`` current, atomically: the pointer and the statuses change together."""
        with self.write() as conn:
            promote_version(conn, version)

    def current_version(self) -> str | None:
        with self.read() as conn:
            return conn.scalar(select(s.project_state.c.value).where(s.project_state.c.key == "current_version"))

    def get_version(self, version: str) -> dict[str, Any]:
        with self.read() as conn:
            row = conn.execute(select(s.model_versions).where(s.model_versions.c.id == version)).first()
        if row is None:
            raise KeyError(version)
        return dict(row._mapping)

    def list_versions(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.model_versions).order_by(s.model_versions.c.id))]
