"""Stopping advice in ``status``: stable predictions of the versions that ranked the pool, and people's
recent answers that those versions had already predicted, together say stop."""

from __future__ import annotations

import importlib
import json

from typer.testing import CliRunner

from activelabel.store.repository import NewItem
from activelabel.types import ClassLabel, Item
from activelabel.ui import dashboard_data

LABELS = ["ham", "spam"] * 20  # what the stable versions predict for item0..item39, and the truth
FLIP = {"ham": "spam", "spam": "ham"}


def _status(project) -> dict:  # noqa: ANN001
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, ["status", str(project.dir), "--json"])
    assert result.exit_code == 0, result.output
    plain = CliRunner().invoke(app, ["status", str(project.dir)])
    assert plain.exit_code == 0, plain.output
    return {"json": json.loads(result.stdout), "text": plain.output}


def _version(project, labels: list[str], *, confidence: float = 0.9, status: str = "promoted") -> str:  # noqa: ANN001
    """A version trained on the answers so far that predicted ``labels`` for item0.. and ranked the pool."""
    store = project.store
    version = store.create_version(base_version=None, path_for=lambda v: project.models_dir / v)
    store.update_version(version, status="ready", progress=1.0, trained_on_annotation_id=store.max_annotation_id())
    store.save_predictions(version, [dict(item_id=f"item{i}", value={"label": lab}, confidence=confidence,
                                          score=1 - confidence, parts=[]) for i, lab in enumerate(labels)])
    if status == "promoted":
        store.promote(version)
        store.create_round(version=version, strategy="margin", entries=[], auto=[], budget=0,
                           stats={"mean_confidence": confidence})
    return version


def _answer(project, items: range, *, wrong: bool = False) -> None:  # noqa: ANN001
    """People answer these items (the truth, or the other label): the current version's next batch."""
    for i in items:
        label = FLIP[LABELS[i]] if wrong else LABELS[i]
        project.submit(f"item{i}", ClassLabel(label), annotator="alice", trigger_retrain=False)


def test_status_says_when_labeling_more_is_unlikely_to_pay(text_project):
    text_project.store.add_items([NewItem(Item(f"item{i}", "text", f"text {i}")) for i in range(40)])
    assert _status(text_project)["json"]["stopping"] is None  # no version ranked the pool yet
    _version(text_project, ["spam"] * 40)
    _answer(text_project, range(0, 5))  # it had predicted 2 of these 5
    for start in (5, 10, 15):  # kappas: none, 0 (a new prediction), 1, 1; each predicted all 5 of its batch
        _version(text_project, LABELS)
        _answer(text_project, range(start, start + 5))
    out = _status(text_project)
    advice = out["json"]["stopping"]
    assert advice["stop"] is False and advice["kappa"] == 1.0 and advice["selected_accuracy"] == 17 / 20
    assert "labeling more still pays: predictions not yet stable" in out["text"]

    _version(text_project, LABELS)  # the third stable comparison in a row ...
    _answer(text_project, range(20, 22), wrong=True)  # ... but people disagree with it on its first two
    out = _status(text_project)
    advice = out["json"]["stopping"]
    assert advice["stop"] is False and advice["selected_accuracy"] == 15 / 17
    assert "the model had predicted only 88% of the recent answers" in advice["summary"]

    _answer(text_project, range(22, 25))  # the last 4 versions predicted 18 of the last 20 answers
    out = _status(text_project)
    advice = out["json"]["stopping"]
    assert advice["stop"] is True and advice["summary"].startswith("labeling more is unlikely to pay")
    assert "predictions stable" in advice["summary"] and "labeling more is unlikely to pay" in out["text"]
    assert "recent answers predicted 0.90" in advice["summary"]
    assert dashboard_data.stopping_advice(text_project).startswith("stop: predictions stable")

    # a version the gate left ready never ranked the pool: it does not count, and breaks nothing
    _version(text_project, ["spam"] * 40, status="ready")
    assert _status(text_project)["json"]["stopping"]["stop"] is True
