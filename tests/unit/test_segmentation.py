"""Segmentation unit tests: the answer's checks name the item and object, mask IoU agreement, the
mask uncertainty components, and mask outlines turned into polygons."""

from __future__ import annotations

import numpy as np
import pytest

from activelabel.errors import ConfigError, InvalidLabelError
from activelabel.models.mask_uncertainty import (
    MaskSettings,
    mask_uncertainty,
    parse_mask_settings,
    reduce_mask,
)
from activelabel.quality.mask_agreement import MaskAgreement, mask_iou, mean_mask_iou
from activelabel.tasks import get_task
from activelabel.types import Item, Masks, polygon_area

SQUARE = [10.0, 10.0, 30.0, 10.0, 30.0, 30.0, 10.0, 30.0]


def _value(*objects: tuple[str, list[float]]) -> dict:
    return Masks.from_json({"objects": [{"label": lab, "polygons": [poly]} for lab, poly in objects]}).to_json()


def test_checks_name_the_item_object_and_polygon() -> None:
    spec = get_task("segmentation")
    item = Item("im1", "image", "a.png", {"width": 40, "height": 40})
    ok = spec.validate(Masks.from_json({"objects": [{"label": "square", "polygons": [SQUARE]}]}), ["square"], item)
    assert ok.objects[0].box.x1 == 30.0  # the box is the polygon's bounding box
    cases = [({"label": "square", "polygons": [[1, 1, 5, 5]]}, "polygon 1 .*needs at least 3 points"),
             ({"label": "square", "polygons": [[1, 1, 50, 1, 5, 5]]}, "outside the 40x40 image"),
             ({"label": "blob", "polygons": [SQUARE]}, "unknown label 'blob'"),
             ({"label": "square", "polygons": []}, "at least one polygon")]
    for obj, message in cases:
        with pytest.raises(InvalidLabelError, match=rf"item im1: object 1 \(\w+\).*{message}"):
            spec.validate(Masks.from_json({"objects": [obj]}), ["square"], item)
    with pytest.raises(InvalidLabelError, match="malformed segmentation value"):
        spec.payload({"objects": [{"label": "square", "polygons": "10,10"}]})


def test_canonical_form_ignores_confidence_and_polygon_order() -> None:
    spec = get_task("segmentation")
    a = {"objects": [{"label": "s", "polygons": [SQUARE, [1, 1, 4, 1, 4, 4]], "confidence": 0.3}]}
    b = {"objects": [{"label": "s", "polygons": [[1, 1, 4, 1, 4, 4], SQUARE]}]}
    assert spec.canonical(a) == spec.canonical(b)
    assert spec.gold_score(a, b) == 1.0


def test_mask_iou_and_pooled_agreement() -> None:
    a = _value(("square", SQUARE))["objects"][0]
    shifted = _value(("square", [v + (10.0 if i % 2 == 0 else 0.0) for i, v in enumerate(SQUARE)]))["objects"][0]
    assert mask_iou(a, a) == pytest.approx(1.0)
    assert mask_iou(a, shifted) == pytest.approx(11 * 21 / (31 * 21), abs=0.03)  # half overlap, pixel-filled
    far = _value(("square", [v + 100.0 for v in SQUARE]))["objects"][0]
    assert mask_iou(a, far) == 0.0
    one, two = _value(("square", SQUARE)), _value(("square", SQUARE), ("disc", [50, 50, 60, 50, 55, 60]))
    assert mean_mask_iou(one, two) == pytest.approx(2 / 3)  # the second person's extra object counts as 0
    assert mean_mask_iou(one, _value(("disc", SQUARE))) == 0.0  # another label is another object
    figures = MaskAgreement().pair([("i", one, two, ""), ("j", one, one, "")], None, 0.5)
    assert figures["value"] == pytest.approx(2 * 2 / 5) and figures["objects"] == {"a": 2, "b": 3}


def test_mask_uncertainty_components_and_reductions() -> None:
    s = parse_mask_settings({})
    sure = mask_uncertainty(np.array([0.99]), np.array([0.05]), np.array([0.98]), s)
    unsure = mask_uncertainty(np.array([0.3]), np.array([0.6]), np.array([0.5]), s)
    assert unsure["mask_boundary"] > sure["mask_boundary"]
    assert unsure["mask_box_disagreement"] == pytest.approx(0.5)
    assert reduce_mask(unsure, s) > reduce_mask(sure, s)
    empty = mask_uncertainty(np.array([]), np.array([]), np.array([]), s)
    assert empty["mask_boundary"] == empty["mask_box_disagreement"] == s.boxes.empty
    only = MaskSettings(s.boxes, "mask_boundary")
    assert reduce_mask(unsure, only) == unsure["mask_boundary"]
    with pytest.raises(ConfigError, match="model.params.uncertainty must be one of"):
        parse_mask_settings({"uncertainty": "wobble"})


def test_a_mask_becomes_one_polygon_per_piece_with_its_outline_share() -> None:
    pytest.importorskip("cv2")
    from activelabel.models.yolo_seg import _outline

    mask = np.zeros((40, 60), dtype=bool)
    mask[5:25, 5:25] = True  # a 20 x 20 square
    mask[30:36, 40:56] = True  # a 16 x 6 bar, a second piece
    polys, share = _outline(mask, 0.7)
    assert len(polys) == 2
    areas = sorted(polygon_area(p.reshape(-1).tolist()) for p in polys)
    assert areas[0] == pytest.approx(15 * 5, rel=0.05) and areas[1] == pytest.approx(19 * 19, rel=0.05)
    assert 0.0 < share < 1.0
    assert _outline(np.zeros((8, 8), dtype=bool), 0.7) == ([], 1.0)
