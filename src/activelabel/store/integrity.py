"""Checks that the database (and the model store beside it) holds together.

Run after a crash, a restore or a migration, and by the reliability tests after every scenario.
Each check is one query that counts offending rows; a problem names the table and the rows, so
that a person can look. Nothing here writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text

from activelabel.store import schema as s
from activelabel.store.repository import Store

SHOW = 5  # offending ids shown per problem


@dataclass
class IntegrityReport:
    """What was checked (check -> offending rows) and the problems found, one line each."""

    checks: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, name: str, offenders: list[Any], what: str) -> None:
        self.checks[name] = len(offenders)
        if offenders:
            shown = ", ".join(str(o) for o in offenders[:SHOW]) + (" ..." if len(offenders) > SHOW else "")
            self.problems.append(f"{name}: {len(offenders)} {what} ({shown})")

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": self.checks, "problems": self.problems, "counts": self.counts}


def _ids(conn: Connection, stmt: Any) -> list[Any]:
    return list(conn.scalars(stmt.limit(1000)))


def check_store(store: Store, *, now: float | None = None) -> IntegrityReport:
    """Run every database check; ``now`` decides which leases are live."""
    now = time.time() if now is None else now
    rep = IntegrityReport()
    a, it, p, mv, q, r, le = (s.answers_table, s.items, s.predictions, s.model_versions, s.queue_entries,
                              s.rounds, s.leases)
    with store.read() as conn:
        for name, table in (("items", it), ("annotations", a), ("predictions", p), ("model_versions", mv),
                            ("rounds", r), ("queue_entries", q), ("leases", le), ("users", s.users)):
            rep.counts[name] = int(conn.scalar(select(func.count()).select_from(table)) or 0)
        rep.add("annotation_item_exists",
                _ids(conn, select(a.c.id).where(~select(it.c.id).where(it.c.id == a.c.item_id).exists())),
                "annotations name a missing item")
        rep.add("one_live_lease_per_item",
                _ids(conn, select(le.c.item_id).where(le.c.expires_at > now).group_by(le.c.item_id)
                     .having(func.count() > 1)), "items with two live leases")
        rep.add("lease_item_exists",
                _ids(conn, select(le.c.item_id).where(~select(it.c.id).where(it.c.id == le.c.item_id).exists())),
                "leases name a missing item")
        rep.add("submission_ids_unique",
                _ids(conn, select(a.c.submission_id).group_by(a.c.submission_id).having(func.count() > 1)),
                "submission ids stored twice")
        rep.add("prediction_version_exists",
                _ids(conn, select(p.c.id).where(~select(mv.c.id).where(mv.c.id == p.c.model_version).exists())),
                "predictions name a missing model version")
        rep.add("prediction_item_exists",
                _ids(conn, select(p.c.id).where(~select(it.c.id).where(it.c.id == p.c.item_id).exists())),
                "predictions name a missing item")
        rep.add("queue_round_exists",
                _ids(conn, select(q.c.item_id).where(~select(r.c.id).where(r.c.id == q.c.round_id).exists())),
                "queue rows belong to a missing round")
        rep.add("queue_item_exists",
                _ids(conn, select(q.c.item_id).where(~select(it.c.id).where(it.c.id == q.c.item_id).exists())),
                "queue rows name a missing item")
        rep.add("round_version_exists",
                _ids(conn, select(r.c.id).where(r.c.model_version.is_not(None),
                                                ~select(mv.c.id).where(mv.c.id == r.c.model_version).exists())),
                "rounds name a missing model version")
        promoted = _ids(conn, select(mv.c.id).where(mv.c.status == "promoted"))
        rep.add("at_most_one_promoted", promoted if len(promoted) > 1 else [], "versions marked promoted")
        state = {k: v for k, v in conn.execute(select(s.project_state.c.key, s.project_state.c.value))}
        current = state.get("current_version")
        bad_current = [] if current is None or current in promoted else [current]
        rep.add("current_version_promoted", bad_current, "current version is not the promoted one")
        rnd = state.get("current_round")
        missing_round = [] if rnd is None or conn.scalar(select(r.c.id).where(r.c.id == int(rnd))) else [rnd]
        rep.add("current_round_exists", missing_round, "current round is missing")
        if store.is_sqlite:
            rows = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
            rep.add("sqlite_integrity_check", [] if rows == ["ok"] else rows, "SQLite integrity errors")
            fk = [tuple(row) for row in conn.execute(text("PRAGMA foreign_key_check"))]
            rep.add("sqlite_foreign_key_check", fk, "rows break a foreign key")
    return rep


def check_model_store(store: Store, models_dir: Path) -> IntegrityReport:
    """Every finished version must have its folder, inside the project's model store."""
    rep = IntegrityReport()
    root = models_dir.resolve()
    missing, outside = [], []
    for v in store.list_versions():
        if v.status not in ("ready", "promoted", "retired"):
            continue
        path = Path(v.path).resolve()
        if not path.is_relative_to(root):
            outside.append(v.id)
        elif not (path / "adapter.json").is_file():
            missing.append(v.id)
    rep.add("version_files_exist", missing, "finished versions have no model files")
    rep.add("version_files_in_model_store", outside, "versions point outside the project's model store")
    return rep


def check_project(project: Any) -> IntegrityReport:
    """The database checks plus the model-store checks of one opened project."""
    rep = check_store(project.store)
    files = check_model_store(project.store, project.models_dir)
    rep.checks.update(files.checks)
    rep.problems.extend(files.problems)
    return rep
