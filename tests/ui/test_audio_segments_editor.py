"""The audio-segments editor in the label page (AppTest): the table starts from the proposal; relabel,
split, merge, delete and add change it; Submit stores exactly what the table shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from activelabel.project import Project
from activelabel.samples.audio_segments import LABELS, recordings, write_recordings
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item
from tests.ui.conftest import new_project, seed_round


@pytest.fixture()
def segments_project(tmp_path: Path) -> Iterator[Project]:
    project = new_project(tmp_path / "seg", "audio_segments", LABELS)
    recs = recordings(2, seed=3)
    write_recordings(project.dir / "media", recs, with_labels=False)
    project.store.add_items([NewItem(Item(f"segitem{i}", "audio", f"media/{r.name}.wav", {"duration": r.duration}))
                             for i, r in enumerate(recs)])
    seed_round(project, [
        dict(item_id=f"segitem{i}", confidence=0.3 + 0.4 * i, parts=[0.3, 0.9],
             value={"segments": [{"start": s, "end": e, "label": lab, "confidence": 0.3 if k == 0 else 0.9}
                                 for k, (s, e, lab) in enumerate(r.segments)]})
        for i, r in enumerate(recs)])
    yield project
    project.close()


def _answers(project: Project) -> list[dict]:
    return [a for a in project.store.all_annotations() if a["status"] != AnnotationStatus.AUTO.value]


def _button(at, key: str):
    return next(b for b in at.button if b.key == key)


def test_segments_editor_relabels_and_submits_the_table(segments_project: Project, app_for) -> None:
    at = app_for(segments_project, user="alice")
    at.run()
    assert not at.exception
    item = at.session_state["al_buf"][0]
    assert item["id"] == "segitem0"
    key = f"al_ed_{item['id']}"
    proposed = item["proposed"]["segments"]
    label = at.selectbox(key=f"{key}_label_0_r0")
    assert label.value == proposed[0]["label"]
    other = next(lab for lab in LABELS if lab not in (proposed[0]["label"], proposed[1]["label"]))
    label.set_value(other).run()
    _button(at, "al_btn_correct").click().run()
    assert not at.exception
    (answer,) = _answers(segments_project)
    want = [(round(s["start"], 4), round(s["end"], 4), s["label"]) for s in proposed]
    want[0] = (want[0][0], want[0][1], other)
    assert [(s["start"], s["end"], s["label"]) for s in answer["value"]["segments"]] == want
    assert answer["status"] == "corrected"


def test_segments_editor_splits_merges_deletes_and_adds(segments_project: Project, app_for) -> None:
    at = app_for(segments_project, user="alice")
    at.run()
    item = at.session_state["al_buf"][0]
    key = f"al_ed_{item['id']}"
    first = item["proposed"]["segments"][0]
    n = len(item["proposed"]["segments"])
    _button(at, f"{key}_split_0_r0").click().run()
    rows = at.session_state[f"{key}_rows"]
    mid = round((first["start"] + first["end"]) / 2, 3)
    assert len(rows) == n + 1 and rows[0]["end"] == mid and rows[1]["start"] == mid
    _button(at, f"{key}_merge_0_r1").click().run()
    assert len(at.session_state[f"{key}_rows"]) == n and at.session_state[f"{key}_rows"][0]["end"] == first["end"]
    _button(at, f"{key}_delete_{n - 1}_r2").click().run()
    _button(at, f"{key}_add_r3").click().run()
    rows = at.session_state[f"{key}_rows"]
    assert len(rows) == n and rows[-1]["label"] is None
    # a row without a label is refused with the reason, and nothing is stored
    _button(at, "al_btn_correct").click().run()
    assert not _answers(segments_project)
    assert any("has no label" in e.value for e in at.error)
    at.selectbox(key=f"{key}_label_{n - 1}_r4").set_value(LABELS[0]).run()
    at.number_input(key=f"{key}_end_{n - 1}_r4").set_value(round(rows[-1]["start"] + 0.2, 3)).run()
    _button(at, "al_btn_correct").click().run()
    (answer,) = _answers(segments_project)
    stored = answer["value"]["segments"]
    assert len(stored) == n and stored[-1]["label"] == LABELS[0]
    assert abs(stored[-1]["end"] - stored[-1]["start"] - 0.2) < 1e-3
