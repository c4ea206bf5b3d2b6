"""Stopping advice in ``status``: stable predictions of the versions that ranked the pool, with a low
mean pool uncertainty, say stop."""

from __future__ import annotations

import importlib
import json

from typer.testing import CliRunner

from activelabel.store.repository import NewItem
from activelabel.types import Item
from activelabel.ui import dashboard_data


def _status(project) -> dict:  # noqa: ANN001
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, ["status", str(project.dir), "--json"])
    assert result.exit_code == 0, result.output
    plain = CliRunner().invoke(app, ["status", str(project.dir)])
    assert plain.exit_code == 0, plain.output
    return {"json": json.loads(result.stdout), "text": plain.output}


def _version(project, labels: list[str], *, confidence: float, status: str = "promoted") -> str:  # noqa: ANN001
    """A version that predicted ``labels`` for item0.. and ranked the pool (as training would store it)."""
    store = project.store
    version = store.create_version(base_version=None, path_for=lambda v: project.models_dir / v)
    store.update_version(version, status="ready", progress=1.0)
    store.save_predictions(version, [dict(item_id=f"item{i}", value={"label": lab}, confidence=confidence,
                                          score=1 - confidence, parts=[]) for i, lab in enumerate(labels)])
    if status == "promoted":
        store.promote(version)
        store.create_round(version=version, strategy="margin", entries=[], auto=[], budget=0,
                           stats={"mean_confidence": confidence})
    return version


def test_status_says_when_labeling_more_is_unlikely_to_pay(text_project):
    text_project.store.add_items([NewItem(Item(f"item{i}", "text", f"text {i}")) for i in range(8)])
    assert _status(text_project)["json"]["stopping"] is None  # no version ranked the pool yet
    labels = ["ham", "spam"] * 4
    _version(text_project, ["spam"] * 8, confidence=0.6)
    for _ in range(3):  # kappas: none, 0 (a new prediction), 1, 1
        _version(text_project, labels, confidence=0.99)
    out = _status(text_project)
    assert out["json"]["stopping"]["stop"] is False and out["json"]["stopping"]["kappa"] == 1.0
    assert "labeling more still pays: predictions not yet stable" in out["text"]

    _version(text_project, labels, confidence=0.9)  # the third stable comparison, but uncertainty 0.1
    out = _status(text_project)
    assert out["json"]["stopping"]["stop"] is False
    assert "mean uncertainty not below 0.02" in out["json"]["stopping"]["summary"]

    _version(text_project, labels, confidence=0.99)  # stable, and the remaining gain is small
    out = _status(text_project)
    advice = out["json"]["stopping"]
    assert advice["stop"] is True and advice["summary"].startswith("labeling more is unlikely to pay")
    assert "predictions stable" in advice["summary"] and "labeling more is unlikely to pay" in out["text"]
    assert dashboard_data.stopping_advice(text_project).startswith("stop: predictions stable")

    # a version the gate left ready never ranked the pool: it does not count, and breaks nothing
    _version(text_project, ["spam"] * 8, confidence=0.6, status="ready")
    assert _status(text_project)["json"]["stopping"]["stop"] is True
