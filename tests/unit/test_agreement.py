"""Agreement arithmetic against hand-computed figures and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from activelabel.quality import metrics as m
from activelabel.quality.agreement import pair_score


def test_cohen_kappa_by_hand():
    # 50 items: both yes 20, a yes / b no 5, a no / b yes 10, both no 15.
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert m.cohen_kappa(a, b) == pytest.approx(0.4)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cohen_kappa_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    a = rng.choice(["x", "y", "z"], size=200).tolist()
    b = [v if rng.random() < 0.7 else str(rng.choice(["x", "y", "z"])) for v in a]
    assert m.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_undefined_when_one_category():
    assert m.cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert m.cohen_kappa([], []) is None


def test_fleiss_kappa_wikipedia_example():
    # Fleiss (1971) style example: 10 subjects, 14 raters, 5 categories; kappa = 0.210
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    units = [[c for c, n in enumerate(row) for _ in range(n)] for row in table]
    assert m.fleiss_kappa(units) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_equals_cohen_like_for_two_raters_pi():
    # with two raters Fleiss' kappa is Scott's pi: p_e from the pooled marginals
    a, b = ["y", "y", "n", "n", "y"], ["y", "n", "n", "n", "y"]
    pooled = {"y": 5 / 10, "n": 5 / 10}
    p_o = 4 / 5
    p_e = sum(v * v for v in pooled.values())
    assert m.fleiss_kappa(list(zip(a, b, strict=True))) == pytest.approx((p_o - p_e) / (1 - p_e))


def test_krippendorff_alpha_nominal_reference_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units with
    # missing values; nominal alpha = 0.743
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[c[u] for c in coders if c[u] is not None] for u in range(12)]
    assert m.krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)


def test_span_f1_and_token_kappa_by_hand():
    text = "Ann met Bob in Paris"
    a = {"spans": [{"start": 0, "end": 3, "label": "PER"}, {"start": 8, "end": 11, "label": "PER"},
                   {"start": 15, "end": 20, "label": "LOC"}]}
    b = {"spans": [{"start": 0, "end": 3, "label": "PER"}, {"start": 15, "end": 20, "label": "ORG"}]}
    out = pair_score("ner", [("i1", a, b, text)])
    assert out["value"] == pytest.approx(2 * 1 / (3 + 2))  # one exact match of 3 and 2 spans
    # tokens: Ann met Bob in Paris -> a: PER O PER O LOC ; b: PER O O O ORG
    assert m.token_tags(text, m.span_set(a)) == ["PER", "O", "PER", "O", "LOC"]
    assert out["token_kappa"] == pytest.approx(cohen_kappa_score(["PER", "O", "PER", "O", "LOC"],
                                                                 ["PER", "O", "O", "O", "ORG"]))
    assert out["disagreements"] == ["i1"]


def test_box_f1_at_iou_half_with_label_match():
    a = {"boxes": [{"x0": 0, "y0": 0, "x1": 10, "y1": 10, "label": "cat"},
                   {"x0": 20, "y0": 20, "x1": 30, "y1": 30, "label": "dog"}]}
    b = {"boxes": [{"x0": 1, "y0": 0, "x1": 11, "y1": 10, "label": "cat"},  # IoU 90/110 = 0.82: match
                   {"x0": 25, "y0": 20, "x1": 35, "y1": 30, "label": "dog"},  # IoU 50/150 = 0.33: no
                   {"x0": 0, "y0": 0, "x1": 10, "y1": 10, "label": "dog"}]}  # label differs: no
    assert m.iou(a["boxes"][0], b["boxes"][0]) == pytest.approx(90 / 110)
    out = pair_score("detection", [("i", a, b, "")])
    assert out["value"] == pytest.approx(2 * 1 / (2 + 3))


def test_wer_between_annotators_by_hand():
    # "the cat sat" vs "the cat sat down": 1 insertion over 3 words; reverse: 1 deletion over 4 words
    out = pair_score("transcription", [("i", {"text": "the cat sat"}, {"text": "The cat sat down"}, "")])
    assert out["value"] == pytest.approx((1 / 3 + 1 / 4) / 2)


def test_classification_pair_with_label_is_one_vs_rest():
    rows = [(str(i), {"label": x}, {"label": y}, "") for i, (x, y) in
            enumerate([("a", "a"), ("a", "b"), ("c", "c"), ("b", "b")])]
    out = pair_score("classification", rows, label="a")
    assert out["value"] == pytest.approx(cohen_kappa_score([1, 1, 0, 0], [1, 0, 0, 0]))
    assert out["disagreements"] == ["1"]
