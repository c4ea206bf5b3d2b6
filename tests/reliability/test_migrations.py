"""Alembic migrations from the first schema to head, on SQLite and PostgreSQL, with row counts checked."""

from __future__ import annotations

import time

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, func, select

from activelabel.store import Store
from activelabel.store.engine import make_engine
from activelabel.store.integrity import check_store
from activelabel.store.migrate import alembic_config, downgrade, upgrade
from activelabel.store.schema import metadata

FIRST = "0001"
N = 25


def _first_schema_rows() -> dict[str, list[dict]]:
    """Rows in the columns of the first schema (0001), which never changes."""
    now = time.time()
    items = [dict(id=f"i{k:03d}", seq=k + 1, media="text", content=f"text {k}", meta={}, source="t", is_gold=False,
                  gold_value=None, required_answers=1, created_at=now) for k in range(N)]
    versions = [dict(id="v0001", created_at=now, finished_at=now, status="promoted", path="/x/models/v0001",
                     base_version=None, trained_on_annotation_id=N, n_train=N, n_validation=0, metrics={"f1": 1.0},
                     progress=1.0, message="")]
    return {
        "items": items,
        "model_versions": versions,
        "project_state": [dict(key="current_version", value="v0001"), dict(key="current_round", value="1")],
        "predictions": [dict(item_id=f"i{k:03d}", model_version="v0001", value={"label": "a"}, confidence=0.5,
                             score=0.5, parts=[], created_at=now) for k in range(N)],
        "rounds": [dict(id=1, model_version="v0001", strategy="margin", created_at=now, n_scored=N, n_auto=0,
                        n_audit=0, n_queued=N, budget=N, stats={})],
        "queue_entries": [dict(round_id=1, item_id=f"i{k:03d}", rank=k, reason="uncertain", score=0.5, pool_rank=k)
                          for k in range(N)],
        "annotations": [dict(item_id=f"i{k:03d}", annotator="alice", status="corrected", value={"label": "a"},
                             submission_id=f"s{k}", model_version="v0001", confidence=0.5, round_id=1, reason=None,
                             duration_s=1.0, created_at=now, revoked_at=None, revoked_by=None) for k in range(N)],
        "leases": [dict(item_id="i000", annotator="bob", expires_at=now + 600)],
        "users": [dict(name="alice", password_hash="$2b$12$x", role="annotator", created_at=now)],
    }


def _counts(engine) -> dict[str, int]:  # noqa: ANN001
    md = MetaData()
    md.reflect(engine)
    with engine.connect() as conn:
        return {name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                for name, t in md.tables.items() if name != "alembic_version"}


def test_one_head_and_the_head_matches_schema_py(db_url):
    engine = make_engine(db_url)
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1, "migrations must form one line"
    assert script.get_base() == FIRST
    upgrade(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert not diffs, f"schema.py and the migrations disagree: {diffs}"
    engine.dispose()


def test_first_schema_to_head_keeps_every_row(db_url):
    engine = make_engine(db_url)
    upgrade(engine, FIRST)
    md = MetaData()
    md.reflect(engine)
    rows = _first_schema_rows()
    with engine.begin() as conn:
        for table in ("items", "model_versions", "project_state", "predictions", "rounds", "queue_entries",
                      "annotations", "leases", "users"):
            conn.execute(md.tables[table].insert(), rows[table])
    before = _counts(engine)
    assert before == {t: len(r) for t, r in rows.items()}

    upgrade(engine)  # first -> head
    after = _counts(engine)
    assert {t: after[t] for t in before} == before, "a migration lost or added rows"
    store = Store(engine)
    assert check_store(store, now=time.time()).ok
    assert len(store.current_labels()) == N

    downgrade(engine, FIRST)  # and back, then up again: the way out works too
    assert {t: c for t, c in _counts(engine).items() if t in before} == before
    upgrade(engine)
    assert {t: _counts(engine)[t] for t in before} == before
    engine.dispose()
