"""The README's "Quick start (command line)" block, run verbatim through the real console script.

Only what a user substitutes is substituted: the test writes a real ``messages.tsv`` (text only),
runs ``annotate`` once per item that ``queue`` printed with ITEM_ID as printed there and LABEL the
message's true class, and runs the other lines as they stand, through a shell, in a folder whose
``.venv/bin`` is the folder of this interpreter (so ``.venv/bin/activelabel`` is the installed
console script, running this checkout's sources through the inherited PYTHONPATH).

The 20th answer starts a background retrain; ``train --wait`` comes right after it. So that the
run is still going on when ``train --wait`` starts, whatever the machine's speed, the test pauses
the worker (SIGSTOP) until ``train --wait`` says it is waiting for it, then lets it go on.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from activelabel.formats.base import content_id
from activelabel.training import LOCK_NAME
from tests.conftest import make_text_dataset

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Quick start (command line)"
SCRIPT = Path(sys.executable).parent / "activelabel"
ROW_ID = re.compile(r"^│ (\S+) +│")
DEADLINE_S = 120  # a safety net against a hung command, never a speed assertion

pytestmark = [pytest.mark.slow,  # some 30 console-script runs and a training
              pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="pausing the worker needs POSIX signals")]


def quickstart_lines() -> list[str]:
    """The commands of the first ``sh`` block under the quick-start heading, as written."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(HEADING):]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None, f"no ```sh block under {HEADING!r} in {README}"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}


def _run(line: str, cwd: Path) -> str:
    done = subprocess.run(line, shell=True, cwd=cwd, env=_env(), capture_output=True, text=True,  # noqa: S602
                          timeout=DEADLINE_S, check=False)
    assert done.returncode == 0, f"{line}\n--- exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _queued_ids(output: str) -> list[str]:
    return [m.group(1) for m in map(ROW_ID.match, output.splitlines()) if m]


def _worker_pid(project: Path) -> int:
    locks = list(project.rglob(LOCK_NAME))
    assert locks, f"no background training: no {LOCK_NAME} under {project}"
    return int(locks[0].read_text().split()[0])


def _resume(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have finished already
        os.kill(pid, signal.SIGCONT)


def _train_joining_a_paused_run(line: str, cwd: Path, worker: int) -> str:
    """Run ``train --wait`` while the worker is paused; resume it once the command waits for it."""
    proc = subprocess.Popen(line, shell=True, cwd=cwd, env=_env(), stdout=subprocess.PIPE,  # noqa: S602
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for out_line in proc.stdout:
            lines.put(out_line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            try:
                got = lines.get(timeout=1)
            except queue.Empty:
                continue
            if got is None:
                break
            seen.append(got)
            if "waiting for it" in got:
                break
    finally:
        _resume(worker)
    proc.wait(timeout=DEADLINE_S)
    while (got := lines.get(timeout=DEADLINE_S)) is not None:
        seen.append(got)
    output = "".join(seen)
    assert proc.returncode == 0, f"{line}\n--- exit {proc.returncode}\n{output}"
    return output


def test_readme_quick_start_runs_verbatim(tmp_path: Path) -> None:
    assert SCRIPT.exists(), f"the console script {SCRIPT} is not installed (pip install -e .)"
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(SCRIPT.parent, target_is_directory=True)
    rows = make_text_dataset(60, seed=5)
    (tmp_path / "messages.tsv").write_text("text\n" + "".join(f"{text}\n" for text, _ in rows), encoding="utf-8")
    truth = {content_id("text", text.encode()): label for text, label in rows}

    lines = quickstart_lines()
    assert all(line.startswith(".venv/bin/activelabel ") for line in lines), lines
    commands = [shlex.split(line, comments=True)[1] for line in lines]
    assert commands[:4] == ["init", "import", "prelabel", "queue"]
    assert commands.index("train") == commands.index("annotate") + 1  # train --wait right after the answers
    assert "--wait" in shlex.split(lines[commands.index("train")], comments=True)

    outputs: dict[str, str] = {}
    ids: list[str] = []
    worker: int | None = None
    try:
        for line, command in zip(lines, commands, strict=True):
            if command == "annotate":
                assert "ITEM_ID" in line and "LABEL" in line
                for n, item_id in enumerate(ids, 1):
                    said = _run(line.replace("ITEM_ID", item_id).replace("LABEL", truth[item_id]), tmp_path)
                    assert "saved 1 answer(s)" in said
                    assert ("retraining in the background" in said) == (n == 20), f"answer {n}: {said}"
                worker = _worker_pid(tmp_path / "spam")
                os.kill(worker, signal.SIGSTOP)  # keep the background run going on until train --wait joins it
                outputs[command] = said  # the 20th answer's output
            elif command == "train":
                assert worker is not None
                outputs[command] = _train_joining_a_paused_run(line, tmp_path, worker)
            else:
                outputs[command] = _run(line, tmp_path)
            if command == "queue":
                ids = _queued_ids(outputs[command])
                assert len(ids) == 20 and all(i in truth for i in ids), outputs[command]  # whole ids, never cut
    finally:
        if worker is not None:
            _resume(worker)

    # the 20th answer said it started a background retrain, and how to follow it
    assert ("20 new answers: retraining in the background as v0001 (activelabel status spam shows progress)"
            in outputs["annotate"]), outputs["annotate"]
    # train --wait joined that run rather than failing or starting a second one
    assert "a training run (v0001) is already going on: waiting for it" in outputs["train"], outputs["train"]
    assert "promoted v0001" in outputs["train"] and "training a new version" not in outputs["train"]
    assert "spam (classification): 60 items, 20 labeled by people" in outputs["status"], outputs["status"]
    status = json.loads(_run(".venv/bin/activelabel status spam --json", tmp_path))
    assert [(v["id"], v["status"]) for v in status["versions"]] == [("v0001", "promoted")]
    assert not status["training"] and status["counts"]["human_labeled"] == 20

    assert "wrote 60 records to labeled.jsonl" in outputs["export"], outputs["export"]
    records = [json.loads(line) for line in (tmp_path / "labeled.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 60
    assert {r["id"]: r["label"] for r in records if r["source"] == "human"} == {i: truth[i] for i in ids}
