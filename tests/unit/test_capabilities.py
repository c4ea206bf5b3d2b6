"""Declared model capabilities, and the strategy check that reads them instead of probing models."""

from __future__ import annotations

import dataclasses

import pytest

from activelabel.errors import ActiveLabelError, ConfigError, StrategyNotApplicableError
from activelabel.models.base import Capabilities
from activelabel.strategies import applicable_strategies, check_applicable, get_strategy

TRANSCRIBER = Capabilities(proba=False, draws=False, embeddings=False, warm_start=False)
TEXT = Capabilities(proba=True, draws=False, embeddings=True, warm_start=False)
COMMITTEE = Capabilities(proba=True, draws=True, embeddings=True, warm_start=False)


def test_capabilities_are_frozen_and_name_what_a_strategy_lacks() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TEXT.proba = False  # type: ignore[misc]
    assert TRANSCRIBER.lacks(("embeddings", "labeled_embeddings")) == ["embeddings"]
    assert TRANSCRIBER.lacks(("proba", "proba_draws")) == ["proba", "draws"]
    assert TEXT.lacks(("proba", "proba_draws")) == ["draws"]
    assert COMMITTEE.lacks(("proba", "proba_draws", "embeddings", "labeled_classes")) == []


def test_coreset_on_a_transcriber_says_what_is_missing_and_what_to_choose() -> None:
    with pytest.raises(StrategyNotApplicableError) as info:
        check_applicable(get_strategy("coreset"), TRANSCRIBER, model="faster-whisper:tiny.en")
    message = str(info.value)
    assert message.startswith("coreset needs embeddings; faster-whisper:tiny.en gives none; choose ")
    choices = message.split("choose ", 1)[1].split(", ")
    assert {"random", "margin", "entropy", "least_confidence"} <= set(choices)
    assert not {"coreset", "badge", "bald"} & set(choices)
    assert isinstance(info.value, ActiveLabelError) and isinstance(info.value, ValueError)


def test_draw_strategies_need_draws() -> None:
    with pytest.raises(StrategyNotApplicableError, match="bald needs probability draws"):
        check_applicable(get_strategy("bald"), TEXT)
    check_applicable(get_strategy("bald"), COMMITTEE)


def test_strategies_without_needs_fit_every_model() -> None:
    for name in ("random", "margin", "entropy", "least_confidence", "power_entropy"):
        check_applicable(get_strategy(name), TRANSCRIBER)
    assert "badge" in applicable_strategies(TEXT) and "badge" not in applicable_strategies(TRANSCRIBER)


def test_every_adapter_declares_its_capabilities() -> None:
    from activelabel.registry import registry

    models = registry("models")
    declared = {name: models.load(name).capabilities for name in models.names()}
    assert all(isinstance(c, Capabilities) for c in declared.values())
    assert declared["whisper"] == TRANSCRIBER
    assert declared["whisper-embedding-classifier"].proba
    assert declared["spacy-ner"].warm_start
    assert declared["yolo"].warm_start


def test_coreset_on_a_transcription_project_is_refused_when_the_config_loads() -> None:
    from activelabel.config import parse_config

    with pytest.raises(ConfigError, match="coreset needs embeddings; faster-whisper:tiny.en gives none; choose random"):
        parse_config({"task": "transcription", "model": {"params": {"device": "cpu"}},
                      "loop": {"retrain_every": 0, "strategy": "coreset"}})


def test_yolo_rounds_step_per_batch_and_warm_starts_skip_the_warm_up(tmp_path):
    """A small labeled set gets an optimiser step per batch (no accumulation to Ultralytics' nominal 64),
    and a round that continues from the previous version does not ramp the learning rate up again."""
    from activelabel.models.yolo import YoloDetector

    det = YoloDetector(["square"], "yolov8n.yaml", {"batch": 16})
    cold = det._train_args(tmp_path / "data.yaml", tmp_path, n_images=10)
    assert cold["batch"] == cold["nbs"] == 10 and "warmup_epochs" not in cold
    warm = det._train_args(tmp_path / "data.yaml", tmp_path, n_images=300, warm=True)
    assert warm["batch"] == warm["nbs"] == 16 and warm["warmup_epochs"] == 0.0
    mine = YoloDetector(["square"], "yolov8n.yaml", {"train_args": {"nbs": 64, "warmup_epochs": 1.0}})
    assert {k: mine._train_args(tmp_path / "d.yaml", tmp_path, 300, warm=True)[k] for k in ("nbs", "warmup_epochs")} \
        == {"nbs": 64, "warmup_epochs": 1.0}  # train_args has the last word
