"""audio_segments: the payload's rules, time agreement, RTTM both ways, the reader's rejections, the segmenter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from activelabel.errors import ConfigError, InvalidLabelError
from activelabel.formats.base import ImportRecord, Rejection
from activelabel.formats.segments import parse_rttm, read_segments, rttm_text
from activelabel.models.segmenting import energy_segments, snap_words, voiced_runs
from activelabel.quality.segment_agreement import SegmentAgreement, time_agreement
from activelabel.samples.audio_segments import LABELS, recordings, write_recordings
from activelabel.tasks import get_task
from activelabel.types import Item, Segment, Segments

SPEC = get_task("audio_segments")
ITEM = Item("rec7", "audio", "media/rec7.wav", {"duration": 2.0})


def _segs(*rows: tuple[float, float, str | None]) -> Segments:
    return Segments(tuple(Segment(s, e, lab) for s, e, lab in rows))


@pytest.mark.parametrize(("rows", "reason"), [
    ([(0.5, 0.5, "george")], "end after start"),
    ([(1.5, 2.5, "george")], "ends past the recording (2.000 s)"),
    ([(0.0, 1.0, "george"), (0.8, 1.5, "lucas")], "overlap"),
    ([(0.0, 1.0, "zeus")], "unknown label 'zeus'"),
    ([(0.0, 1.0, None)], "has no label"),
])
def test_a_bad_segment_is_refused_naming_the_item(rows: list, reason: str) -> None:
    with pytest.raises(InvalidLabelError, match="item rec7") as err:
        SPEC.validate(_segs(*rows), LABELS, ITEM)
    assert reason in str(err.value)


def test_good_segments_come_back_in_time_order() -> None:
    out = SPEC.validate(_segs((1.0, 1.5, "lucas"), (0.1, 0.9, "george")), LABELS, ITEM)
    assert [s.label for s in out.segments] == ["george", "lucas"]  # type: ignore[union-attr]
    assert SPEC.same(out.to_json(), _segs((0.1, 0.9, "george"), (1.0, 1.5, "lucas")).to_json())


def test_time_agreement_is_the_share_of_covered_time_with_the_same_label() -> None:
    a = _segs((0.0, 1.0, "george"), (1.0, 2.0, "lucas")).to_json()
    b = _segs((0.0, 1.0, "george"), (1.0, 2.0, "nicolas")).to_json()
    assert time_agreement(a, b) == pytest.approx(0.5)
    c = _segs((0.5, 1.0, "george")).to_json()  # half of george's time, nothing else
    assert time_agreement(a, c) == pytest.approx(0.5 / 2.0)
    pair = SegmentAgreement().pair([("i", a, b, ""), ("j", a, a, "")], None, 0.5)
    assert pair["value"] == pytest.approx(3.0 / 4.0) and pair["boundary_iou"] == pytest.approx(1.0)
    assert pair["label_time_agreement"]["george"] == pytest.approx(1.0)
    assert pair["label_time_agreement"]["lucas"] == pytest.approx(0.5)


def test_rttm_written_is_rttm_read() -> None:
    segs = [{"start": 0.25, "end": 0.75, "label": "george"}, {"start": 1.0, "end": 1.3, "label": "lucas"}]
    text = rttm_text("my rec", segs)
    assert text.splitlines()[0] == "SPEAKER my_rec 1 0.2500 0.5000 <NA> <NA> george <NA> <NA>"
    got = [g for g in parse_rttm(";; a comment\nSPKR-INFO my_rec 1 <NA> <NA> <NA> unknown george <NA> <NA>\n" + text,
                                 "x.rttm")]
    assert [(fid, s.start, s.end, s.label) for _, fid, s in got] == [("my_rec", 0.25, 0.75, "george"),  # type: ignore[misc]
                                                                       ("my_rec", 1.0, 1.3, "lucas")]
    bad = list(parse_rttm("SPEAKER f 1 zero 0.5 <NA> <NA> george <NA> <NA>\n", "x.rttm"))
    assert isinstance(bad[0], Rejection) and bad[0].line == 1 and "seconds" in bad[0].reason


def test_reader_rejects_one_recording_and_goes_on(tmp_path: Path) -> None:
    recs = recordings(3, seed=4)
    folder = write_recordings(tmp_path / "in", recs, with_labels=True)
    late = recs[1]
    (folder / f"{late.name}.rttm").write_text(rttm_text(late.name, [{"start": 0.1, "end": late.duration + 1,
                                                                      "label": "george"}]), encoding="utf-8")
    (tmp_path / "p").mkdir()
    got = list(read_segments(folder, labels=LABELS, project_dir=tmp_path / "p"))
    rejected = [g for g in got if isinstance(g, Rejection)]
    assert len(rejected) == 1 and f"recording {late.name}.wav" in rejected[0].reason
    assert "ends past the recording" in rejected[0].reason
    kept = [g for g in got if isinstance(g, ImportRecord)]
    assert len(kept) == 2 and all(isinstance(g.value, Segments) for g in kept)
    # one RTTM for several recordings; a file id without audio is named
    (folder / "all.rttm").write_text(rttm_text(recs[0].name, [{"start": 0.1, "end": 0.2, "label": "lucas"}])
                                     + rttm_text("missing", [{"start": 0.1, "end": 0.2, "label": "lucas"}]))
    got = list(read_segments(folder / "all.rttm", labels=LABELS, project_dir=tmp_path / "p"))
    assert isinstance(got[0], ImportRecord) and isinstance(got[1], Rejection) and "no recording missing" in got[1].reason


def test_whisper_words_snap_to_the_voiced_runs() -> None:
    rate = 16_000
    audio = np.zeros(int(3.0 * rate), np.float32)
    for s, e in ((0.4, 0.7), (1.2, 1.5), (2.2, 2.5)):
        t = np.arange(int((e - s) * rate)) / rate
        audio[int(s * rate):int(s * rate) + len(t)] = 0.3 * np.sin(2 * np.pi * 300 * t)
    runs = voiced_runs(audio)
    assert [(round(s, 2), round(e, 2)) for s, e in runs] == [(0.4, 0.7), (1.2, 1.5), (2.2, 2.5)]
    # word 1 starts too early (Whisper's first word), word 2 matches, a hallucinated word past the speech;
    # nobody said a word over the third run
    found, dropped = snap_words(["one", "two", "two"], [(0.0, 0.8), (1.2, 1.5), (2.8, 2.9)], runs)
    assert dropped == 1
    assert [(p.start, p.end, p.words) for p in found] == [(0.4, 0.7, ("one",)), (1.2, 1.5, ("two",)),
                                                          (2.2, 2.5, ())]
    assert found[0].boundary == pytest.approx(0.3 / 0.8) and found[1].boundary == pytest.approx(1.0)
    assert found[2].boundary == 0.0  # speech the model did not hear: shown, and as unsure as can be
    assert [(p.start, p.end) for p in energy_segments(audio)] == [(p.start, p.end) for p in found]


def test_the_segmenter_is_chosen_by_name_only() -> None:
    from activelabel.models.whisper_segments import WhisperSegmenter

    assert WhisperSegmenter(LABELS).segmenter == "whisper"
    assert WhisperSegmenter(LABELS, params={"segmenter": "energy"}).segmenter == "energy"
    with pytest.raises(ConfigError, match="segmenter"):
        WhisperSegmenter(LABELS, params={"segmenter": "vad"})


def test_energy_segmenter_labels_nothing_before_training(tmp_path: Path) -> None:
    from activelabel.models.whisper_segments import WhisperSegmenter

    rec = recordings(1, seed=6)[0]
    write_recordings(tmp_path, [rec], with_labels=False)
    model = WhisperSegmenter(LABELS, params={"segmenter": "energy"})
    (pred,) = model.predict([Item("r", "audio", str(tmp_path / f"{rec.name}.wav"))])
    assert pred.confidence == 0.0 and pred.meta["segmenter"] == "energy"
    got = [(s.start, s.end, s.label) for s in pred.value.segments]  # type: ignore[union-attr]
    assert len(got) == len(rec.segments) and all(lab is None for *_, lab in got)
    for (s, e, _), (ts, te, _) in zip(got, rec.segments):
        assert abs(s - ts) <= 0.04 and abs(e - te) <= 0.04
