"""The image_classification task kind end to end: import -> prelabel -> queue -> answer -> train -> export --package.

The package is checked in its ecosystem: Ultralytics' classify trainer trains one epoch on its
ImageNet-style folders, and torchvision's ImageFolder reads them.
"""

from __future__ import annotations

import csv
import importlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tests.detection_helpers  # noqa: F401  (YOLO_CONFIG_DIR in a temporary folder)
from activelabel.samples.image_classification import LABELS, label_of, make_sample
from activelabel.workspace import Workspace
from tests.image_classification_helpers import TINY_CLS_PARAMS

pytestmark = pytest.mark.slow


def _cli(*args: str) -> str:
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _configure(project: Path, **loop: object) -> None:
    """Tiny training (3 epochs at 32 px on the CPU), and training on demand only."""
    with Workspace.open(project) as ws:
        cfg = ws.config.model_copy(deep=True)
        cfg.model.params = {**TINY_CLS_PARAMS, "epochs": 3, "train_args": {"fliplr": 0.0}}
        for key, value in {"retrain_every": 0, **loop}.items():
            setattr(cfg.loop, key, value)
        ws.save_config(cfg)


def train_one_epoch_on_package(package: Path, work: Path) -> dict[str, object]:
    """Ultralytics' classify trainer on the package folder as it is: 1 epoch at 32 px."""
    from ultralytics import YOLO

    from activelabel.models.yolo import quiet_ultralytics

    quiet_ultralytics()
    net = YOLO("yolov8n-cls.yaml")
    net.train(data=str(package), epochs=1, imgsz=32, batch=16, device="cpu", workers=0, plots=False,
              project=str(work), name="pkg", exist_ok=True, verbose=False)
    return {"names": dict(net.names), "weights": (work / "pkg" / "weights" / "last.pt").is_file()}


def test_image_classification_runs_import_to_package(tmp_path: Path) -> None:
    images = make_sample(tmp_path / "sample", 120, seed=4)
    sheet = tmp_path / "pool.csv"  # 20 labeled rows, the rest unlabeled
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "label"])
        for i, f in enumerate(sorted(images.iterdir())):
            w.writerow([f"sample/digits/{f.name}", label_of(f.name) if i < 20 else ""])
    project = tmp_path / "digits"
    _cli("init", str(project), "--task", "image_classification", "--labels", ",".join(LABELS))
    _configure(project)
    assert "imported 120" in _cli("import", str(project), str(sheet))
    _cli("prelabel", str(project))
    queued = [json.loads(line) for line in _cli("queue", str(project), "-n", "30", "--json").splitlines()]
    assert len(queued) == 30
    with Workspace.open(project) as ws:
        names = {it.id: it.meta["file"] for it in ws.store.get_items([q["id"] for q in queued]).values()}
    for row in queued:
        _cli("annotate", str(project), row["id"], label_of(names[row["id"]]), "--annotator", "alice")
    _cli("train", str(project), "--wait")
    status = json.loads(_cli("status", str(project), "--json"))
    assert status["task"] == "image_classification" and status["current_version"]
    version = next(v for v in status["versions"] if v["id"] == status["current_version"])
    assert 0.0 <= version["metrics"]["accuracy"] <= 1.0 and "macro_f1" in version["metrics"]

    # the re-scored pool: each item a label proposal with the top class probability as its confidence
    after = [json.loads(line) for line in _cli("queue", str(project), "-n", "5", "--json").splitlines()]
    assert after and all(set(r["proposed"]) == {"label"} and r["proposed"]["label"] in LABELS for r in after)

    # auto-accept everything the queue does not hold (a threshold no 10-class top probability misses)
    _configure(project, auto_accept_threshold=0.0, audit_rate=0.0)
    _cli("prelabel", str(project))
    out = tmp_path / "package"
    _cli("export", str(project), str(out), "--package")
    with (out / "labels.csv").open(encoding="utf-8") as fh:
        listed = list(csv.DictReader(fh))
    human = [r for r in listed if r["source"] == "human"]
    auto = [r for r in listed if r["source"] == "auto"]
    assert len(human) == 50 and auto, "20 imported labels and 30 answers, the rest auto-accepted"
    assert all(r["split"] in ("train", "val", "test") and r["label"] == label_of(Path(r["path"]).name)
               for r in human)
    assert all(r["split"] == "auto" and r["path"].startswith(f"auto/{r['label']}/") for r in auto)
    in_splits = {p.name for sp in ("train", "val", "test") for p in (out / sp).rglob("*.png")}
    assert in_splits == {Path(r["path"]).name for r in human}  # a label no person gave never ships as one
    assert all(len({p.name for p in (out / sp).iterdir()}) == len(LABELS) for sp in ("train", "val", "test"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "image_classification" and "labels.csv" in manifest["files"]

    # the package loads in its ecosystem: torchvision's ImageFolder, and Ultralytics trains on it as it is
    from torchvision.datasets import ImageFolder

    train = ImageFolder(str(out / "train"), allow_empty=True)
    assert train.classes == sorted(LABELS) and len(train) == sum(r["split"] == "train" for r in human)
    trained = train_one_epoch_on_package(out, tmp_path / "runs")
    assert trained["weights"] and sorted(trained["names"].values()) == sorted(LABELS)  # type: ignore[attr-defined]

    # the package imports again: split folders as answers, auto/ as predictions only
    again = tmp_path / "again"
    _cli("init", str(again), "--task", "image_classification", "--labels", ",".join(LABELS))
    assert f"imported {len(listed)}" in _cli("import", str(again), str(out))
    with Workspace.open(again) as ws:
        assert len(ws.store.current_labels()) == len(human)


def test_demo_builds_the_image_classification_project_only_when_asked(tmp_path: Path) -> None:
    from activelabel.demo import DEMO_TASKS

    assert "image_classification" not in DEMO_TASKS
    out = _cli("demo", "--root", str(tmp_path / "demo"), "--no-serve", "--task", "image_classification", "-n", "40")
    assert "[image_classification] imported 40 items" in out and "cold start" in out
    with Workspace.open(tmp_path / "demo" / "image_classification") as ws:
        assert ws.spec.name == "image_classification" and ws.config.labels == LABELS
        assert ws.config.model_name == "yolov8n-cls.yaml" and ws.config.model.params["imgsz"] == 32


def test_simulate_runs_on_class_folders(tmp_path: Path) -> None:
    data = make_sample(tmp_path / "s", 60, seed=5, with_labels=True)
    out = tmp_path / "sim"
    _cli("simulate", "--task", "image_classification", "--dataset", str(data), "--strategies", "random,margin",
         "--seeds", "1", "--init", "10", "--batch", "10", "--budget", "20", "--out", str(out))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["task"] == "image_classification" and set(summary["strategies"]) == {"random", "margin"}
    assert 0.0 < summary["full_metric"] <= 1.0


def test_agreement_report_gives_kappa_per_pair_and_per_label(tmp_path: Path) -> None:
    from activelabel.config import parse_config
    from activelabel.project import Project
    from activelabel.quality.agreement import agreement_report
    from activelabel.types import ClassLabel

    images = make_sample(tmp_path / "s", 8, seed=6)
    cfg = parse_config({"name": "agree", "task": "image_classification", "labels": LABELS,
                        "loop": {"retrain_every": 0}})
    with Project.init(tmp_path / "p", cfg) as project:
        assert project.import_file(images).imported == 8
        items = [it for page in project.store.iter_pool() for it in page]
        for n, it in enumerate(items):
            truth = label_of(it.meta["file"])
            project.submit(it.id, ClassLabel(truth), annotator="alice", trigger_retrain=False)
            bob = LABELS[(LABELS.index(truth) + 1) % 10] if n == 0 else truth  # bob differs on one image
            project.submit(it.id, ClassLabel(bob), annotator="bob", trigger_retrain=False)
        report = agreement_report(project)
    (pair,) = report["pairs"]
    assert pair["annotators"] == ["alice", "bob"] and pair["observed_agreement"] == 7 / 8
    assert 0.0 < pair["value"] < 1.0
    assert {row["label"] for row in report["per_label"]} <= set(LABELS)
