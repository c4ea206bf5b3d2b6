"""The model contract: every adapter predicts, evaluates, saves and loads the same way."""

from __future__ import annotations

import numpy as np
import pytest

from activelabel.errors import NotFittedError
from activelabel.models.registry import load_model, save_model
from tests.contract.adapter_cases import CASES


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def case(request):
    return request.param


def test_unfitted_model_refuses_to_predict_unless_pretrained(case, tmp_path):
    model = case.build(tmp_path)
    items, _ = case.data(tmp_path)
    if case.pretrained:
        assert model.ready
        assert len(model.predict(items[:2])) == 2
    else:
        assert not model.ready
        with pytest.raises(NotFittedError):
            model.predict(items[:2])


def test_fit_returns_self_and_predicts_one_proposal_per_item(case, tmp_path):
    model = case.build(tmp_path)
    items, values = case.data(tmp_path)
    assert model.fit(items, values) is model
    assert model.ready
    proposals = model.predict(items)
    assert len(proposals) == len(items)
    for p in proposals:
        assert 0.0 <= p.confidence <= 1.0
        assert np.isfinite(p.confidence)
        assert all(0.0 <= c <= 1.0 for c in p.parts)
    metrics = model.evaluate(items, values)
    assert "metric" in metrics and np.isfinite(metrics["metric"])


def test_save_and_load_give_the_same_predictions(case, tmp_path):
    model = case.build(tmp_path)
    items, values = case.data(tmp_path)
    model.fit(items, values)
    save_model(model, tmp_path / "v1")
    loaded = load_model(tmp_path / "v1")
    a = [(p.value, round(p.confidence, 4)) for p in model.predict(items)]
    b = [(p.value, round(p.confidence, 4)) for p in loaded.predict(items)]
    assert a == b


def test_settings_live_in_init_and_learned_state_in_underscore_attributes(case, tmp_path):
    model = case.build(tmp_path)
    before = {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}
    assert not before or case.pretrained
    items, values = case.data(tmp_path)
    model.fit(items, values)
    after = {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}
    assert after, "learned state must live in name_ attributes"
