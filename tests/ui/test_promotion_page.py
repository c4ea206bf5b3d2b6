"""The dashboard says why a retrained version was not promoted (the promotion gate refused it)."""

from __future__ import annotations

import time
from typing import Any

from activelabel.project import Project
from tests.ui.test_pages import _texts


def test_dashboard_says_why_a_worse_version_was_not_promoted(trained_project: Project, app_for: Any) -> None:
    before = trained_project.store.current_version()
    cfg = trained_project.config  # the raw comparison: the fixture's evaluation set is too small to judge by default
    trained_project.save_config(cfg.model_copy(update={"loop": cfg.loop.model_copy(
        update={"promotion_min_items": 1, "promotion_significance": 1.0})}))
    at = app_for(trained_project, page="dashboard", user="rita")
    at.run()
    at.button(key="al_train").click().run()
    assert not at.exception and at.session_state["al_train_error"] is None
    version = at.session_state["al_training_version"]
    deadline = time.time() + 90
    # the fixture's label error (one confident item flipped) makes the retrained version worse
    while "gate" not in (trained_project.store.get_version(version).metrics or {}) and time.time() < deadline:
        time.sleep(0.5)
    info = trained_project.store.get_version(version)
    assert info.status == "ready" and info.metrics["gate"]["outcome"] == "refused"
    assert trained_project.store.current_version() == before
    at.run()
    text = _texts(at).replace("\\", "")  # markdown escapes
    assert f"{version} scored" in text and f"{before} scores" in text and "not promoted" in text
    assert "activelabel train --force" in text
    assert not at.button(key="al_train").disabled  # the refused version is done; training can start again
