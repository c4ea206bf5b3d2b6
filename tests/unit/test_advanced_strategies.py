"""Each advanced strategy against the formula of its paper, on arrays small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from activelabel.strategies import (
    PoolView,
    advanced,
    available_strategies,
    committee,
    diversity,
    get_strategy,
)
from activelabel.strategies.stopping import advise, cohen_kappa


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def H(p: list[float]) -> float:
    return -sum(x * math.log(x) for x in p if x > 0)


# two items x 2 classes x 3 draws: item 0 members agree, item 1 members disagree
DRAWS = np.array([
    [[0.9, 0.9, 0.9], [0.1, 0.1, 0.1]],
    [[0.9, 0.2, 0.6], [0.1, 0.8, 0.4]],
])


def test_registered_with_needs():
    table = available_strategies()
    for info in advanced.STRATEGIES:
        assert table[info.name] is info and info.description
    assert "proba_draws" in get_strategy("bald").needs
    assert "labeled_embeddings" in get_strategy("coreset").needs


def test_bald_is_mutual_information():
    """Houlsby et al. 2011: I = H[mean_d p_d] - mean_d H[p_d]."""
    got = committee.bald(DRAWS)
    mean1 = [(0.9 + 0.2 + 0.6) / 3, (0.1 + 0.8 + 0.4) / 3]
    want1 = H(mean1) - (H([0.9, 0.1]) + H([0.2, 0.8]) + H([0.6, 0.4])) / 3
    assert got[0] == pytest.approx(0.0, abs=1e-12)
    assert got[1] == pytest.approx(want1)
    assert advanced.bald(PoolView(np.zeros(2), proba=DRAWS), 1, rng()).indices.tolist() == [1]


def test_vote_entropy_and_variation_ratio_count_hard_votes():
    """Dagan and Engelson 1995: -sum V/C log V/C; Freeman 1965: 1 - f_mode / D."""
    votes = committee.vote_counts(DRAWS)
    assert votes.tolist() == [[3, 0], [2, 1]]
    assert committee.vote_entropy(DRAWS).tolist() == pytest.approx([0.0, H([2 / 3, 1 / 3])])
    assert committee.variation_ratio(DRAWS).tolist() == pytest.approx([0.0, 1 / 3])


def test_consensus_kl_is_mean_kl_to_the_consensus():
    """McCallum and Nigam 1998: (1/D) sum_d KL(p_d || p_mean)."""
    mean = DRAWS[1].mean(axis=1)
    want = np.mean([sum(p[c] * math.log(p[c] / mean[c]) for c in range(2)) for p in DRAWS[1].T])
    got = committee.consensus_kl(DRAWS)
    assert got[0] == pytest.approx(0.0, abs=1e-12) and got[1] == pytest.approx(want)


def test_draw_strategies_refuse_plain_probabilities():
    with pytest.raises(ValueError, match="draws"):
        advanced.vote_entropy(PoolView(np.zeros(2), proba=DRAWS.mean(axis=2)), 1, rng())


def test_coreset_is_k_center_greedy():
    """Sener and Savarese 2018: each pick maximises the distance to its nearest labeled/chosen point."""
    x = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [10.0, 1.0], [5.0, 5.0]])
    labeled = np.array([[0.0, 0.1]])
    sel = advanced.coreset(PoolView(np.zeros(5), embeddings=x, labeled_embeddings=labeled), 3, rng())
    # farthest from (0, .1): (10, 1); then farthest from both: (5, 5); then (1, 0) vs (10, 0): 1.0 vs 1.0 from centers
    assert sel.indices[:2].tolist() == [3, 4]
    # brute-force reference for the third pick
    centers = np.vstack([labeled, x[[3, 4]]])
    d = ((x[:, None, :] - centers[None]) ** 2).sum(-1).min(1)
    assert d[sel.indices[2]] == pytest.approx(d.max())


def test_kmeanspp_outer_matches_explicit_gradient_embeddings():
    """BADGE (Ash et al. 2020): distances between g_i = a_i (outer) x_i without building g."""
    r = np.random.default_rng(3)
    a, x = r.normal(size=(30, 4)), r.normal(size=(30, 5))
    g = (a[:, :, None] * x[:, None, :]).reshape(30, -1)
    chosen = diversity.kmeanspp_outer(a, x, 6, np.random.default_rng(1))
    assert chosen[0] == int(np.argmax((g ** 2).sum(1)))  # first center: the largest gradient
    assert len(set(chosen.tolist())) == 6
    # the factorised distance equals the explicit one
    i, j = 4, 17
    explicit = ((g[i] - g[j]) ** 2).sum()
    factor = (a[i] @ a[i]) * (x[i] @ x[i]) + (a[j] @ a[j]) * (x[j] @ x[j]) - 2 * (a[i] @ a[j]) * (x[i] @ x[j])
    assert factor == pytest.approx(explicit)


def test_badge_gradient_embedding_uses_predicted_label():
    p = np.array([[0.7, 0.3], [0.5, 0.5], [0.99, 0.01]])
    x = np.ones((3, 2))
    sel = advanced.badge(PoolView(np.zeros(3), proba=p, embeddings=x), 1, rng())
    # |p - onehot(argmax)| is largest for the 50/50 item
    assert sel.indices.tolist() == [1]


def test_information_density_multiplies_entropy_by_mean_cosine_similarity():
    """Settles and Craven 2008: phi(x) * (1/U sum_u sim(x, u))^beta, beta = 1."""
    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    sim = (unit @ unit.T).mean(axis=1)
    assert diversity.cosine_density(x) == pytest.approx(sim)
    p = np.array([[0.5, 0.5], [0.6, 0.4], [0.5, 0.5]])
    sel = advanced.information_density(PoolView(np.zeros(3), proba=p, embeddings=x), 3, rng())
    want = np.array([H(r) for r in p]) * sim
    assert sel.indices.tolist() == np.argsort(-want).tolist()


def test_cluster_margin_round_robin_from_smallest_cluster():
    """Citovsky et al. 2021: clusters sorted by size ascending, one item each, cycling."""
    labels = np.array([1, 1, 1, 2, 3, 3])
    picked = advanced.round_robin_smallest_first(labels, 4, rng())
    got = labels[picked].tolist()
    assert got[:3] == [2, 3, 1] and got[3] in (3, 1) and len(set(picked.tolist())) == 4


def test_cluster_margin_picks_low_margin_items_from_distinct_clusters():
    p = np.array([[0.5, 0.5]] * 4 + [[0.99, 0.01]] * 16)
    x = np.vstack([np.zeros((2, 2)), np.full((2, 2), 10.0), np.random.default_rng(0).normal(size=(16, 2))])
    sel = advanced.cluster_margin(PoolView(np.zeros(20), proba=p, embeddings=x), 2, rng())
    assert len(set(sel.indices.tolist())) == 2 and all(0 <= i < 20 for i in sel.indices)


def test_power_sampling_follows_score_to_the_beta():
    """Kirsch et al. 2023: P(first pick = i) = s_i^beta / sum_j s_j^beta (Gumbel-top-k)."""
    scores = np.array([0.1, 0.2, 0.7])
    r = np.random.default_rng(5)
    firsts = np.array([advanced.power_sample(scores, 1, r).indices[0] for _ in range(3000)])
    freq = np.bincount(firsts, minlength=3) / 3000
    assert freq == pytest.approx(scores / scores.sum(), abs=0.03)
    zero = advanced.power_sample(np.array([0.0, 1.0, 0.0]), 1, r)
    assert zero.indices.tolist() == [1]


def test_kmeans_cold_start_takes_one_item_per_cluster():
    x = np.vstack([np.zeros((5, 2)), np.full((5, 2), 10.0), np.full((5, 2), -10.0)])
    x = x + np.random.default_rng(0).normal(scale=0.01, size=x.shape)
    sel = get_strategy("kmeans_cold_start").fn(PoolView(np.zeros(15), embeddings=x), 3, rng())
    assert sorted((sel.indices // 5).tolist()) == [0, 1, 2]


def test_uncertainty_diversity_prefilters_then_spreads():
    p = np.vstack([np.tile([0.5, 0.5], (10, 1)), np.tile([0.99, 0.01], (40, 1))])
    x = np.vstack([np.zeros((5, 2)), np.full((5, 2), 10.0), np.random.default_rng(0).normal(size=(40, 2))])
    sel = advanced.uncertainty_diversity(PoolView(np.zeros(50), proba=p, embeddings=x), 2, rng())
    assert sorted((sel.indices // 5).tolist()) == [0, 1]  # one from each uncertain cluster


def test_class_balance_quotas_fill_the_rarest_classes_first():
    assert advanced.balanced_quotas(np.array([10, 2, 0]), np.array([50, 50, 50]), 6).tolist() == [0, 2, 4]
    assert advanced.balanced_quotas(np.array([10, 2, 0]), np.array([50, 50, 1]), 6).tolist() == [0, 5, 1]
    p = np.array([[0.9, 0.1], [0.6, 0.4], [0.45, 0.55], [0.2, 0.8]])
    sel = advanced.class_balanced_margin(PoolView(np.zeros(4), proba=p, labeled_classes=np.array([0, 0, 0])), 1, rng())
    assert sel.indices.tolist() == [2]  # class 1 is rarer; its lowest-margin member


def test_stopping_kappa_and_advice():
    """Bloodgood and Vijay-Shanker 2009: kappa = (p_o - p_e) / (1 - p_e) between successive models."""
    a = np.array(["x", "x", "y", "y"])
    b = np.array(["x", "y", "y", "y"])
    p_o, p_e = 0.75, 0.5 * 0.25 + 0.5 * 0.75
    assert cohen_kappa(a, b) == pytest.approx((p_o - p_e) / (1 - p_e))
    assert cohen_kappa(a, a) == 1.0



def test_stopping_advice_needs_stable_predictions_and_a_high_selected_accuracy_together():
    """The rule measured against the learning curves (benchmarks/stopping_advice.py): every one of the
    last 3 kappas >= 0.99 *and* the versions predicted >= 90% of the last 4 rounds' answers."""
    from activelabel.strategies.stopping import pooled_accuracy

    assert not advise([None, 0.99, 1.0], selected_accuracy=0.95).stable  # only two comparisons so far
    assert advise([0.5, 0.99, 1.0, 0.995], selected_accuracy=0.3).stable  # the last three
    assert not advise([0.99, 1.0, 0.985], selected_accuracy=0.95).stable  # one below: a mean of 0.99 is not enough
    assert not advise([0.99, None, 1.0], selected_accuracy=0.95).stable  # a round without a comparison breaks it
    stable_only = advise([0.99, 1.0, 0.995], selected_accuracy=0.85, mean_uncertainty=0.01)
    assert stable_only.stable and not stable_only.stop  # a low uncertainty alone no longer stops
    assert stable_only.text == "continue: the model had predicted only 85% of the recent answers (stop at 90%)"
    accurate_only = advise([0.5, 0.6, 0.7], selected_accuracy=1.0)
    assert accurate_only.accurate and not accurate_only.stop
    assert accurate_only.text == "continue: predictions not yet stable"
    assert advise([0.99, 1.0, 1.0], selected_accuracy=None).text == "continue: too few recent answers to judge"
    both = advise([0.99, 1.0, 0.995], selected_accuracy=0.9, mean_uncertainty=0.3)
    assert both.stop and both.text.startswith("stop: predictions stable") and "predicted 90% of the recent" in both.text
    assert advise([0.9] * 3, selected_accuracy=0.5, kappa_threshold=0.8, selected_threshold=0.5).stop  # settings

    # pooled over the last 4 rounds by answers, not by round; fewer rounds, or one without a version: None
    assert pooled_accuracy([(1, 10), (9, 10), (10, 10), (10, 10), (8, 10)]) == pytest.approx(37 / 40)
    assert pooled_accuracy([(9, 10), (1, 2), (9, 10), (10, 10)]) == pytest.approx(29 / 32)
    assert pooled_accuracy([(9, 10), (9, 10), (9, 10)]) is None
    assert pooled_accuracy([None, (9, 10), (9, 10), (9, 10)]) is None
    assert pooled_accuracy([(9, 10), (9, 10), (9, 10), (9, 10)], window=2) == pytest.approx(0.9)
