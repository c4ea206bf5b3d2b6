"""The detection editor's texts and the patched drawing widget (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

from activelabel.ui.editors import detection, detection_widget
from activelabel.ui.editors.detection_widget import PATCHES, WidgetPatchError, patch_bundle, patched_build


def test_the_proposal_line_names_each_box_with_its_confidence_or_says_there_are_none() -> None:
    box = {"x0": 10, "y0": 10, "x1": 41, "y1": 41, "label": "square", "confidence": 0.5}
    assert detection.proposal_text({"proposed": {"boxes": [box]}}) == \
        "The model proposes 1 box: square 0.50 at (10, 10)-(41, 41)"
    two = detection.proposal_text({"proposed": {"boxes": [dict(box, confidence=None), box]}, "parts": [0.9, 0.5]})
    assert two.startswith("The model proposes 2 boxes: square 0.90 at")
    assert detection.proposal_text({"proposed": {"boxes": []}}) == "The model proposes no boxes."
    assert detection.proposal_text({"proposed": None}).startswith("No model proposal yet")
    assert "Draw" not in detection.CAPTION and "Transform" in detection.CAPTION and "Del" in detection.CAPTION


def test_every_patch_matches_the_installed_widget_once(tmp_path: Path) -> None:
    built = patched_build(detection_widget._source(), tmp_path)
    (bundle,) = (built / "static" / "js").glob("main.*.js")
    text = bundle.read_text(encoding="utf-8")
    for old, new in PATCHES:
        assert old not in text and new in text
    assert patched_build(detection_widget._source(), tmp_path) == built  # made once, then reused


def test_a_widget_release_the_patches_do_not_match_is_refused() -> None:
    with pytest.raises(WidgetPatchError, match="streamlit-image-annotation==0.8.0"):
        patch_bundle("a bundle of another release")
