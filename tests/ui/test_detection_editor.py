"""The detection editor's server side (no browser): the proposal line, the image sent inline with its
item, a corrupt image reported instead of breaking the buffer, and the drawn boxes read back."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from activelabel.errors import InvalidLabelError
from activelabel.project import Project
from activelabel.types import Boxes
from activelabel.ui.editors import detection
from activelabel.ui.fastlane_api import fast_item
from activelabel.ui.queue_items import item_view


def test_the_proposal_line_names_each_box_with_its_confidence_or_says_there_are_none() -> None:
    box = {"x0": 10, "y0": 10, "x1": 41, "y1": 41, "label": "square", "confidence": 0.5}
    assert detection.proposal_text({"proposed": {"boxes": [box]}}) == \
        "The model proposes 1 box: square 0.50 at (10, 10)-(41, 41)"
    two = detection.proposal_text({"proposed": {"boxes": [dict(box, confidence=None), box]}, "parts": [0.9, 0.5]})
    assert two.startswith("The model proposes 2 boxes: square 0.90 at")
    assert detection.proposal_text({"proposed": {"boxes": []}}) == "The model proposes no boxes."
    assert detection.proposal_text({"proposed": None}).startswith("No model proposal yet")


def test_the_item_carries_its_image_inline_and_the_proposed_boxes_with_confidences(detection_project: Project) -> None:
    view = fast_item(detection_project, item_view(detection_project, "det0"))
    assert view["image"].startswith("data:image/png;base64,") and (view["width"], view["height"]) == (96, 64)
    raw = base64.b64decode(view["image"].split(",", 1)[1])
    assert raw == (detection_project.dir / "media" / "img0.png").read_bytes()  # a small file goes as it is
    assert view["boxes"] == [{"x0": 10.0, "y0": 10.0, "x1": 41.0, "y1": 41.0, "label": "square", "confidence": 0.5}]
    assert view["proposal"] == "The model proposes 1 box: square 0.50 at (10, 10)-(41, 41)"


def test_a_large_or_unusual_image_is_sent_re_encoded_at_its_own_size(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "big.bmp"
    Image.new("RGB", (2400, 1200), (10, 200, 30)).save(path)
    url, width, height = detection.inline_image(path)
    assert url.startswith("data:image/jpeg;base64,") and (width, height) == (2400, 1200)  # boxes stay in these
    import io

    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as sent:
        assert max(sent.size) == detection.INLINE_MAX_SIDE


def test_a_corrupt_image_is_reported_with_its_file_and_the_rest_goes_on(detection_project: Project) -> None:
    # as in a UI process that has loaded a YOLO model: Ultralytics patches PIL.Image.open to fetch pi-heif on
    # the first file Pillow cannot identify (without pi-heif installed, that was a ModuleNotFoundError)
    pytest.importorskip("ultralytics.utils.patches")
    (detection_project.dir / "media" / "img1.png").write_bytes(b"not a png")
    view = fast_item(detection_project, item_view(detection_project, "det1"))
    assert view["image"] is None and "media/img1.png: cannot read this image" in view["image_error"]
    assert fast_item(detection_project, item_view(detection_project, "det0"))["image"]


def test_drawn_boxes_are_clipped_to_the_image_and_an_accept_keeps_the_proposal(detection_project: Project) -> None:
    drawn = {"drawn_boxes": [{"x0": 5, "y0": 5, "x1": 35, "y1": 25, "label": "circle"},
                             {"x0": 80, "y0": 50, "x1": 110.5, "y1": 80, "label": "square"}]}
    got = detection.fast_value(detection_project, "det0", drawn)
    assert isinstance(got, Boxes) and [b.to_json() for b in got.boxes] == [
        {"x0": 5.0, "y0": 5.0, "x1": 35.0, "y1": 25.0, "label": "circle"},
        {"x0": 80.0, "y0": 50.0, "x1": 96.0, "y1": 64.0, "label": "square"}]  # clipped to the 96x64 image
    proposal = {"boxes": [{"x0": 10, "y0": 10, "x1": 41, "y1": 41, "label": "square", "confidence": 0.5}]}
    accepted = detection.fast_value(detection_project, "det0", proposal)
    assert isinstance(accepted, Boxes) and accepted.boxes[0].confidence == 0.5
    with pytest.raises(InvalidLabelError, match="positive area"):
        detection.fast_value(detection_project, "det0", {"drawn_boxes": [{"x0": 100, "y0": 5, "x1": 120, "y1": 9,
                                                                          "label": "square"}]})
    with pytest.raises(InvalidLabelError, match="malformed boxes"):
        detection.fast_value(detection_project, "det0", {"drawn_boxes": [{"x0": 1}]})
