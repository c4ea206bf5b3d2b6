"""Run the Alembic migrations shipped in the package, from any schema version to head."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Alembic's command API swaps module-level proxies (alembic.context, alembic.op), so two threads
# migrating at once (two UI sessions opening the project) crash each other: one at a time.
_ALEMBIC_LOCK = threading.Lock()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _ALEMBIC_LOCK:
        command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _ALEMBIC_LOCK:
        command.downgrade(alembic_config(engine), revision)
