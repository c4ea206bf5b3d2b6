"""A proposal and its stored row are one shape: to_row then from_row gives the proposal back."""

from __future__ import annotations

import json

import numpy as np
import pytest

from activelabel.models.base import Prediction
from activelabel.tasks import get_task
from activelabel.types import Box, Boxes, ClassLabel


def test_a_row_holds_what_the_predictions_table_stores():
    row = Prediction(ClassLabel("spam"), 0.75, np.array([0.25, 0.75])).to_row("item-1", "v0002")
    assert row == {"item_id": "item-1", "model_version": "v0002", "value": {"label": "spam"},
                   "confidence": 0.75, "score": 0.25, "parts": []}
    json.dumps(row)  # plain JSON types only: numpy scalars would not reach the database as numbers


@pytest.mark.parametrize(("task", "proposal"), [
    ("classification", Prediction(ClassLabel("ham"), 0.9)),
    ("detection", Prediction(Boxes((Box(1.0, 2.0, 5.0, 6.0, "circle", 0.8),)), 0.8, parts=(0.8,))),
])
def test_from_row_gives_the_proposal_back_without_its_probabilities(task, proposal):
    back = Prediction.from_row(proposal.to_row("x", "v0001"), get_task(task))
    assert back == proposal and back.proba is None
