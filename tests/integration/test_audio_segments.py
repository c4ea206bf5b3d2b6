"""Audio segments end to end: import -> prelabel -> queue -> answer -> train -> export --package, with
Whisper tiny.en (int8, CPU) finding the speech and the encoder head labeling the speakers."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activelabel.samples.audio_segments import LABELS, answer_key, make_sample
from activelabel.workspace import Workspace

pytestmark = pytest.mark.slow
pytest.importorskip("faster_whisper")


def _cli(*args: str) -> str:
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def read_rttm_reference(text: str) -> list[tuple[str, float, float, str]]:
    """A minimal RTTM reader written from the NIST RTTM spec (pyannote is not installed here): ten
    space-separated fields, type SPEAKER, file, channel, onset, duration, ortho, stype, name, conf, slat."""
    out = []
    for line in text.splitlines():
        f = line.split(" ")
        if not line.strip():
            continue
        assert len(f) == 10 and f[0] == "SPEAKER" and f[2] == "1" and f[5] == f[6] == f[8] == f[9] == "<NA>", line
        out.append((f[1], float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return out


def test_audio_segments_run_import_to_package(tmp_path: Path) -> None:
    project = tmp_path / "turns"
    sample = make_sample(tmp_path / "sample", n=8, seed=2)
    truth = answer_key(tmp_path / "sample", n=8, seed=2)
    _cli("init", str(project), "--task", "audio_segments", "--labels", ",".join(LABELS))
    with Workspace.open(project) as ws:
        ws.save_config(ws.config.model_copy(update={
            "loop": ws.config.loop.model_copy(update={"retrain_every": 0}),
            "model": ws.config.model.model_copy(update={"params": {"device": "cpu"}})}))
    assert "imported 8" in _cli("import", str(project), str(sample))
    _cli("prelabel", str(project))
    queued = [json.loads(line) for line in _cli("queue", str(project), "-n", "6", "--json").splitlines()]
    assert len(queued) == 6
    # Whisper's segments come unlabeled before training, at confidence 0
    assert all(s["label"] is None for q in queued for s in q["proposed"]["segments"])
    assert any(q["proposed"]["segments"] for q in queued)
    with Workspace.open(project) as ws:
        items = ws.store.get_items([q["id"] for q in queued])
        names = {q["id"]: str(items[q["id"]].meta["original"]) for q in queued}
    for q in queued:
        segs = [{"start": s, "end": e, "label": lab} for s, e, lab in truth[names[q["id"]]]]
        _cli("annotate", str(project), q["id"], json.dumps(segs), "--annotator", "alice")
    _cli("train", str(project), "--wait")
    status = json.loads(_cli("status", str(project), "--json"))
    assert status["current_version"] != "v0001"  # v0001 is Whisper alone, before any answer

    # the re-scored pool: labeled segments with a margin each
    after = [json.loads(line) for line in _cli("queue", str(project), "-n", "2", "--json").splitlines()]
    assert after and all(s["label"] in LABELS and 0 <= s["confidence"] <= 1
                         for r in after for s in r["proposed"]["segments"])

    out = tmp_path / "package"
    _cli("export", str(project), str(out), "--package")
    shipped = [json.loads(line) for sp in ("train", "validation", "test")
               for line in (out / f"{sp}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in shipped) == sorted(names)  # human answers only: no auto labels shipped
    for r in shipped:
        # the package loads in its ecosystem's format: RTTM, read by a reference reader, and the audio
        ref = read_rttm_reference((out / r["rttm"]).read_text(encoding="utf-8"))
        want = truth[names[r["id"]]]
        assert [(fid, round(s, 3), round(e, 3), lab) for fid, s, e, lab in ref] == \
            [(r["file_id"], round(s, 3), round(e, 3), lab) for s, e, lab in want]
        import soundfile as sf

        assert abs(sf.info(str(out / r["audio"])).duration - r["duration"]) < 1e-3

    # RTTM export imports again as the same segments
    again_src = tmp_path / "rttm"
    _cli("export", str(project), str(again_src), "--format", "rttm")
    again = tmp_path / "again"
    _cli("init", str(again), "--task", "audio_segments", "--labels", ",".join(LABELS))
    assert "imported 6" in _cli("import", str(again), str(again_src))


def test_demo_builds_the_segments_project_only_when_asked(tmp_path: Path) -> None:
    from activelabel.demo import DEMO_TASKS

    assert "audio_segments" not in DEMO_TASKS
    out = _cli("demo", "--root", str(tmp_path / "demo"), "--no-serve", "--task", "audio_segments", "-n", "3")
    assert "[audio_segments] imported 3 items" in out
    with Workspace.open(tmp_path / "demo" / "audio_segments") as ws:
        assert ws.spec.name == "audio_segments" and ws.config.labels == LABELS


def test_label_studio_sdk_reads_our_audio_region_export(tmp_path: Path) -> None:
    converter = pytest.importorskip("label_studio_sdk.converter")
    from activelabel.config import parse_config
    from activelabel.exporting import export_project
    from activelabel.importing import import_path
    from activelabel.samples.audio_segments import recordings

    with Workspace.init(tmp_path / "p", parse_config({"task": "audio_segments", "labels": LABELS})) as ws:
        assert import_path(ws, make_sample(tmp_path / "s", 3, seed=1, with_labels=True)).imported == 3
        out = tmp_path / "ls"
        assert export_project(ws, out, fmt="labelstudio") == 3
    xml = (out / "label_config.xml").read_text(encoding="utf-8")
    assert "<Audio" in xml and "<Labels" in xml
    conv = converter.Converter(str(out / "label_config.xml"), project_dir=str(out), download_resources=False)
    conv.convert(str(out / "tasks.json"), str(tmp_path / "min"), "JSON_MIN", is_dir=False)
    got = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    regions = {Path(t["audio"]).stem: [(r["start"], r["end"], r["labels"][0]) for r in t["label"]] for t in got}
    assert regions == {r.name: [(round(s, 4), round(e, 4), lab) for s, e, lab in r.segments]
                       for r in recordings(3, seed=1)}
