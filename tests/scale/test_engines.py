"""Local and Ray engines: the same predictions and scores, and resumable runs that score each item once."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from activelabel.engines import LocalEngine, get_engine, score_pool, scores_root
from activelabel.engines.shards import load_pool
from activelabel.errors import MissingDependencyError
from activelabel.loop import run_round
from tests.scale.conftest import trained_project


class StopAfter(Exception):
    """Stands for Ctrl-C: raised from the progress callback after some batches were written."""


def _stop_after(n_calls: int):  # noqa: ANN202
    calls = {"n": 0}

    def progress(done: int, total: int) -> None:
        calls["n"] += 1
        if calls["n"] > n_calls:
            raise StopAfter(f"stopped at {done}/{total}")

    return progress


def _stored(project, version):  # noqa: ANN001, ANN202
    ids = [it.id for page in project.store.iter_pool() for it in page]
    rows = project.store.predictions_for(version, ids)
    return {i: (r["value"], r["confidence"], r["score"], r["parts"]) for i, r in rows.items()}


def _shard_ids(project, version) -> list[str]:  # noqa: ANN001
    folder = scores_root(project) / version
    return [str(i) for p in sorted(folder.glob("part-*.npz")) for i in np.load(p)["ids"]]


def _forget(project, version) -> None:  # noqa: ANN001
    project.store.forget_predictions(version)
    shutil.rmtree(scores_root(project) / version)


def test_a_stopped_run_resumes_and_scores_each_item_once(tmp_path):
    project = trained_project(tmp_path / "p")
    version = project.store.current_version()
    expected = _stored(project, version)
    _forget(project, version)
    engine = LocalEngine(batch_size=50, page_size=100)

    with pytest.raises(StopAfter):  # progress fires once at the start, then after each bulk write
        score_pool(project, version, engine=engine, progress=_stop_after(2))
    partial = _stored(project, version)
    assert 0 < len(partial) < len(expected)

    seen: list[tuple[int, int]] = []
    pool, report = score_pool(project, version, engine=engine, progress=lambda d, t: seen.append((d, t)))
    assert report.skipped == len(partial) and report.predicted == len(expected) - len(partial)
    assert seen[0] == (len(partial), len(expected)) and seen[-1] == (len(expected), len(expected))
    scored = _shard_ids(project, version)
    assert len(scored) == len(set(scored)) == len(expected)  # each item scored exactly once over both runs
    assert _stored(project, version) == expected
    assert len(pool.ids) == len(expected)

    _, again = score_pool(project, version, engine=engine)  # a third run has nothing left to do
    assert again.predicted == 0 and again.skipped == len(expected)
    project.close()


@pytest.mark.slow
def test_ray_resumes_a_local_run_with_identical_predictions_and_scores(tmp_path, ray_local):
    """One Ray run (Ray start-up is the slow part): it must skip what the stopped local run wrote,
    score the rest once, and agree exactly with the local engine on every item."""
    project = trained_project(tmp_path / "p")
    version = project.store.current_version()
    local_rows = _stored(project, version)  # the training re-score ran on the local engine
    pool_ids = np.array(list(local_rows), dtype="U40")
    local_nums = load_pool(scores_root(project) / version, pool_ids)
    assert len(local_rows) == project.store.pool_size() > 300

    _forget(project, version)
    with pytest.raises(StopAfter):
        score_pool(project, version, engine=LocalEngine(batch_size=50, page_size=100), progress=_stop_after(2))
    n_local = len(_stored(project, version))
    assert 0 < n_local < len(local_rows)

    result = run_round(project, engine=get_engine("ray", workers=2, batch_size=64))
    assert result["model_version"] == version and result["pool"] == len(local_rows)
    ray_rows = _stored(project, version)
    ray_nums = load_pool(scores_root(project) / version, pool_ids)

    assert ray_rows == local_rows  # value, confidence, score and parts, exactly
    assert np.array_equal(ray_nums.ids, local_nums.ids)
    assert np.array_equal(ray_nums.confidence, local_nums.confidence)
    assert ray_nums.proba is not None and np.array_equal(ray_nums.proba, local_nums.proba)
    scored = _shard_ids(project, version)
    assert len(scored) == len(set(scored)) == len(local_rows)  # local part + Ray part, each item once
    project.close()


def test_engine_options_are_checked():
    assert isinstance(get_engine("local"), LocalEngine)
    with pytest.raises(ValueError, match="need --engine ray"):
        get_engine("local", address="auto")
    with pytest.raises(ValueError, match="unknown engine"):
        get_engine("spark")


def test_missing_ray_names_the_scale_extra(monkeypatch):
    import builtins

    from activelabel.engines import ray_engine

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(MissingDependencyError, match=r"activelabel\[scale\]"):
        ray_engine.import_ray()


@pytest.mark.slow
def test_simulate_on_ray_gives_the_same_curves_as_locally(tmp_path, ray_local):
    import csv
    import importlib

    from typer.testing import CliRunner

    from activelabel.cli import COMMAND_MODULES, app
    from tests.conftest import make_text_dataset, write_tsv

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    data = write_tsv(tmp_path / "sms.tsv", make_text_dataset(60, seed=4))
    curves = {}
    for engine in ("local", "ray"):
        out = tmp_path / engine
        result = CliRunner().invoke(app, ["simulate", "--dataset", str(data), "--strategies", "random,margin",
                                          "--seeds", "1", "--init", "6", "--batch", "4", "--budget", "10",
                                          "--out", str(out), "--engine", engine], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        curves[engine] = list(csv.DictReader((out / "curves.csv").open()))
    assert len(curves["ray"]) == 4 and curves["ray"] == curves["local"]
