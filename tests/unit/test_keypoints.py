"""Keypoints: payload checks, OKS agreement, pose uncertainty, the YOLO-pose lines (no training here)."""

from __future__ import annotations

import numpy as np
import pytest

from activelabel.errors import InvalidLabelError
from activelabel.formats.yolo_pose import flip_index, pose_lines
from activelabel.models.pose_uncertainty import parse_pose_settings, pose_uncertainty, reduce_pose
from activelabel.quality.keypoint_agreement import KeypointAgreement, mean_oks, oks
from activelabel.tasks import get_task
from activelabel.types import Item, Poses

SPEC = get_task("keypoints")
EXTRA = {"keypoints": ["tip", "left", "right"]}
ITEM = Item("img7", "image", "a.png", {"width": 64, "height": 64})


def _value(dx: float = 0.0, v: int = 2, label: str = "arrow") -> dict:
    return {"objects": [{"x0": 10, "y0": 10, "x1": 40, "y1": 40, "label": label, "keypoints": [
        {"name": "tip", "x": 40 + dx, "y": 25, "v": v}, {"name": "left", "x": 10, "y": 10, "v": 2},
        {"name": "right", "x": 10, "y": 40, "v": 2}]}]}


def test_a_point_outside_the_image_is_refused_naming_the_item_and_the_point() -> None:
    with pytest.raises(InvalidLabelError, match=r"item img7: object 1 \(arrow\) keypoint 'tip' \(80, 25\): outside the 64x64"):
        SPEC.validate(Poses.from_json(_value(dx=40)), ["arrow"], ITEM, EXTRA)
    # a point that is not labeled (v=0) has no place to be outside of
    assert SPEC.validate(Poses.from_json(_value(dx=40, v=0)), ["arrow"], ITEM, EXTRA)


def test_keypoint_names_and_flags_are_checked() -> None:
    with pytest.raises(InvalidLabelError, match="the project's keypoints are"):
        SPEC.validate(Poses.from_json(_value()), ["arrow"], ITEM, {"keypoints": ["tip", "right", "left"]})
    with pytest.raises(InvalidLabelError, match="visibility must be 0"):
        SPEC.payload(_value(v=3)).validate(["arrow"], 64, 64)
    with pytest.raises(InvalidLabelError, match="malformed"):
        SPEC.payload({"objects": [{"x0": 1, "y0": 1, "x1": 2, "y1": 2, "label": "arrow", "keypoints": "tip"}]})
    with pytest.raises(ValueError, match="distinct"):
        SPEC.check_settings({"keypoints": ["a", "a"]})


def test_canonical_ignores_confidences_and_unlabeled_coordinates() -> None:
    a, b = _value(v=0), _value(dx=5, v=0)
    b["objects"][0]["confidence"] = 0.3
    assert SPEC.same(a, b) and not SPEC.same(_value(), _value(dx=1))


def test_oks_is_one_for_the_same_points_and_falls_with_distance() -> None:
    a = _value()["objects"][0]
    assert oks(a, a) == pytest.approx(1.0)
    near, far = oks(a, _value(dx=3)["objects"][0]), oks(a, _value(dx=12)["objects"][0])
    assert 1.0 > near > far > 0.0
    assert mean_oks(_value(), _value(label="wedge")) == 0.0  # another label is another object
    assert mean_oks({"objects": []}, {"objects": []}) == 1.0


def test_agreement_pairs_give_mean_oks_and_pck() -> None:
    rows = [("i1", _value(), _value(dx=3), ""), ("i2", _value(), {"objects": []}, "")]
    got = KeypointAgreement().pair(rows, None, 0.5)
    # item 1: one matched pair; item 2: an object only one side has counts as 0
    assert got["value"] == pytest.approx(2 * oks(_value()["objects"][0], _value(dx=3)["objects"][0]) / 3)
    assert got["pck"] == 1.0 and got["objects"] == {"a": 2, "b": 1}


def test_uncertainty_rises_with_keypoints_near_the_visibility_threshold() -> None:
    s = parse_pose_settings({})
    sure = reduce_pose(pose_uncertainty(np.array([0.95]), np.array([0.99, 0.98, 0.01]), s), s)
    unsure = reduce_pose(pose_uncertainty(np.array([0.95]), np.array([0.99, 0.5, 0.45]), s), s)
    assert unsure > sure
    empty = pose_uncertainty(np.array([]), np.array([]), s)
    assert empty["keypoint_entropy"] == s.boxes.empty


def test_yolo_pose_lines_are_normalised_and_flip_pairs_swap() -> None:
    (line,) = pose_lines(Poses.from_json(_value(v=0)).objects, ["arrow"], 64, 64)
    fields = line.split()
    assert len(fields) == 14 and fields[0] == "0" and fields[5:8] == ["0", "0", "0"]
    assert float(fields[8]) == pytest.approx(10 / 64) and fields[10] == "2"
    assert flip_index(["tip", "left", "right"], [("left", "right")]) == [0, 2, 1]
