"""Strategy properties: finite scores, order invariance, the most uncertain at uniform, top-k correctness."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from activelabel.errors import UnknownStrategyError
from activelabel.strategies import PoolView, available_strategies, get_strategy, utility
from activelabel.strategies.select import top_k

UTILITIES = [utility.least_confidence, utility.margin, utility.entropy]


@st.composite
def probas(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 30))
    c = draw(st.integers(2, 6))
    raw = draw(arrays(np.float64, (n, c), elements=st.floats(0.0, 1.0)))
    raw = raw + 1e-9
    return raw / raw.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("fn", UTILITIES)
@given(p=probas())
@settings(max_examples=60, deadline=None)
def test_scores_are_finite_and_order_invariant(fn, p):
    scores = fn(p)
    assert scores.shape == (p.shape[0],)
    assert np.isfinite(scores).all()
    perm = np.random.default_rng(0).permutation(p.shape[0])
    np.testing.assert_allclose(fn(p[perm]), scores[perm])
    # class order must not matter either
    np.testing.assert_allclose(fn(p[:, ::-1]), scores, atol=1e-12)


@pytest.mark.parametrize("fn", UTILITIES)
@given(p=probas())
@settings(max_examples=60, deadline=None)
def test_uniform_is_most_uncertain(fn, p):
    c = p.shape[1]
    uniform = np.full((1, c), 1.0 / c)
    assert fn(uniform)[0] >= fn(p).max() - 1e-9


def test_reference_values():
    p = np.array([[0.7, 0.2, 0.1]])
    assert utility.least_confidence(p)[0] == pytest.approx(0.3)
    assert utility.margin(p)[0] == pytest.approx(1 - 0.5)
    assert utility.entropy(p)[0] == pytest.approx(-(0.7 * np.log(0.7) + 0.2 * np.log(0.2) + 0.1 * np.log(0.1)))


def test_three_dimensional_proba_is_averaged_over_draws():
    p = np.stack([np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])], axis=2)
    assert utility.least_confidence(p)[0] == pytest.approx(0.5)


@given(scores=arrays(np.float64, st.integers(1, 200), elements=st.floats(0, 1)), k=st.integers(1, 50))
@settings(max_examples=80, deadline=None)
def test_top_k_matches_a_full_sort(scores, k):
    sel = top_k(scores, k, np.random.default_rng(1))
    expected = np.sort(scores)[::-1][: min(k, len(scores))]
    np.testing.assert_allclose(sel.scores, expected)
    assert len(set(sel.indices.tolist())) == len(sel.indices)


def test_top_k_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        top_k(np.array([0.1, np.nan]), 1, np.random.default_rng(0))


def test_seeded_random_is_reproducible():
    pool = PoolView(confidence=np.zeros(100))
    fn = get_strategy("random").fn
    a = fn(pool, 10, np.random.default_rng(3)).indices
    b = fn(pool, 10, np.random.default_rng(3)).indices
    np.testing.assert_array_equal(a, b)


def test_registry_names_and_unknown():
    names = available_strategies()
    for n in ("random", "least_confidence", "margin", "entropy"):
        assert n in names
    with pytest.raises(UnknownStrategyError, match="known"):
        get_strategy("nope")


def test_custom_strategy_by_module_path():
    info = get_strategy("activelabel.strategies.builtin:margin")
    sel = info.fn(PoolView(confidence=np.array([0.9, 0.5]), proba=np.array([[0.9, 0.1], [0.5, 0.5]])), 1,
                  np.random.default_rng(0))
    assert sel.indices.tolist() == [1]


def test_margin_selects_ties_first():
    proba = np.array([[0.99, 0.01], [0.5, 0.5], [0.8, 0.2]])
    sel = get_strategy("margin").fn(PoolView(confidence=proba.max(1), proba=proba), 2, np.random.default_rng(0))
    assert sel.indices.tolist() == [1, 2]
