"""``queue`` prints ids that ``annotate`` takes: whole ids, and any unique start of one works too."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activelabel.cli import COMMAND_MODULES, app
from tests.conftest import make_text_dataset, write_tsv

runner = CliRunner()


@pytest.fixture(autouse=True, scope="module")
def _commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)


def _cli(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "80"})


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    rows = make_text_dataset(40, seed=7)
    assert _cli("init", str(folder), "--task", "classification", "--labels", "ham,spam").exit_code == 0
    assert _cli("import", str(folder), str(write_tsv(tmp_path / "m.tsv", rows, with_labels=False))).exit_code == 0
    assert _cli("prelabel", str(folder)).exit_code == 0
    return folder


def _queued(folder: Path, n: int = 40) -> list[str]:
    out = _cli("queue", str(folder), "-n", str(n), "--json")
    return [json.loads(line)["id"] for line in out.output.splitlines()]


def test_the_table_shows_whole_ids_even_in_80_columns(project: Path) -> None:
    ids = _queued(project, 5)
    table = _cli("queue", str(project), "-n", "5").output
    assert all(f"│ {i} │" in table for i in ids), table


def test_annotate_takes_a_unique_prefix(project: Path) -> None:
    first, second = _queued(project, 2)
    out = _cli("annotate", str(project), first[:6], "spam", "--annotator", "alice")
    assert out.exit_code == 0 and "saved 1 answer(s)" in out.output
    answers = project / "answers.jsonl"
    answers.write_text(json.dumps({"id": second[:8], "value": "ham"}) + "\n", encoding="utf-8")
    assert _cli("annotate", str(project), "--file", str(answers), "--annotator", "alice").exit_code == 0
    assert first not in _queued(project) and second not in _queued(project)


def test_ambiguous_and_unknown_prefixes_are_named_errors(project: Path) -> None:
    ids = _queued(project)
    start, count = Counter(i[0] for i in ids).most_common(1)[0]
    assert count >= 2  # 40 ids over 16 hex digits
    out = _cli("annotate", str(project), start, "spam")
    assert out.exit_code == 1 and f"{start!r} starts several item ids" in out.output
    assert "give more characters" in out.output
    out = _cli("annotate", str(project), "not-an-id", "spam")
    assert out.exit_code == 1 and "no item with id 'not-an-id'" in out.output
