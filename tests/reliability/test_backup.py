"""Backup while people label, restore into a new folder, on SQLite and PostgreSQL.

Pass criteria: the backup is taken while an annotator process keeps writing; the restored project
holds every answer acknowledged before the backup began and nothing that was never stored; it
passes the integrity check; restore refuses to overwrite a project or a non-empty database.
"""

from __future__ import annotations

import json
import subprocess
from contextlib import ExitStack

import pytest

from activelabel.backup import backup_project, restore_project
from activelabel.errors import ActiveLabelError
from activelabel.project import Project
from tests.reliability.scenarios import REPO_ROOT, make_project, worker_cmd, worker_env


def test_backup_while_labeling_and_restore(db_url, tmp_path):
    sqlite = db_url.startswith("sqlite")
    src = make_project(tmp_path / "src", None if sqlite else db_url, 400)
    proc = subprocess.Popen(worker_cmd("annotate", str(src), "busy", "300"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT, env=worker_env())
    assert proc.stdout is not None
    acked_before: list[str] = []
    for line in proc.stdout:  # let some answers land first
        acked_before.append(json.loads(line)["submission_id"])
        if len(acked_before) >= 20:
            break
    info = backup_project(src, tmp_path / "backups" / "b.tar.gz")
    rest, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert info.archive.is_file() and info.backend == ("sqlite" if sqlite else "postgresql")

    with ExitStack() as stack:
        target_db = None
        if not sqlite:
            from tests.pg import fresh_database

            server = db_url.rsplit("/", 1)[0] + "/postgres"
            target_db = stack.enter_context(fresh_database(server))
        restored = restore_project(info.archive, tmp_path / "restored", target_db)
        assert restored.problems == []
        with Project.open(tmp_path / "restored") as project, Project.open(src) as original:
            got = {r["submission_id"] for r in project.store.all_annotations()}
            final = {r["submission_id"] for r in original.store.all_annotations()}
            assert set(acked_before) <= got, "an answer acknowledged before the backup is missing"
            assert got <= final, "the backup holds an answer that was never stored"
            assert project.store.item_count() == 400
        with pytest.raises(ActiveLabelError, match="already holds a project"):
            restore_project(info.archive, tmp_path / "restored", target_db)
        if target_db is not None:
            with pytest.raises(ActiveLabelError, match="not empty"):
                restore_project(info.archive, tmp_path / "again", target_db)


def test_backup_refuses_to_write_inside_the_project(tmp_path):
    src = make_project(tmp_path / "src", None, 3)
    with pytest.raises(ActiveLabelError, match="outside the project"):
        backup_project(src, src / "b.tar.gz")
