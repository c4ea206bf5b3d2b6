"""A tiny ``simulate`` through the real pipeline, its outputs, and the inputs it refuses up front."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from activelabel.cli import COMMAND_MODULES, app
from activelabel.errors import ActiveLabelError
from activelabel.simulation import tasks
from tests.conftest import make_text_dataset, write_tsv

runner = CliRunner()


@pytest.fixture(autouse=True, scope="module")
def _commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name)


def _vectors(path: Path, n: int = 90, seed: int = 0) -> Path:
    """Three well-separated clusters of 4-number vectors, one class each."""
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            c = i % 3
            v = rng.normal(loc=3.0 * c, scale=0.6, size=4)
            fh.write(json.dumps({"text": " ".join(f"{x:.4f}" for x in v), "label": f"c{c}"}) + "\n")
    return path


def _simulate(*args: str) -> object:
    return runner.invoke(app, ["simulate", *args], catch_exceptions=False)


def test_tiny_simulation_writes_curves_summary_and_plot(tmp_path: Path) -> None:
    data = write_tsv(tmp_path / "sms.tsv", make_text_dataset(70, seed=4))
    out = tmp_path / "out"
    result = _simulate("--dataset", str(data), "--strategies", "random,activelabel.strategies.builtin:margin",
                       "--seeds", "2", "--init", "6", "--batch", "4", "--budget", "10", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "curves.csv").open()))
    assert list(rows[0]) == ["strategy", "seed", "round", "labels", "metric"]
    # 2 strategies x 2 seeds x 2 rounds (6, 10 labels)
    assert len(rows) == 8 and {r["labels"] for r in rows} == {"6", "10"}
    summary = json.loads((out / "summary.json").read_text())
    assert {"task", "metric", "full_metric", "strategies"} <= set(summary)
    assert summary["task"] == "classification" and 0 < summary["full_metric"] <= 1
    for name in ("random", "activelabel.strategies.builtin:margin"):
        assert {"labels_to_95", "labels_to_99", "auc", "final"} <= set(summary["strategies"][name])
    stop = list(csv.DictReader((out / "stopping.csv").open()))
    assert {"kappa", "mean_uncertainty", "advice"} <= set(stop[0]) and stop[-1]["advice"]
    assert (out / "curves.png").stat().st_size > 1000



def test_every_simulated_version_is_promoted_past_the_gate_and_is_a_curve_point(tmp_path: Path) -> None:
    """The replay trains through the real pipeline but forces every version: none is refused, so none
    is missing from the curve, and each point is the version that ranked the next batch."""
    from activelabel.project import Project

    data = write_tsv(tmp_path / "sms.tsv", make_text_dataset(70, seed=4))
    out, kept = tmp_path / "out", tmp_path / "projects"
    result = _simulate("--dataset", str(data), "--strategies", "margin", "--seeds", "1", "--init", "6",
                       "--batch", "4", "--budget", "18", "--out", str(out), "--keep-projects", str(kept))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "curves.csv").open()))
    with Project.open(kept / "margin-seed0") as project:
        versions = [v for v in project.store.list_versions() if "gate" in v.metrics]
        assert [v.metrics["gate"]["outcome"] for v in versions] == ["first"] + ["forced"] * (len(versions) - 1)
        assert all(v.status in ("promoted", "retired") for v in versions)
        trained = [float(r["metric"]) for r in rows if r["metric"]]  # empty: one class so far, no model yet
        assert versions and trained == [pytest.approx(v.metrics["metric"]) for v in versions]

def test_vector_items_with_diversity_and_committee_strategies(tmp_path: Path) -> None:
    """coreset gets labeled embeddings and bald gets committee draws from the loop itself."""
    out = tmp_path / "out"
    result = _simulate("--dataset", str(_vectors(tmp_path / "v.jsonl")), "--model", "vectors-logreg",
                       "--strategies", "coreset,bald", "--cold-start", "kmeans_cold_start", "--committee", "3",
                       "--seeds", "1", "--init", "6", "--batch", "5", "--budget", "11", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["full_metric"] > 0.9
    assert all(s["final"] > 0.8 for s in summary["strategies"].values())


@pytest.mark.parametrize("args, message", [
    (["--strategies", "random,no_such_strategy", "--budget", "20"], "unknown strategy 'no_such_strategy'"),
    (["--budget", "5", "--init", "10"], "smaller than --init"),
    (["--strategies", "nosuchmodule:fn", "--budget", "20"], "cannot load strategy"),
])
def test_bad_settings_fail_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    data = write_tsv(tmp_path / "sms.tsv", make_text_dataset(40, seed=1))
    out = tmp_path / "out"
    result = _simulate("--dataset", str(data), "--out", str(out), *args)
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


def test_budget_above_the_pool_labels_all_of_it_with_a_note(tmp_path: Path) -> None:
    data = write_tsv(tmp_path / "sms.tsv", make_text_dataset(40, seed=1))  # 28 pool items, 12 held out
    out = tmp_path / "out"
    result = _simulate("--dataset", str(data), "--out", str(out), "--strategies", "random", "--seeds", "1",
                       "--init", "6", "--batch", "22", "--budget", "500")
    assert result.exit_code == 0, result.output
    assert "--budget 500 is more than the pool (28 items after holding out 12): each run labels all 28" in result.output
    rows = list(csv.DictReader((out / "curves.csv").open()))
    assert [r["labels"] for r in rows] == ["6", "28"]


def test_format_and_reader_options_reach_the_loader(tmp_path: Path) -> None:
    """A suffix the reader cannot place needs --format; --option passes reader settings, as for import."""
    rows = make_text_dataset(40, seed=2)
    data = tmp_path / "sms.data"
    data.write_text("body\tcategory\n" + "".join(f"{t}\t{lab}\n" for t, lab in rows), encoding="utf-8")
    out = tmp_path / "out"
    base = ["--dataset", str(data), "--out", str(out), "--strategies", "no_such_strategy"]
    plain = _simulate(*base)
    assert plain.exit_code == 1 and "pass --format" in plain.output
    # the loader read the file (it got as far as the strategy check, which runs after loading)
    loaded = _simulate(*base, "--format", "tsv", "-o", "text_field=body", "--option", "label-field=category")
    assert loaded.exit_code == 1 and "unknown strategy 'no_such_strategy'" in loaded.output, loaded.output
    bad = _simulate(*base, "--format", "tsv", "-o", "text_field")
    assert bad.exit_code != 0 and "--option expects KEY=VALUE" in bad.output
    assert not out.exists()


def test_ner_file_without_a_known_suffix_loads_with_format(tmp_path: Path) -> None:
    conll = tmp_path / "eng.train"
    sentences = [f"Alice{i} B-PER\nvisited O\nParis I-LOC\n" for i in range(8)]
    conll.write_text("\n".join(s.replace("I-LOC", "B-LOC") for s in sentences), encoding="utf-8")
    with pytest.raises(ValueError, match="pass --format"):
        tasks.load_dataset("ner", str(conll))
    data = tasks.load_dataset("ner", str(conll), options={"format": "conll", "reader_options": {"scheme": "iob2"}})
    assert data.labels == ["LOC", "PER"] and data.n_pool + data.n_eval == 8
    with pytest.raises(ValueError, match="unknown tag scheme"):
        tasks.load_dataset("ner", str(conll), options={"format": "conll", "reader_options": {"scheme": "nope"}})


def test_one_class_dataset_is_refused(tmp_path: Path) -> None:
    data = write_tsv(tmp_path / "ham.tsv", [(f"hello number {i}", "ham") for i in range(30)])
    out = tmp_path / "out"
    result = _simulate("--dataset", str(data), "--out", str(out))
    assert result.exit_code == 1 and "at least two classes" in result.output
    assert not out.exists()


def test_task_without_plugin_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    real_get = tasks.get_task
    unwritten = dataclasses.replace(real_get("ner"), simulation_loader="activelabel.simulation.tasks.not_written_yet:load")
    monkeypatch.setattr(tasks, "get_task", lambda name: unwritten if name == "ner" else real_get(name))
    with pytest.raises(ActiveLabelError, match="does not support task 'ner' yet"):
        tasks.load_dataset("ner", "x.conll")
    with pytest.raises(ActiveLabelError, match="unknown task"):
        tasks.load_dataset("painting", "x")


def test_digits_projects_use_logistic_regression_on_the_raw_pixels() -> None:
    """digits' default model is the plain LR (measured: docs/simulation.md); naming it keeps the setting."""
    data = tasks.load_dataset("classification", "digits")
    assert data.model == {"name": "vectors-logreg", "params": {"scale": "none"}}
    named = tasks.load_dataset("classification", "digits", options={"model": "vectors-logreg"})
    assert named.model == data.model
    other = tasks.load_dataset("classification", "digits", options={"model": "mypkg.models:Other"})
    assert other.model == {"name": "mypkg.models:Other"}
