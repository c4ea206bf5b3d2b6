"""Small things the pages say: the why-line's rank and scores, the settings' own checks and hints."""

from __future__ import annotations

from typing import Any

from activelabel.project import Project


def _texts(at: Any) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
                     + [s.value for s in at.success]).replace("\u2060", "").replace("\\", "")


def test_why_line_shows_the_pool_rank_as_stored_and_the_models_confidence(ner_project: Project,
                                                                          app_for: Any) -> None:
    at = app_for(ner_project, user="alice")
    at.run()
    assert not at.exception
    why = at.session_state["al_fast_items"][0]["why"]  # NER draws in the browser's fast lane
    # the least confident item first: confidence 0.41, strategy score 1 - 0.41, first of the pool (1-based)
    assert "strategy score 0.590" in why and "model confidence 0.41" in why
    assert "rank 1 in the pool" in why and "queue position 1" in why


def test_settings_refuse_an_invalid_threshold_with_a_message(cls_project: Project, app_for: Any) -> None:
    at = app_for(cls_project, page="settings", user="adam")
    at.run()
    at.number_input[0].set_value(1.5)
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception
    assert "Not saved" in _texts(at) and "auto_accept_threshold" in _texts(at)
    with Project.open(cls_project.dir) as reopened:
        assert reopened.config.loop.auto_accept_threshold == cls_project.config.loop.auto_accept_threshold


def test_settings_have_the_overlap_share_the_report_points_to(cls_project: Project, app_for: Any) -> None:
    at = app_for(cls_project, page="settings", user="adam")
    at.run()
    overlap = next(n for n in at.number_input if n.label.startswith("Overlap share"))
    overlap.set_value(0.2)
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert "Saved" in _texts(at)
    with Project.open(cls_project.dir) as reopened:
        assert reopened.config.quality.overlap_share == 0.2


def test_dashboard_does_not_promise_training_every_0_answers(cls_project: Project, app_for: Any) -> None:
    at = app_for(cls_project, page="dashboard", user="alice")  # retrain_every = 0 in the fixture
    at.run()
    assert not at.exception
    assert "every 0 answers" not in _texts(at)
    assert "A reviewer or admin can start training." in _texts(at)


def test_the_tenth_label_has_the_key_0_and_later_ones_none() -> None:
    from activelabel.ui.label_page import shortcuts

    keys = {k.action: k.shown for k in shortcuts([f"l{i}" for i in range(12)], plain=True)}
    assert keys["label:0"] == "1" and keys["label:8"] == "9" and keys["label:9"] == "0"
    assert "label:10" not in keys
