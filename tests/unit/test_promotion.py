"""The promotion gate's paired comparison: the exact sign test, and what the decision says."""

from __future__ import annotations

import math

import pytest

from activelabel.config import parse_config
from activelabel.errors import ConfigError
from activelabel.promotion import PASSED, REFUSED, UNCHECKED, GateDecision
from activelabel.sign_test import paired, sign_test_p


def test_the_sign_test_is_the_binomial_tail_at_one_half():
    assert sign_test_p(0, 0) == 1.0  # no discordant item: no evidence either way
    assert sign_test_p(3, 0) == pytest.approx(1 / 8)
    assert sign_test_p(5, 0) == pytest.approx(1 / 32)
    assert sign_test_p(4, 1) == pytest.approx((5 + 1) / 32)  # P(X >= 4), X ~ Bin(5, 1/2)
    assert sign_test_p(0, 7) == 1.0
    assert sign_test_p(600, 500) == pytest.approx(0.00144, rel=0.05)  # large n: exact integers, no overflow
    with pytest.raises(ValueError, match="must not be negative"):
        sign_test_p(-1, 2)


def test_paired_counts_only_the_items_where_the_versions_differ():
    pair = paired([1, 0, 1, 0, 0.5], [1, 1, 0, 0, 1])
    assert (pair.worse, pair.better) == (2, 1)
    assert pair.p_value == pytest.approx(sign_test_p(2, 1))
    with pytest.raises(ValueError, match="differ in length"):
        paired([1.0], [1.0, 0.0])


def _decision(**kw: object) -> GateDecision:
    base = dict(version="v0003", outcome=PASSED, current="v0002", score=0.80, current_score=0.90, n_items=20,
                tolerance=0.01, worse=3, better=1, p_value=sign_test_p(3, 1), significance=0.05, min_items=20)
    return GateDecision(**{**base, **kw})  # type: ignore[arg-type]


def test_messages_say_why_a_loss_was_let_through_or_refused():
    noise = _decision()
    assert "worse on 3, better on 1, sign test p = 0.312" in noise.message
    assert "promoted: the loss is within noise on these items (p > 0.05)" in noise.message
    refused = _decision(outcome=REFUSED, worse=8, better=0, p_value=sign_test_p(8, 0))
    assert refused.message.endswith("not promoted. `activelabel train --force` promotes anyway")
    small = _decision(outcome=UNCHECKED, n_items=8, current_score=None, worse=None, better=None, p_value=None)
    assert small.too_small and "8 held-out items are too few to judge" in small.message
    assert "promotion_min_items = 20" in small.message
    assert GateDecision.from_json({"version": "v1", "outcome": "passed", "tolerance": 0.01}).worse is None  # old rows


@pytest.mark.parametrize("loop, key", [({"promotion_significance": 0.0}, "loop.promotion_significance"),
                                       ({"promotion_significance": 1.5}, "loop.promotion_significance"),
                                       ({"promotion_min_items": 0}, "loop.promotion_min_items")])
def test_gate_settings_are_validated_with_the_key_named(loop: dict[str, float], key: str):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config({"task": "classification", "labels": ["a", "b"], "loop": loop})
    cfg = parse_config({"task": "classification", "labels": ["a", "b"]})
    assert cfg.loop.promotion_significance == 0.05 and cfg.loop.promotion_min_items == 20
    assert not math.isnan(cfg.loop.promotion_tolerance)
