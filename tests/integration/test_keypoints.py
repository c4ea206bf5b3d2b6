"""The keypoints kind end to end on tiny synthetic arrows: import -> prelabel -> queue -> answer ->
train -> ``export --package`` (Ultralytics trains one epoch on it) and ``export --format coco``
(pycocotools reads it and scores it against itself). Training is 1 epoch at 64 px: these tests check
the plumbing, not accuracy (see benchmarks/keypoints_al.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from activelabel.config import parse_config
from activelabel.errors import ActiveLabelError, InvalidLabelError
from activelabel.exporting import export_project
from activelabel.packaging import package_project
from activelabel.project import Project
from activelabel.samples.keypoints import EXTRA, LABELS, make_sample, truth
from activelabel.types import Poses
from tests.detection_helpers import TINY_PARAMS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """12 images imported unlabeled, 10 answered from the truth, trained once, pre-labeled again."""
    tmp = tmp_path_factory.mktemp("kp")
    sample = make_sample(tmp / "sample", 12, seed=5, size=64)
    known = truth(sample)
    cfg = parse_config({"name": "arrows", "task": "keypoints", "labels": LABELS, "extra": EXTRA,
                        "model": {"params": {**TINY_PARAMS, "conf": 0.01, "floor": 0.001}},
                        "loop": {"strategy": "least_confidence", "retrain_every": 0, "human_budget_per_round": 10,
                                 "auto_accept_threshold": 1.0, "audit_rate": 0.0}})
    project = Project.init(tmp / "proj", cfg)
    report = project.import_file(sample / "images", fmt="images")
    assert (report.imported, report.rejected) == (12, 0)
    first = project.prelabel()
    assert first["model_version"] is None and first["n_queued"] >= 10  # cold start
    for q in project.claim("alice", 10):
        project.submit(q.entry.item.id, Poses.from_json(known[q.entry.item.meta["file"]]), annotator="alice")
    version = project.train(wait=True)
    yield project, version, tmp
    project.close()


def test_training_gives_a_version_with_mean_oks_and_proposals_with_points(trained):
    project, version, _ = trained
    info = project.store.get_version(version)
    assert info.status == "promoted" and "mean_oks" in info.metrics
    again = project.prelabel()
    assert again["model_version"] == version
    queued = project.queue(5)
    assert queued and all(q.proposal is not None for q in queued)
    for q in queued:
        for obj in Poses.from_json(q.proposal["value"]).objects:
            assert [k.name for k in obj.keypoints] == EXTRA["keypoints"]
            assert all(k.confidence is not None and k.v in (1, 2) for k in obj.keypoints)


def test_an_answer_with_a_point_outside_the_image_is_refused_naming_the_item(trained):
    project, _, _ = trained
    (q,) = project.claim("bob", 1)
    bad = {"objects": [{"x0": 1, "y0": 1, "x1": 20, "y1": 20, "label": LABELS[0], "keypoints": [
        {"name": "tip", "x": 70, "y": 5, "v": 2}, {"name": "left", "x": 2, "y": 2, "v": 2},
        {"name": "right", "x": 3, "y": 3, "v": 2}]}]}
    with pytest.raises(InvalidLabelError, match=rf"item {q.entry.item.id}.*'tip' \(70, 5\): outside the 64x64 image"):
        project.submit(q.entry.item.id, Poses.from_json(bad), annotator="bob")
    wrong_names = {"objects": [{**bad["objects"][0], "keypoints": bad["objects"][0]["keypoints"][1:]}]}
    with pytest.raises(InvalidLabelError, match="the project's keypoints are"):
        project.submit(q.entry.item.id, Poses.from_json(wrong_names), annotator="bob")


def test_package_is_a_yolo_pose_folder_that_ultralytics_trains_on(trained, tmp_path, monkeypatch):
    import yaml

    project, _, _ = trained
    out = tmp_path / "pkg"
    package_project(project, out, include_auto=False)
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["kpt_shape"] == [3, 3] and data["flip_idx"] == [0, 2, 1] and data["names"] == dict(enumerate(LABELS))
    line = next(p for p in sorted((out / "labels").rglob("*.txt")) if p.read_text().strip()).read_text().split("\n")[0]
    assert len(line.split()) == 5 + 3 * 3
    monkeypatch.setenv("YOLO_CONFIG_DIR", str(tmp_path / "ycfg"))
    from ultralytics import YOLO

    model = YOLO("yolov8n-pose.yaml")
    model.train(data=str(out / "data.yaml"), epochs=1, imgsz=64, batch=4, device="cpu", workers=0,
                project=str(tmp_path / "runs"), name="t", plots=False, val=False, amp=False, verbose=False)
    assert list((tmp_path / "runs").rglob("last.pt"))


def test_coco_export_is_read_by_pycocotools_and_imports_again(trained, tmp_path):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    project, _, _ = trained
    out = tmp_path / "coco"
    assert export_project(project, out, fmt="coco") == 10
    coco = COCO(str(out / "annotations.json"))
    assert [c["keypoints"] for c in coco.loadCats(coco.getCatIds())] == [EXTRA["keypoints"]] * len(LABELS)
    anns = coco.loadAnns(coco.getAnnIds())
    assert anns and all(len(a["keypoints"]) == 9 for a in anns)
    dets = coco.loadRes([{**a, "score": 1.0} for a in anns])
    ev = COCOeval(coco, dets, "keypoints")
    ev.params.kpt_oks_sigmas = np.full(3, 0.05)  # COCO's defaults are for 17 body parts
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)  # the export against itself: OKS AP 1
    cfg = parse_config({"name": "again", "task": "keypoints", "labels": LABELS, "extra": EXTRA})
    with Project.init(tmp_path / "again", cfg) as again:
        report = again.import_file(out)
        assert (report.imported, report.rejected) == (10, 0)


def test_coco_reader_rejects_a_bad_image_and_goes_on(tmp_path):
    sample = make_sample(tmp_path / "s", 3, seed=1, size=64)
    data = json.loads((sample / "annotations.json").read_text())
    first = next(a for a in data["annotations"] if a["image_id"] == 1)
    first["keypoints"][0] = 99.0  # the tip, outside the 64 px image
    (sample / "annotations.json").write_text(json.dumps(data))
    cfg = parse_config({"name": "r", "task": "keypoints", "labels": LABELS, "extra": EXTRA})
    with Project.init(tmp_path / "p", cfg) as project:
        report = project.import_file(sample)
    assert (report.imported, report.rejected) == (2, 1)
    assert "keypoint 'tip' (99" in report.rejections[0].reason and "outside the 64x64 image" in report.rejections[0].reason


def test_a_keypoints_project_must_name_its_keypoints():
    with pytest.raises((ValueError, ActiveLabelError), match=r"\[extra\] keypoints"):
        parse_config({"name": "x", "task": "keypoints", "labels": LABELS})
