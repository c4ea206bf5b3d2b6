"""The CLI turns the package's own errors into one line and exit 1; any other exception stays a traceback."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from activelabel.cli import COMMAND_MODULES, app
from activelabel.cli.app import friendly_errors
from activelabel.errors import ActiveLabelError, TrainingBusyError


def _cli(*args: str):  # noqa: ANN202 - click's Result
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    return CliRunner().invoke(app, list(args))


def test_named_errors_become_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    @friendly_errors
    def busy() -> None:
        raise TrainingBusyError("a training run is already going on for this project")

    with pytest.raises(typer.Exit) as info:
        busy()
    assert info.value.exit_code == 1
    assert capsys.readouterr().err.strip() == "error: a training run is already going on for this project"


@pytest.mark.parametrize("exc", [ValueError("bad"), RuntimeError("boom"), KeyError("k"), FileNotFoundError("f")])
def test_other_exceptions_are_bugs_and_propagate(exc: Exception) -> None:
    @friendly_errors
    def broken() -> None:
        raise exc

    with pytest.raises(type(exc)):
        broken()


def test_a_missing_project_is_a_clean_error(tmp_path: Path) -> None:
    result = _cli("status", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "error:" in result.output
    assert not isinstance(result.exception, ActiveLabelError), "caught and printed, not raised"


def test_cli_option_errors_are_named(tmp_path: Path) -> None:
    assert _cli("init", str(tmp_path / "p"), "--task", "classification", "--labels", "ham,spam").exit_code == 0
    missing = _cli("annotate", str(tmp_path / "p"), "--file", str(tmp_path / "answers.jsonl"))
    assert missing.exit_code == 1 and "answers.jsonl: no such file" in missing.output
    (tmp_path / "answers.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    bad = _cli("annotate", str(tmp_path / "p"), "--file", str(tmp_path / "answers.jsonl"))
    assert bad.exit_code == 1 and "answers.jsonl:1: expected" in bad.output
    shares = _cli("package", str(tmp_path / "p"), str(tmp_path / "out"), "--shares", "0.5,0.5,0.5")
    assert shares.exit_code == 1 and "summing to 1" in shares.output
