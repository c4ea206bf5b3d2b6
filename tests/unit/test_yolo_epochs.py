"""``epochs = "auto"``: a round's epochs scale with the answers, so small rounds still make steps."""

from __future__ import annotations

from activelabel.models.yolo import AUTO_MAX_EPOCHS, AUTO_MIN_EPOCHS, epochs_for


def test_a_number_is_used_as_it_is():
    assert epochs_for({"epochs": 7, "batch": 16}, 1000) == 7


def test_auto_gives_min_steps_optimiser_steps_within_bounds():
    params = {"epochs": "auto", "batch": 16, "min_steps": 300}
    assert epochs_for(params, 60) == 75  # 4 batches an epoch
    assert epochs_for(params, 20) == 150  # 2 batches an epoch
    assert epochs_for(params, 10_000) == AUTO_MIN_EPOCHS
    assert epochs_for(params, 3) == AUTO_MAX_EPOCHS  # one batch an epoch, capped
    fewer = [epochs_for(params, n) for n in (20, 40, 60, 100, 200)]
    assert fewer == sorted(fewer, reverse=True)
