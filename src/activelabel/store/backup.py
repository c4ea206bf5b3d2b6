"""The database side of backup and restore: consistent copies taken while people label, and loading them back.

SQLite is copied with its online backup API (a read snapshot in WAL mode, so writers go on);
PostgreSQL with ``pg_dump`` (an MVCC snapshot) and ``pg_restore``. ``activelabel.backup`` packs
these copies with the project's files.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, select, update
from sqlalchemy.engine import make_url

from activelabel.errors import ActiveLabelError
from activelabel.store import schema as s


def backend_of(url: str) -> str:
    """"sqlite" or "postgresql": the two databases a backup knows."""
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise ActiveLabelError(f"backup knows SQLite and PostgreSQL, not {make_url(url).drivername}")


def sqlite_file(url: str) -> Path:
    """The database file a sqlite:/// URL names."""
    path = make_url(url).database
    if not path:
        raise ActiveLabelError(f"{url!r} names no SQLite database file")
    return Path(path)


def libpq_url(url: str) -> str:
    """The URL pg_dump / pg_restore understand (no SQLAlchemy driver suffix)."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def copy_sqlite(url: str, dest: Path) -> None:
    """One consistent, self-contained copy of a live SQLite database; writers are not blocked."""
    path = make_url(url).database
    if not path or not Path(path).exists():
        raise ActiveLabelError(f"no SQLite database at {path!r}")
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(dest)
    try:
        with dst:
            src.backup(dst)  # online backup: one consistent snapshot, writers are not blocked in WAL mode
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()


def dump_postgres(url: str, dest: Path) -> None:
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}",
          f"--dbname={libpq_url(url)}"], "pg_dump")


def restore_postgres(url: str, dump: Path) -> None:
    """Load a dump into ``url``, which must name an empty database."""
    require_empty(url)
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
          f"--dbname={libpq_url(url)}", str(dump)], "pg_restore")


def require_empty(url: str) -> None:
    from activelabel.store.engine import make_engine

    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise ActiveLabelError(f"the target database is not empty (tables: {', '.join(sorted(tables)[:5])}); "
                               "restore into a new, empty database")


def answer_count(url: str) -> int:
    """The highest answer id in the database at ``url`` (what a backup holds), without migrating it."""
    from activelabel.store.repository import Store

    store = Store.open(url, migrate=False)
    try:
        return store.max_annotation_id()
    finally:
        store.close()


def relocate_versions(url: str, old_models: Path, new_models: Path) -> None:
    """Version rows name their folder; point them into the restored project's model store."""
    from activelabel.store.repository import Store

    mv = s.model_versions
    store = Store.open(url)  # also migrates an older backup to this release's schema
    try:
        with store.write() as conn:
            for vid, path in conn.execute(select(mv.c.id, mv.c.path)):
                p = Path(path)
                if p.is_relative_to(old_models):
                    conn.execute(update(mv).where(mv.c.id == vid).values(path=str(new_models / p.relative_to(old_models))))
    finally:
        store.close()


def _tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest Debian server package."""
    found = shutil.which(name)
    if found:
        return found
    for cand in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(cand)
    raise ActiveLabelError(f"{name} not found; install PostgreSQL's client tools (apt-get install postgresql-client)")


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)  # noqa: S603 - fixed tool, our arguments
    if proc.returncode != 0:
        raise ActiveLabelError(f"{what} failed (exit {proc.returncode}): {proc.stderr.strip()[-1500:]}")
