"""Two independent server processes on one database: leases, answers and promotions hold across them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.store.integrity import check_store
from tests.conftest import make_text_dataset, write_tsv

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # the team backend; SQLite serves one machine
def test_two_servers_share_leases_answers_and_promotions(tmp_path, db_url):
    cfg = parse_config({"name": "two", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"human_budget_per_round": 200, "retrain_every": 0, "auto_accept_threshold": 1.0}})
    project = Project.init(tmp_path / "p", cfg)
    project.close()
    rows = make_text_dataset(80, seed=11)
    truth = write_tsv(tmp_path / "truth.tsv", rows)
    with Project.open(tmp_path / "p", db_url) as project:
        project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
        project.prelabel()  # cold-start round; the servers take it from here

    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    cmd = [sys.executable, "-m", "tests.scale.server_process", str(tmp_path / "p"), db_url]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([*cmd, "alice", str(truth), str(outs[0]), "--train-after", "20"], cwd=ROOT, env=env),
             subprocess.Popen([*cmd, "bob", str(truth), str(outs[1]), "--await-version-after", "6"], cwd=ROOT,
                              env=env)]
    for p in procs:
        assert p.wait(timeout=300) == 0

    logs = [[json.loads(line) for line in out.read_text().splitlines()] for out in outs]
    answers = [r for log in logs for r in log if "item" in r]
    promoted = [r["promoted"] for r in logs[0] if "promoted" in r]
    with Project.open(tmp_path / "p", db_url) as project:
        stored = [a for a in project.store.all_annotations() if a["status"] == "corrected" or a["status"] == "accepted"]
        # every item answered once, by one of the two servers: never leased to both, nothing left over
        assert len(answers) == len(stored) == 80 == len({r["item"] for r in answers})
        assert all(r["created"] for r in answers)  # no submission was a replay of the other server's
        assert {a["id"] for a in stored} == {r["annotation"] for r in answers}  # 0 lost, 0 duplicated
        assert {r["item"] for r in logs[1]} and {r["item"] for r in logs[0] if "item" in r}  # both did work
        # bob's process never restarted, yet it moved to alice's promoted version through the database
        assert promoted == [project.store.current_version()]
        bob = [r["version"] for r in logs[1]]
        assert bob[:6] == [None] * 6 and bob[6:] and set(bob[6:]) == {promoted[0]}
        assert all(r["version"] in (None, promoted[0]) for log in logs for r in log if "item" in r)
        report = check_store(project.store)
        assert report.ok, report.problems
