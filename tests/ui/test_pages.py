"""Streamlit AppTest tests of every page: sign-in, label (each editor), dashboard, review, settings."""

from __future__ import annotations

from typing import Any

from activelabel.project import Project
from activelabel.types import AnnotationStatus
from tests.ui.conftest import USERS


def _answers(project: Project, annotator: str | None = None) -> list[dict[str, Any]]:
    rows = [a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]
    return [a for a in rows if annotator is None or a["annotator"] == annotator]


def _texts(at: Any) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
                     + [s.value for s in at.success]).replace("\u2060", "")


def _button(at: Any, suffix: str) -> Any:
    return next(b for b in at.button if b.key and b.key.endswith(suffix))


def test_sign_in_is_required_and_checks_the_password(cls_project: Project, app_for: Any) -> None:
    at = app_for(cls_project)
    at.run()
    assert not at.exception
    assert "Sign in" in [b.label for b in at.button]
    assert not any(b.key and b.key.startswith("al_btn_") for b in at.button)  # no labeling before sign-in
    at.text_input(key="al_signin_name").input("alice")
    at.text_input(key="al_signin_password").input("wrong-password")
    sign_in = next(b for b in at.button if b.label == "Sign in")
    sign_in.click().run()
    assert "wrong password" in _texts(at)
    at.text_input(key="al_signin_password").input(USERS["alice"][1])
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    assert "Label · ui\\-classification" in _texts(at) and at.session_state["al_fast_items"]  # the label page


def test_label_page_classification_hands_the_browser_its_first_items(cls_project: Project, app_for: Any) -> None:
    """Classification runs in the browser's fast lane (tests/ui/test_fastlane_*.py answer through it):
    the script claims the first items under alice's lease and mounts the component with them."""
    at = app_for(cls_project, user="alice")
    at.run()
    assert not at.exception
    assert "Label" in _texts(at)
    items = at.session_state["al_fast_items"]
    assert len(items) == 2 and all(it["sid"] and it["strategy"] and it["rank"] for it in items)
    leases = {le["item_id"]: le["annotator"] for le in cls_project.store.live_leases()}
    assert all(leases.get(it["id"]) == "alice" for it in items)
    at.run()  # a rerun (the sidebar, say) hands over the same items and claims no more
    assert at.session_state["al_fast_items"] == items and len(cls_project.store.live_leases()) == 2
    assert not _answers(cls_project) and not at.exception


def test_the_detection_label_page_is_drawn_by_the_fast_lane(detection_project: Project, app_for: Any) -> None:
    at = app_for(detection_project, user="alice")
    at.run()
    assert not at.exception
    items = at.session_state["al_fast_items"]  # claimed for the browser, each with its image inline
    assert [i["id"] for i in items] == ["det0", "det1"] and all(i["image"].startswith("data:image/") for i in items)


def test_transcription_editor_marks_doubtful_words(transcription_project: Project, app_for: Any) -> None:
    at = app_for(transcription_project, user="alice")
    at.run()
    assert not at.exception
    assert "quick" in _texts(at) and ":red-background[quick" in _texts(at)
    # Chromium's player rounds to whole seconds ("0:00 / 0:00" for a short clip): the page gives the length
    assert any(c.value.startswith("Clip length ") and " s · " in c.value for c in at.caption)
    item = at.session_state["al_buf"][0]
    at.text_area(key=f"al_ed_{item['id']}").input("the quick  brown fox")
    _button(at, "al_btn_correct").click().run()
    (answer,) = _answers(transcription_project, "alice")
    assert answer["value"] == {"text": "the quick brown fox"} and answer["status"] == "corrected"


def test_dashboard_shows_curve_distribution_and_versions(trained_project: Project, app_for: Any) -> None:
    at = app_for(trained_project, page="dashboard", user="alice")
    at.run()
    assert not at.exception
    text = _texts(at)
    for heading in ("Learning curve", "Label distribution", "audits", "per annotator per hour", "Model versions",
                    "When to stop"):
        assert heading in text
    assert [m.value for m in at.metric][1] == "31"  # human-labeled
    assert "A reviewer or admin can start training" in text  # an annotator gets no retrain button


def test_dashboard_retrain_button_trains_in_the_background(trained_project: Project, app_for: Any) -> None:
    import time

    before = trained_project.store.current_version()
    cfg = trained_project.config  # the fixture's label error makes the new version worse: no gate here
    trained_project.save_config(cfg.model_copy(update={"loop": cfg.loop.model_copy(update={"promotion_tolerance": 1.0})}))
    at = app_for(trained_project, page="dashboard", user="rita")
    at.run()
    at.button(key="al_train").click().run()
    assert not at.exception and at.session_state["al_train_error"] is None
    version = at.session_state["al_training_version"]
    deadline = time.time() + 90
    # "ready" while the pool is re-scored; "promoted" together with the new ranking
    while trained_project.store.get_version(version).status in ("training", "ready") and time.time() < deadline:
        time.sleep(0.5)
    assert trained_project.store.get_version(version).status == "promoted"
    assert trained_project.store.current_version() not in (None, before)
    at.run()
    assert f"{version} is promoted" in _texts(at)


def test_review_page_lists_suspects_and_requeues(trained_project: Project, app_for: Any) -> None:
    at = app_for(trained_project, page="review", user="rita")
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "Audit sample" in text and "Disagreements" in text and "Suspected label errors" in text
    at.slider(key="al_suspect_threshold").set_value(0.5).run()
    suspects = at.multiselect(key="al_rq_suspect")
    wrong = trained_project.store.all_annotations()[-1]["item_id"]  # the wrong label given after training
    content = trained_project.store.get_items([wrong])[wrong].content
    assert suspects.options == [f"#1 · {' '.join(content.split())[:60]}"]  # row number and text, no id prefix
    suspects.set_value([wrong]).run()
    at.button(key="al_rq_suspect_btn").click().run()
    assert "Re-queued 1 item" in _texts(at)
    assert trained_project.queue(1)[0].entry.item.id == wrong  # at the front of the queue


def test_review_and_settings_are_refused_to_annotators(cls_project: Project, app_for: Any) -> None:
    for page in ("review", "settings"):
        at = app_for(cls_project, page=page, user="alice")
        at.run()
        assert "Not allowed" in _texts(at)
        assert not at.multiselect and not at.number_input


def test_settings_page_validates_and_writes_the_config(cls_project: Project, app_for: Any) -> None:
    at = app_for(cls_project, page="settings", user="adam")
    at.run()
    assert not at.exception
    at.selectbox[0].set_value("entropy")
    at.number_input[0].set_value(0.9)
    at.number_input[1].set_value(25)
    at.number_input[2].set_value(7)
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert "Saved" in _texts(at)
    reopened = Project.open(cls_project.dir)
    loop = reopened.config.loop
    reopened.close()
    assert (loop.strategy, loop.auto_accept_threshold, loop.human_budget_per_round, loop.retrain_every) == \
        ("entropy", 0.9, 25, 7)


def test_dashboard_renders_for_every_task_kind(ner_project: Project, detection_project: Project,
                                              transcription_project: Project, app_for: Any) -> None:
    for project in (ner_project, detection_project, transcription_project):
        at = app_for(project, page="dashboard", user="adam")
        at.run()
        assert not at.exception, (project.task, at.exception)
        assert "Label distribution" in _texts(at)
