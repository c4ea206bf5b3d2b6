"""Back up a project while people label, and restore it into a new folder.

A backup is one ``.tar.gz``: the project folder's files (config, model versions, media, secrets)
plus a consistent copy of the database taken without stopping writers: SQLite's online backup
API (a read snapshot in WAL mode, so writers go on), or ``pg_dump`` (an MVCC snapshot). Model
versions are immutable once renamed into place, so copying them beside a live trainer is safe;
unfinished ``.tmp-*`` folders are left out.

Restore refuses to overwrite: the target folder must not hold a project, and a PostgreSQL target
database must be empty. Archive members are checked before anything is extracted, so a crafted
archive cannot write outside the target folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from activelabel.config import CONFIG_NAME, load_config
from activelabel.errors import ActiveLabelError
from activelabel.store import backup as db

MANIFEST = "activelabel-backup.json"
SQLITE_NAME = "database.sqlite"
PG_NAME = "database.pgdump"
SKIP_NAMES = {"activelabel.db", "activelabel.db-wal", "activelabel.db-shm", ".train.lock"}
FORMAT_VERSION = 1


@dataclass
class BackupInfo:
    archive: Path
    backend: str
    files: int
    annotations: int
    seconds: float
    problems: list[str] = field(default_factory=list)  # integrity problems found after a restore

    def to_json(self) -> dict[str, Any]:
        return {"archive": str(self.archive), "backend": self.backend, "files": self.files,
                "annotations": self.annotations, "seconds": round(self.seconds, 3), "problems": self.problems}


def backup_project(project_dir: Path, out: Path, db_url: str | None = None) -> BackupInfo:
    """Write ``out`` (a .tar.gz) with the project's files and a consistent copy of its database."""
    t0 = time.time()
    project_dir = project_dir.resolve()
    config = load_config(project_dir)
    url = db_url or config.db_url(project_dir)
    backend = db.backend_of(url)
    out = out.resolve()
    if out.is_relative_to(project_dir):
        raise ActiveLabelError(f"write the backup outside the project folder, not to {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="activelabel-backup-") as tmp:
        db_copy = Path(tmp) / (SQLITE_NAME if backend == "sqlite" else PG_NAME)
        if backend == "sqlite":
            db.copy_sqlite(url, db_copy)
        else:
            db.dump_postgres(url, db_copy)
        files = [p for p in sorted(project_dir.rglob("*")) if p.is_file() and not _skipped(p, project_dir)]
        manifest = {"format": FORMAT_VERSION, "backend": backend, "created_at": time.time(),
                    "project_dir": str(project_dir), "models_dir": str(project_dir / "models"),
                    "files": len(files)}
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
            tar.add(db_copy, arcname=db_copy.name)
            for p in files:
                tar.add(p, arcname=f"project/{p.relative_to(project_dir).as_posix()}", recursive=False)
        os.replace(partial, out)  # a half-written backup never carries the final name
    n = db.answer_count(url)
    return BackupInfo(out, backend, len(files), n, time.time() - t0)


def _skipped(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    if rel.name in SKIP_NAMES or (rel.parts[0] == "logs"):
        return True
    return any(part.startswith(".tmp-") for part in rel.parts)


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Only plain files and folders with relative paths that stay inside the target."""
    members = tar.getmembers()
    for m in members:
        p = PurePosixPath(m.name)
        if p.is_absolute() or ".." in p.parts or not (m.isfile() or m.isdir()):
            raise ActiveLabelError(f"refusing a backup with an unsafe member {m.name!r}")
    return members


def restore_project(archive: Path, target: Path, db_url: str | None = None) -> BackupInfo:
    """Recreate a project in ``target`` from ``archive``; returns what was restored and its integrity."""
    t0 = time.time()
    target = target.resolve()
    if (target / CONFIG_NAME).exists():
        raise ActiveLabelError(f"{target} already holds a project; restore into a new folder")
    if not archive.is_file():
        raise ActiveLabelError(f"no backup at {archive}")
    with tempfile.TemporaryDirectory(prefix="activelabel-restore-") as tmp, tarfile.open(archive, "r:gz") as tar:
        members = _safe_members(tar)
        names = {m.name for m in members}
        if MANIFEST not in names:
            raise ActiveLabelError(f"{archive} is not an activelabel backup (no {MANIFEST})")
        tar.extractall(tmp, members=members, filter="data")
        manifest = json.loads((Path(tmp) / MANIFEST).read_text(encoding="utf-8"))
        backend = manifest["backend"]
        target.mkdir(parents=True, exist_ok=True)
        staged = Path(tmp) / "project"
        for p in sorted(staged.rglob("*")):
            dest = target / p.relative_to(staged)
            if p.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, dest)
        config = load_config(target)
        if backend == "sqlite":
            if db_url and not db_url.startswith("sqlite"):
                raise ActiveLabelError("this backup holds a SQLite database; restore it without --db, "
                                       "or with a sqlite:/// URL")
            url = db_url or f"sqlite:///{(target / 'activelabel.db').resolve()}"
            if config.db and not db_url:
                _set_db(target, "")
            shutil.copy2(Path(tmp) / SQLITE_NAME, db.sqlite_file(url))
        else:
            url = db_url or config.db_url(target)
            if not url.startswith("postgresql"):
                raise ActiveLabelError("this backup holds a PostgreSQL dump; give --db postgresql://... "
                                       "naming an empty database")
            db.restore_postgres(url, Path(tmp) / PG_NAME)
            if db_url:
                _set_db(target, db_url)
        db.relocate_versions(url, Path(manifest["models_dir"]), target / "models")
    from activelabel.store.integrity import check_project
    from activelabel.workspace import Workspace

    with Workspace.open(target, db_url) as project:
        report = check_project(project)
        n = project.store.max_annotation_id()
    return BackupInfo(archive, backend, sum(1 for _ in target.rglob("*")), n, time.time() - t0, report.problems)


def _set_db(target: Path, db_url: str) -> None:
    from activelabel.config import save_config

    config = load_config(target)
    save_config(target, config.model_copy(update={"db": db_url}))
