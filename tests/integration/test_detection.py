"""The detection loop end to end on tiny synthetic images: cold start -> boxes -> YOLO fine-tuning -> re-score.

Training is kept tiny (1 epoch at 64 px) and writes only into temporary folders; these tests check
that the parts fit together (versions, metrics, proposals with per-box confidences, warm starts,
weights by path with a label map, export), not how accurate the model gets (see benchmarks/).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.exporting import export_project
from activelabel.formats.yolo_txt import parse_label_file
from activelabel.project import Project
from activelabel.samples.detection import LABELS, make_sample
from activelabel.types import Boxes
from tests.detection_helpers import TINY_PARAMS

pytestmark = pytest.mark.slow


def _truth(sample: Path, name: str, width: int, height: int) -> Boxes:
    boxes = parse_label_file(sample / "labels" / (Path(name).stem + ".txt"), LABELS, width, height)
    assert isinstance(boxes, list)
    from activelabel.types import Box

    return Boxes(tuple(Box(*b) for b in boxes))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A project with 12 images, 10 answered, trained once (shared by the tests below)."""
    tmp = tmp_path_factory.mktemp("detect")
    sample = make_sample(tmp / "sample", 12, seed=5, size=64, max_shapes=2)
    cfg = parse_config({"name": "shapes", "task": "detection", "labels": LABELS,
                        "model": {"name": "yolov8n.yaml", "params": dict(TINY_PARAMS)},
                        "loop": {"strategy": "least_confidence", "retrain_every": 0, "human_budget_per_round": 10,
                                 "auto_accept_threshold": 1.0, "audit_rate": 0.0}})
    project = Project.init(tmp / "proj", cfg)
    report = project.import_file(sample / "images", fmt="images")
    assert (report.imported, report.rejected) == (12, 0)
    first = project.prelabel()
    assert first["model_version"] is None and first["n_queued"] >= 10  # cold start: no weights yet
    for q in project.claim("alice", 10):
        meta = q.entry.item.meta
        project.submit(q.entry.item.id, _truth(sample, meta["file"], meta["width"], meta["height"]), annotator="alice")
    version = project.train(wait=True)
    yield project, version, sample
    project.close()


def test_training_writes_an_immutable_version_with_map_metrics(trained):
    project, version, _ = trained
    info = project.store.get_version(version)
    assert info.status == "promoted"
    assert {"metric", "map50", "map50_95"} <= set(info.metrics)
    assert info.metrics["evaluated_on"] == "validation_split" and info.n_validation == 2
    folder = Path(info.path)
    assert {"best.pt", "args.yaml", "detector.json", "adapter.json"} <= {p.name for p in folder.iterdir()}
    assert "imgsz: 64" in (folder / "args.yaml").read_text()


def test_rescored_queue_carries_box_proposals_with_per_box_confidences(trained):
    project, version, _ = trained
    queued = project.queue(5)
    assert queued, "the two unanswered images are queued again"
    for q in queued:
        assert q.proposal is not None and q.proposal["model_version"] == version
        boxes = q.proposal["value"]["boxes"]
        assert len(q.proposal["parts"]) == len(boxes)
        assert all(0.0 <= c <= 1.0 for c in q.proposal["parts"])
        assert 0.0 <= q.proposal["confidence"] <= 1.0


def test_retraining_warm_starts_from_the_current_version(trained):
    project, first, _ = trained
    second = project.train(wait=True)
    assert second != first
    info = project.store.get_version(second)
    assert info.base_version == first
    import json

    state = json.loads((Path(info.path) / "detector.json").read_text())
    assert state["train_info"]["start"] == "previous version"


def test_weights_by_path_with_a_label_map_prelabel_at_once(trained, tmp_path):
    project, version, _ = trained
    weights = Path(project.store.get_version(version).path) / "best.pt"
    user_copy = tmp_path / "best.pt"  # a user's own weights file, outside any project
    user_copy.write_bytes(weights.read_bytes())
    cfg = parse_config({"task": "detection", "labels": ["shape"],
                        "model": {"name": str(user_copy), "params": {**TINY_PARAMS, "conf": 0.01},
                                  "label_map": {"square": "shape", "circle": "shape", "triangle": "shape"}}})
    with Project.init(tmp_path / "mapped", cfg) as other:
        other.import_file(make_sample(tmp_path / "more", 3, seed=9, size=64) / "images", fmt="images")
        result = other.prelabel()
        assert result["model_version"] is not None and result["n_scored"] == 3  # pretrained: no training needed
        stored = Path(other.store.get_version(result["model_version"]).path)
        assert (stored / "best.pt").read_bytes() == weights.read_bytes()  # copied into the project's store
        for q in other.queue(3):
            assert all(b["label"] == "shape" for b in q.proposal["value"]["boxes"])


@pytest.mark.parametrize("fmt", ["yolo", "coco", "voc"])
def test_export_after_the_loop(trained, tmp_path, fmt):
    project, _, _ = trained
    n = export_project(project, tmp_path / fmt, fmt=fmt, include_predictions=True)
    assert n == 12


def test_import_activelabel_loads_no_torch():
    code = "import sys, activelabel, activelabel.cli, activelabel.formats.detection, activelabel.models.yolo; " \
           "print(sorted(m for m in ('torch', 'ultralytics') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
