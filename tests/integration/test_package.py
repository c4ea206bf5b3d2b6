"""`export --package` output loads in its own ecosystem: pandas, spaCy's DocBin, Ultralytics."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from activelabel.config import parse_config
from activelabel.packaging import stratified_split
from activelabel.project import Project
from activelabel.store.repository import NewItem
from activelabel.types import Box, Boxes, ClassLabel, Item, Span, Spans
from tests.conftest import make_text_dataset, write_tsv


def _cli(*args: str):
    import importlib

    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    return CliRunner().invoke(app, list(args))


def test_split_is_stratified_seeded_and_complete():
    keys = [f"k{i}" for i in range(200)]
    strata = ["a" if i % 4 else "b" for i in range(200)]  # 150 a, 50 b
    one = stratified_split(keys, strata, (0.8, 0.1, 0.1), seed=7)
    assert one == stratified_split(list(reversed(keys)), list(reversed(strata)), (0.8, 0.1, 0.1), seed=7)
    assert one != stratified_split(keys, strata, (0.8, 0.1, 0.1), seed=8)
    for label, n in (("a", 150), ("b", 50)):
        got = [one[k] for k, s in zip(keys, strata, strict=True) if s == label]
        assert got.count("test") == round(n * 0.1) and got.count("validation") == round(n * 0.1)
    with pytest.raises(ValueError):
        stratified_split(keys, strata, (0.5, 0.1, 0.1), seed=0)


def test_classification_package_reads_with_pandas(tmp_path):
    cfg = parse_config({"name": "c", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"retrain_every": 0}})
    rows = make_text_dataset(60, seed=4)
    with Project.init(tmp_path / "p", cfg) as project:
        project.import_file(write_tsv(tmp_path / "pool.tsv", rows[:50], with_labels=False))
        project.import_file(write_tsv(tmp_path / "gold.tsv", rows[50:]), as_gold=True)
        truth = dict(rows)
        for it in project.store.get_items([i.id for page in project.store.iter_pool() for i in page]).values():
            project.submit(it.id, ClassLabel(truth[it.content]), annotator="ann", duration_s=3.0,
                           trigger_retrain=False)
    out = tmp_path / "pkg"
    result = _cli("export", str(tmp_path / "p"), str(out), "--package")
    assert result.exit_code == 0, result.output
    frames = {sp: pd.read_csv(out / f"{sp}.csv") for sp in ("train", "validation", "test")}
    assert sum(len(f) for f in frames.values()) == 60
    whole = pd.concat(frames.values())
    assert set(whole.columns) >= {"id", "text", "label", "source", "annotator"}
    assert dict(whole.groupby("source").size()) == {"gold": 10, "human": 50}
    assert all(whole.apply(lambda r: truth[r["text"]] == r["label"], axis=1))
    report = json.loads((out / "report.json").read_text())
    assert report["cost"]["answers"] == 50 and report["cost"]["seconds"] == pytest.approx(150.0)
    headline = {h["title"]: h["count"] for h in report["headline"]}
    assert headline["Answers"] == 50  # the dashboard's count of answers, by the same definition
    markdown = (out / "REPORT.md").read_text()
    assert "## Gold accuracy" in markdown and "Answers 50" in markdown
    again = _cli("export", str(tmp_path / "p"), str(out), "--package")
    assert again.exit_code == 1 and "not an empty folder" in again.output


def test_ner_package_reads_with_spacy_docbin(tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    cfg = parse_config({"name": "n", "task": "ner", "labels": ["PER", "LOC"], "loop": {"retrain_every": 0}})
    texts = [f"Ann {i} went to Paris" for i in range(12)]
    with Project.init(tmp_path / "p", cfg) as project:
        project.store.add_items([NewItem(Item(f"n{i:03d}", "text", t)) for i, t in enumerate(texts)])
        for i, t in enumerate(texts):
            spans = Spans((Span(0, 3, "PER"), Span(t.index("Paris"), len(t), "LOC")))
            project.submit(f"n{i:03d}", spans, annotator="ann", trigger_retrain=False)
    out = tmp_path / "pkg"
    assert _cli("package", str(tmp_path / "p"), str(out)).exit_code == 0
    nlp = spacy.blank("en")
    docs = [d for sp in ("train", "validation", "test")
            for d in DocBin().from_disk(out / f"{sp}.spacy").get_docs(nlp.vocab)]
    assert len(docs) == 12
    assert all([(e.text, e.label_) for e in d.ents] == [("Ann", "PER"), ("Paris", "LOC")] for d in docs)


def _detection_package(tmp_path: Path, n: int = 10) -> Path:
    from PIL import Image, ImageDraw

    cfg = parse_config({"name": "d", "task": "detection", "labels": ["square"], "loop": {"retrain_every": 0}})
    (tmp_path / "p" / "media").mkdir(parents=True)
    with Project.init(tmp_path / "p", cfg) as project:
        for i in range(n):
            img = Image.new("RGB", (64, 64), (20, 20, 20))
            x = 8 + 3 * i
            ImageDraw.Draw(img).rectangle([x, 10, x + 20, 40], fill=(230, 200, 30))
            img.save(tmp_path / "p" / "media" / f"img{i}.png")
            project.store.add_items([NewItem(Item(f"d{i:03d}", "image", f"media/img{i}.png",
                                                  {"width": 64, "height": 64}))])
            project.submit(f"d{i:03d}", Boxes((Box(x, 10, x + 20, 40, "square"),)), annotator="ann",
                           trigger_retrain=False)
    out = tmp_path / "pkg"
    result = _cli("export", str(tmp_path / "p"), str(out), "--package")
    assert result.exit_code == 0, result.output
    return out


def test_detection_package_is_a_yolo_folder(tmp_path):
    import yaml

    out = _detection_package(tmp_path)
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["names"] == {0: "square"} and data["val"] == "images/validation"
    labels = sorted((out / "labels").rglob("*.txt"))
    assert len(labels) == 10 and len(list((out / "images").rglob("*.png"))) == 10
    cls, cx, cy, w, h = labels[0].read_text().split()
    assert cls == "0" and 0 < float(cx) < 1 and float(h) == pytest.approx(30 / 64, abs=1e-4)


@pytest.mark.slow
def test_ultralytics_trains_one_epoch_on_the_package(tmp_path, monkeypatch):
    pytest.importorskip("ultralytics")
    monkeypatch.setenv("YOLO_CONFIG_DIR", str(tmp_path / "ycfg"))
    out = _detection_package(tmp_path)
    from ultralytics import YOLO

    model = YOLO("yolov8n.yaml")
    model.train(data=str(out / "data.yaml"), epochs=1, imgsz=64, batch=4, device="cpu", workers=0,
                project=str(tmp_path / "runs"), name="t", plots=False, val=False, amp=False, verbose=False)
    assert list((tmp_path / "runs").rglob("last.pt"))


def test_transcription_package_and_wer_agreement(tmp_path):
    pytest.importorskip("jiwer")
    from activelabel.quality.agreement import agreement_report
    from activelabel.types import Transcript

    cfg = parse_config({"name": "t", "task": "transcription", "labels": [], "loop": {"retrain_every": 0}})
    (tmp_path / "p" / "media").mkdir(parents=True)
    with Project.init(tmp_path / "p", cfg) as project:
        for i in range(10):
            (tmp_path / "p" / "media" / f"clip{i}.wav").write_bytes(b"RIFF-not-decoded-here")
            project.store.add_items([NewItem(Item(f"a{i:03d}", "audio", f"media/clip{i}.wav"))])
            project.submit(f"a{i:03d}", Transcript(f"say the number {i}"), annotator="ann1", trigger_retrain=False)
            project.submit(f"a{i:03d}", Transcript(f"say number {i}"), annotator="ann2", trigger_retrain=False)
        ag = agreement_report(project)
        assert ag["metric"] == "wer" and ag["pairs"][0]["n_items"] == 10
        assert ag["pairs"][0]["value"] == pytest.approx((1 / 4 + 1 / 3) / 2)  # 1 deletion / 4, 1 insertion / 3
    out = tmp_path / "pkg"
    assert _cli("package", str(tmp_path / "p"), str(out)).exit_code == 0
    frames = pd.concat(pd.read_csv(out / f"{sp}.csv") for sp in ("train", "validation", "test"))
    assert len(frames) == 10 and all((out / p).is_file() for p in frames["path"])
    assert set(frames["status"]) == {"tie"}  # two people disagree and nobody resolved: flagged in the report
