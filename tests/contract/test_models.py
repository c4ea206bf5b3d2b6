"""The model contract: every adapter predicts, evaluates, saves and loads the same way."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from activelabel.errors import NotFittedError
from activelabel.models.base import Capabilities, Embedder, Model, Persistable, Predictor, Trainable
from activelabel.models.registry import load_model, save_model
from activelabel.types import ClassLabel, Item
from tests.contract.adapter_cases import CASES, AdapterCase


def _vectors_build(_tmp):
    from activelabel.models.sklearn_vectors import SklearnVectorClassifier

    return SklearnVectorClassifier(["a", "b"], {"committee": 3})


def _vectors_data(_tmp):
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(-1, 0.5, (20, 3)), rng.normal(1, 0.5, (20, 3))])
    items = [Item(f"v{i}", "text", " ".join(f"{v:.4f}" for v in row)) for i, row in enumerate(x)]
    return items, [ClassLabel("a" if i < 20 else "b") for i in range(40)]


# the checks also cover the vectors adapter with a committee, so that it gives draws
ALL_CASES = [*CASES, AdapterCase("sklearn_vectors", _vectors_build, _vectors_data)]


@dataclass(frozen=True)
class Fitted:
    """One case's model fitted once, what ``fit`` returned, its data and its proposals for that data."""

    model: Any
    returned: Any
    items: list[Item]
    values: list[Any]
    proposals: list[Any]


@pytest.fixture(scope="module", params=ALL_CASES, ids=[c.name for c in ALL_CASES])
def case(request: pytest.FixtureRequest) -> AdapterCase:
    return request.param


@pytest.fixture(scope="module")
def fitted(case: AdapterCase, tmp_path_factory: pytest.TempPathFactory) -> Fitted:
    """The checks that only read a fitted model share one fit per case: fitting (and predicting with) the
    Whisper and YOLO adapters is most of this suite's time, and a fit is the same each time."""
    tmp = tmp_path_factory.mktemp(case.name)
    model = case.build(tmp)
    items, values = case.data(tmp)
    returned = model.fit(items, values)
    return Fitted(model, returned, items, values, model.predict(items))


def test_unfitted_model_refuses_to_predict_unless_pretrained(case, fitted, tmp_path):
    model = case.build(tmp_path)
    if case.pretrained:
        assert model.ready
        assert len(model.predict(fitted.items[:2])) == 2
    else:
        assert not model.ready
        with pytest.raises(NotFittedError):
            model.predict(fitted.items[:2])


def test_fit_returns_self_and_predicts_one_proposal_per_item(fitted):
    assert fitted.returned is fitted.model
    assert fitted.model.ready
    assert len(fitted.proposals) == len(fitted.items)
    for p in fitted.proposals:
        assert 0.0 <= p.confidence <= 1.0
        assert np.isfinite(p.confidence)
        assert all(0.0 <= c <= 1.0 for c in p.parts)
    metrics = fitted.model.evaluate(fitted.items, fitted.values)
    assert "metric" in metrics and np.isfinite(metrics["metric"])


def test_save_and_load_give_the_same_predictions(fitted, tmp_path):
    save_model(fitted.model, tmp_path / "v1")
    loaded = load_model(tmp_path / "v1")
    a = [(p.value, round(p.confidence, 4)) for p in fitted.proposals]
    b = [(p.value, round(p.confidence, 4)) for p in loaded.predict(fitted.items)]
    assert a == b


def test_settings_live_in_init_and_learned_state_in_underscore_attributes(case, fitted, tmp_path):
    model = case.build(tmp_path)
    before = {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}
    assert not before or case.pretrained
    after = {k for k in vars(fitted.model) if k.endswith("_") and not k.startswith("_")}
    assert after, "learned state must live in name_ attributes"


def test_declared_capabilities_match_the_adapters_methods(fitted):
    model = fitted.model
    caps = type(model).capabilities
    assert isinstance(caps, Capabilities)
    assert isinstance(model, Predictor) and isinstance(model, Trainable) and isinstance(model, Persistable)
    assert isinstance(model, Model)
    assert isinstance(model, Embedder) == caps.embeddings, "embed exists iff capabilities.embeddings"
    assert ("unlabeled" in inspect.signature(model.fit).parameters) == type(model).rehearses
    probas = [p.proba for p in fitted.proposals[:4]]
    assert all(p is not None for p in probas) == caps.proba, "proposals carry proba iff capabilities.proba"
    if any(p is not None and p.ndim == 2 for p in probas):
        assert caps.draws, "proba of shape (classes, draws) needs capabilities.draws"
    assert not caps.draws or caps.proba, "draws are probabilities"
    if caps.embeddings:
        assert len(model.embed(fitted.items[:3])) == 3


def test_warm_start_adapters_fit_again_after_loading(fitted, tmp_path):
    if not type(fitted.model).capabilities.warm_start:
        pytest.skip("starts fresh every version")
    save_model(fitted.model, tmp_path / "v1")
    loaded = load_model(tmp_path / "v1")
    assert loaded.fit(fitted.items, fitted.values) is loaded and loaded.ready
