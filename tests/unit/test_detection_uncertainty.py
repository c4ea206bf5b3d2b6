"""Image-level uncertainty from boxes, and mAP: pure numpy, no model needed."""

from __future__ import annotations

import numpy as np
import pytest

from activelabel.models.yolo_metrics import detection_map
from activelabel.models.yolo_uncertainty import (
    UncertaintySettings,
    flip_disagreement,
    image_uncertainty,
    parse_settings,
    reduce_uncertainty,
)
from activelabel.types import Box

S = UncertaintySettings(conf=0.25, floor=0.05, band=(0.15, 0.6))


def test_confident_boxes_and_empty_images_are_certain():
    assert image_uncertainty(np.array([0.99, 0.98]), S)["least_confident"] < 0.05
    trusting = UncertaintySettings(empty=0.0)
    assert image_uncertainty(np.array([]), trusting) == {"least_confident": 0.0, "mean_entropy": 0.0, "ambiguous": 0.0}
    assert image_uncertainty(np.array([0.01, 0.02]), trusting)["least_confident"] == 0.0


def test_an_image_where_nothing_is_seen_is_never_certain_by_default():
    for conf in (np.array([]), np.array([0.01, 0.02])):  # nothing, or only background below the floor
        comp = image_uncertainty(conf, S, flip=0.0)
        assert comp["least_confident"] == comp["mean_entropy"] == comp["ambiguous"] == 0.5
        assert 1.0 - reduce_uncertainty(comp, S) < 0.97  # below the default auto-accept threshold


def test_least_confident_peaks_at_the_proposal_threshold():
    at = image_uncertainty(np.array([0.95, 0.25]), S)["least_confident"]
    near = image_uncertainty(np.array([0.95, 0.4]), S)["least_confident"]
    assert at == pytest.approx(1.0) and 0.0 < near < at


def test_ambiguous_band_counts_boxes():
    comp = image_uncertainty(np.array([0.2, 0.3, 0.5, 0.9]), S)
    assert comp["ambiguous"] == pytest.approx(3 / 4)


def test_mean_entropy_is_highest_at_one_half():
    assert image_uncertainty(np.array([0.5]), S)["mean_entropy"] == pytest.approx(1.0)
    assert image_uncertainty(np.array([0.97]), S)["mean_entropy"] < 0.25


def test_flip_disagreement():
    a = np.array([[10, 10, 30, 30], [50, 50, 70, 80]], dtype=float)
    cls = np.array([0, 1])
    assert flip_disagreement(a, cls, a.copy(), cls.copy(), 0.5) == pytest.approx(0.0)
    assert flip_disagreement(a, cls, a[:0], cls[:0], 0.5) == pytest.approx(1.0)  # the flip sees nothing
    assert flip_disagreement(a, cls, a, np.array([1, 0]), 0.5) == pytest.approx(1.0)  # classes swap
    shifted = a + np.array([2, 0, 2, 0])
    assert 0.0 < flip_disagreement(a, cls, shifted, cls, 0.5) < 0.3
    assert flip_disagreement(a[:0], cls[:0], a[:0], cls[:0], 0.5) == 0.0


@pytest.mark.parametrize("reduction", ["least_confident", "mean_entropy", "ambiguous", "flip", "mean", "max"])
def test_reductions_stay_in_unit_interval(reduction):
    s = UncertaintySettings(reduction=reduction)
    rng = np.random.default_rng(0)
    for _ in range(50):
        comp = image_uncertainty(rng.random(rng.integers(0, 12)), s, flip=float(rng.random()))
        u = reduce_uncertainty(comp, s)
        assert 0.0 <= u <= 1.0
        if reduction in comp:
            assert u == comp[reduction]


def test_bad_settings_name_the_key():
    with pytest.raises(ValueError, match="model.params.uncertainty"):
        parse_settings({"uncertainty": "vibes"})
    with pytest.raises(ValueError, match="band"):
        parse_settings({"band": [0.8, 0.2]})
    with pytest.raises(ValueError, match="empty_uncertainty"):
        parse_settings({"empty_uncertainty": 2})
    with pytest.raises(ValueError, match="flip = true"):
        parse_settings({"uncertainty": "flip", "flip": False})


def test_map_perfect_missing_and_shifted():
    truth = [(Box(10, 10, 50, 50, "a"), Box(60, 60, 90, 90, "b"))]
    perfect = [(Box(10, 10, 50, 50, "a", 0.9), Box(60, 60, 90, 90, "b", 0.8))]
    assert detection_map(perfect, truth, ["a", "b"])["map50"] == pytest.approx(1.0)
    assert detection_map(perfect, truth, ["a", "b"])["map50_95"] == pytest.approx(1.0)
    assert detection_map([()], truth, ["a", "b"])["map50"] == 0.0
    shifted = [(Box(16, 10, 56, 50, "a", 0.9), Box(60, 60, 90, 90, "b", 0.8))]  # IoU of "a" about 0.74
    m = detection_map(shifted, truth, ["a", "b"])
    assert m["map50"] == pytest.approx(1.0) and 0.5 < m["map50_95"] < 1.0
    wrong_label = [(Box(10, 10, 50, 50, "b", 0.9),)]
    assert detection_map(wrong_label, [truth[0][:1]], ["a", "b"])["map50"] == 0.0


def test_map_ranks_by_confidence():
    truth = [(Box(0, 0, 10, 10, "a"),), (Box(0, 0, 10, 10, "a"),)]
    # a confident false positive ranked above the true positives lowers AP
    preds = [(Box(0, 0, 10, 10, "a", 0.6), Box(50, 50, 60, 60, "a", 0.99)), (Box(0, 0, 10, 10, "a", 0.7),)]
    ap = detection_map(preds, truth, ["a"])["map50"]
    assert 0.5 < ap < 1.0
