"""Audio input: every bad-input case of the Whisper issue, the readers, and the transcript metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from activelabel.audio import (
    SAMPLE_RATE,
    AudioError,
    AudioTooLongError,
    is_silent,
    load_audio,
    probe,
)
from activelabel.config import parse_config
from activelabel.metrics_text import cer, exact_match, normalise, wer
from activelabel.models.whisper import WhisperTranscriber
from activelabel.models.whisper_backends import RawTranscript, WhisperLoadError, split_name
from activelabel.models.whisper_confidence import Calibrator, features, learn_vocabulary, raw_confidence
from activelabel.project import Project
from activelabel.samples import audio_classification as ac_sample
from activelabel.samples import transcription as tr_sample
from activelabel.types import ClassLabel, Item, Transcript


def _sine(path: Path, rate: int, seconds: float, channels: int = 1, freq: float = 440.0) -> Path:
    import soundfile as sf

    t = np.arange(int(rate * seconds)) / rate
    wave = 0.5 * np.sin(2 * np.pi * freq * t)
    sf.write(str(path), np.stack([wave] * channels, axis=1) if channels > 1 else wave, rate)
    return path


def _peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)[spectrum.argmax()])


# ---- decoding and its errors -------------------------------------------------------------------


def test_zero_byte_file_is_a_clear_error(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty.wav.*empty \(0 bytes\)"):
        load_audio(empty)


def test_text_file_named_wav_is_a_clear_error(tmp_path):
    fake = tmp_path / "notes.wav"
    fake.write_text("this is not audio\n" * 20)
    with pytest.raises(AudioError, match=r"notes.wav: not a readable audio file"):
        load_audio(fake)


def test_three_hour_file_is_refused_by_the_configured_limit_without_decoding(tmp_path):
    import soundfile as sf

    long = tmp_path / "three_hours.flac"
    with sf.SoundFile(str(long), "w", samplerate=8000, channels=1, format="FLAC", subtype="PCM_16") as fh:
        block = np.zeros(8000 * 1800, dtype=np.int16)
        for _ in range(6):
            fh.write(block)
    assert probe(long).duration == pytest.approx(3 * 3600)
    with pytest.raises(AudioTooLongError, match=r"180.0 minutes long, over the limit of 10.0 minutes.*max_audio_seconds"):
        load_audio(long, max_seconds=600)


def test_stereo_44k1_is_resampled_to_16k_mono(tmp_path):
    samples = load_audio(_sine(tmp_path / "stereo.wav", 44_100, 1.5, channels=2))
    assert samples.ndim == 1 and samples.dtype == np.float32
    assert len(samples) == pytest.approx(1.5 * SAMPLE_RATE, abs=2)
    assert _peak_hz(samples) == pytest.approx(440, abs=2)
    assert np.abs(samples).max() == pytest.approx(0.5, abs=0.05)


def test_8k_mono_is_resampled_to_16k(tmp_path):
    samples = load_audio(_sine(tmp_path / "phone.wav", 8_000, 2.0, freq=1000))
    assert len(samples) == 2 * SAMPLE_RATE
    assert _peak_hz(samples) == pytest.approx(1000, abs=2)


def test_one_second_of_silence_is_reported_as_no_speech_not_transcribed(tmp_path):
    import soundfile as sf

    quiet = tmp_path / "silence.wav"
    sf.write(str(quiet), np.zeros(16_000, dtype=np.float32), 16_000)
    assert is_silent(load_audio(quiet))
    model = WhisperTranscriber(root=tmp_path)
    [proposal] = model.predict([Item("s", "audio", "silence.wav")])
    assert proposal.value == Transcript("")
    assert proposal.meta["no_speech"] is True
    assert model._backend is None  # Whisper never saw it, so it could not invent words for it


# ---- adapter pieces that need no weights ----------------------------------------------------------


def test_model_names_pick_the_backend():
    assert split_name("faster-whisper:tiny.en") == ("faster-whisper", "tiny.en")
    assert split_name("openai-whisper:/m/tiny.pt") == ("openai-whisper", "/m/tiny.pt")
    assert split_name("tiny.en") == ("faster-whisper", "tiny.en")
    with pytest.raises(WhisperLoadError, match="backend must be one of"):
        split_name("whisperx:tiny")
    with pytest.raises(ValueError, match="fine_tune needs an 'openai-whisper"):
        WhisperTranscriber(model="faster-whisper:tiny.en", params={"fine_tune": True})


def test_vocabulary_keeps_domain_terms_in_their_spelling_and_digits_as_words():
    vocab = learn_vocabulary(["Call ActiveLabel now", "the ActiveLabel queue", "5", "five", "and the"])
    assert vocab[:2] == ["ActiveLabel", "five"]
    assert "the" not in vocab and "and" not in vocab


def test_confidence_features_penalise_repetition_and_calibrator_round_trips():
    good = RawTranscript("one", [-0.1], [0.05], [0.4], [("one", 0.9)])
    loop = RawTranscript("three " * 40, [-0.2], [0.05], [40.0], [("three", 0.8)] * 40)
    assert raw_confidence(features(good)) > raw_confidence(features(loop))
    rng = np.random.default_rng(0)
    feats = np.stack([features(good) + rng.normal(0, 0.05, 8) for _ in range(10)]
                     + [features(loop) + rng.normal(0, 0.05, 8) for _ in range(10)])
    right = np.array([True] * 10 + [False] * 10)
    cal = Calibrator().fit(feats, right)
    assert cal is not None
    again = Calibrator.from_json(json.loads(json.dumps(cal.to_json())))
    np.testing.assert_allclose(cal.predict(feats), again.predict(feats))
    assert again.predict(features(good))[0] > 0.5 > again.predict(features(loop))[0]
    assert Calibrator().fit(feats[:5], right[:5]) is None  # too few answers: the rule stays, visibly


# ---- metrics ----------------------------------------------------------------------------------------


def test_transcript_metrics():
    assert normalise("  Five. ") == "five" == normalise("5")
    assert exact_match(["Five.", "tree"], ["five", "three"]) == 0.5
    assert wer(["the cat sat"], ["the cat sat down"]) == pytest.approx(0.25)
    assert cer(["ab"], ["abc"]) == pytest.approx(1 / 3)
    assert wer([""], [""]) == 0.0  # no speech, correctly left empty


# ---- readers ------------------------------------------------------------------------------------------


@pytest.fixture()
def tr_project(tmp_path):
    project = Project.init(tmp_path / "proj", parse_config({"task": "transcription", "loop": {"retrain_every": 0}}))
    yield project
    project.close()


def test_folder_import_copies_into_media_and_rejects_each_bad_file(tr_project, tmp_path):
    folder = tr_sample.make_sample(tmp_path / "sample", n=3)
    (folder / "empty.wav").write_bytes(b"")
    (folder / "text.wav").write_text("not audio")
    report = tr_project.import_file(folder)
    assert (report.total, report.imported, report.rejected) == (5, 3, 2)
    reasons = " | ".join(r.reason for r in report.rejections)
    assert "empty (0 bytes)" in reasons and "not a readable audio file" in reasons
    items = [it for page in tr_project.store.iter_pool() for it in page]
    assert all(it.content.startswith("media/") and (tr_project.dir / it.content).exists() for it in items)
    assert {it.meta["sample_rate"] for it in items} == {8000}
    assert all(0.2 < it.meta["duration"] < 2.0 for it in items)
    again = tr_project.import_file(folder)  # the same audio twice is stored once
    assert again.imported == 0 and again.total == 5


def test_csv_manifest_with_transcripts_and_a_missing_file(tr_project, tmp_path):
    manifest = tr_sample.make_sample(tmp_path / "sample", n=3, with_transcripts=3)
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write("audio/gone.wav,hello\n")
    report = tr_project.import_file(manifest)
    assert (report.imported, report.rejected) == (3, 1)
    assert report.rejections[0].line == 5 and "no such file" in report.rejections[0].reason
    labels = tr_project.store.current_labels()
    assert sorted(r.value["text"] for r in labels) == sorted(
        tr_sample.answer_key(tmp_path / "sample").values())


def test_nemo_and_label_studio_manifests(tr_project, tmp_path):
    folder = tr_sample.make_sample(tmp_path / "sample", n=3)
    clips = sorted(folder.glob("*.wav"))
    nemo = tmp_path / "sample" / "manifest.json"
    nemo.write_text("\n".join(json.dumps({"audio_filepath": f"audio/{c.name}", "duration": 1.0, "text": "x"})
                              for c in clips[:2]) + "\n{broken\n", encoding="utf-8")
    report = tr_project.import_file(nemo)
    assert (report.imported, report.rejected) == (2, 1) and report.rejections[0].line == 3
    ls = tmp_path / "sample" / "ls.json"
    ls.write_text(json.dumps([{"data": {"audio": f"/data/upload/audio/{clips[2].name}"},
                               "annotations": [{"result": [{"type": "textarea", "value": {"text": ["seven"]}}]}]}]))
    report = tr_project.import_file(ls)
    assert report.imported == 1
    assert "seven" in {r.value["text"] for r in tr_project.store.current_labels()}


def test_labels_from_file_names_for_audio_classification(tmp_path):
    cfg = parse_config({"task": "audio_classification", "labels": ac_sample.LABELS, "loop": {"retrain_every": 0}})
    project = Project.init(tmp_path / "proj", cfg)
    try:
        folder = ac_sample.make_sample(tmp_path / "sample", n=4)
        (folder / "badname.wav").write_bytes((folder / sorted(p.name for p in folder.iterdir())[0]).read_bytes())
        report = project.import_file(folder, label_from_filename=ac_sample.PATTERN)
        assert (report.imported, report.rejected) == (4, 1)
        assert "does not match the label_from_filename pattern" in report.rejections[0].reason
        labels = project.store.current_labels()
        items = project.store.get_items([r.item_id for r in labels])
        for r in labels:
            item = items[r.item_id]
            assert ClassLabel(r.value["label"]) == ClassLabel(item.meta["original"].split("_")[0])
            assert item.meta["speaker"] in {"george", "jackson", "lucas", "nicolas"}
    finally:
        project.close()


def test_project_extra_sets_the_filename_rule_and_the_duration_limit(tmp_path):
    cfg = parse_config({"task": "audio_classification", "labels": ac_sample.LABELS, "loop": {"retrain_every": 0},
                        "extra": {"label_from_filename": ac_sample.PATTERN, "max_audio_seconds": 1.5}})
    project = Project.init(tmp_path / "proj", cfg)
    try:
        folder = ac_sample.make_sample(tmp_path / "sample", n=2)
        _sine(folder / "3_long_0.wav", 8000, 2.0)
        report = project.import_file(folder)
        assert (report.imported, report.rejected) == (2, 1)
        assert "over the limit" in report.rejections[0].reason and "3_long_0.wav" in report.rejections[0].reason
        assert len(project.store.current_labels()) == 2
    finally:
        project.close()


def test_simulation_loader_takes_the_truth_from_fsdd_file_names(tmp_path):
    from activelabel.simulation.tasks import load_dataset

    folder = ac_sample.make_sample(tmp_path / "sample", n=10)
    data = load_dataset("transcription", str(folder), seed=0, options={})
    assert (data.n_pool, data.n_eval) == (7, 3) and data.metric_name == "exact match"
    project = Project.init(tmp_path / "proj", parse_config({"task": "transcription", "loop": {"retrain_every": 0}}))
    try:
        spec = data.write_eval(tmp_path / "files")
        assert project.import_file(spec.path, as_gold=True, **spec.options).imported == 3
        pool = data.write_pool(tmp_path / "files")
        assert project.import_file(pool.path, **pool.options).imported == 7
        for item in [it for page in project.store.iter_pool() for it in page]:
            assert normalise(data.answer(item).text) == normalise(item.meta["original"].split("_")[0])
    finally:
        project.close()
    cls = load_dataset("audio_classification", str(folder), seed=0, options={})
    assert len(cls.labels) >= 2 and cls.metric_name == "accuracy"


def test_nan_scores_from_a_degenerate_output_give_a_finite_low_confidence():
    raw = RawTranscript("", [float("nan")], [float("nan")], [1.0], [])
    f = features(raw)
    assert np.isfinite(f).all()
    assert 0.0 <= raw_confidence(f) < 0.05
