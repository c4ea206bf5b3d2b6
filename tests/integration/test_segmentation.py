"""The segmentation kind end to end on tiny synthetic shapes: import -> prelabel -> queue -> answer ->
train -> ``export --package`` (Ultralytics trains one epoch on it) and ``export --format coco``
(pycocotools reads it and scores it against itself). Training is 1 epoch at 64 px: these tests check
the plumbing, not accuracy (see benchmarks/segmentation_al.py)."""

from __future__ import annotations

import pytest

from activelabel.config import parse_config
from activelabel.errors import InvalidLabelError
from activelabel.exporting import export_project
from activelabel.packaging import package_project
from activelabel.project import Project
from activelabel.samples.segmentation import LABELS, make_sample, truth
from activelabel.types import Masks
from tests.detection_helpers import TINY_PARAMS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """12 images imported unlabeled, 10 answered from the truth, trained once, pre-labeled again."""
    tmp = tmp_path_factory.mktemp("seg")
    sample = make_sample(tmp / "sample", 12, seed=5, size=64)
    known = truth(sample)
    cfg = parse_config({"name": "shapes", "task": "segmentation", "labels": LABELS,
                        "model": {"params": {**TINY_PARAMS, "conf": 0.01, "floor": 0.001}},
                        "loop": {"strategy": "least_confidence", "retrain_every": 0, "human_budget_per_round": 10,
                                 "auto_accept_threshold": 1.0, "audit_rate": 0.0}})
    project = Project.init(tmp / "proj", cfg)
    report = project.import_file(sample / "images", fmt="images")
    assert (report.imported, report.rejected) == (12, 0)
    first = project.prelabel()
    assert first["model_version"] is None and first["n_queued"] >= 10  # cold start
    for q in project.claim("alice", 10):
        project.submit(q.entry.item.id, Masks.from_json(known[q.entry.item.meta["file"]]), annotator="alice")
    version = project.train(wait=True)
    yield project, version, tmp
    project.close()


def test_training_gives_a_version_with_mask_iou_and_proposals_with_polygons(trained):
    project, version, _ = trained
    info = project.store.get_version(version)
    assert info.status == "promoted" and "mean_mask_iou" in info.metrics
    again = project.prelabel()
    assert again["model_version"] == version
    queued = project.queue(2)
    assert queued and all(q.proposal is not None for q in queued)
    for q in queued:
        value = Masks.from_json(q.proposal["value"])
        value.validate(LABELS, 64, 64)  # whatever a one-epoch model proposes is a valid answer shape
        assert all(o.box.confidence is not None for o in value.objects)
        assert 0.0 <= q.proposal["confidence"] <= 1.0


def test_an_answer_with_a_point_outside_the_image_is_refused_naming_the_item(trained):
    project, _, _ = trained
    (q,) = project.claim("bob", 1)
    bad = {"objects": [{"label": LABELS[0], "polygons": [[2, 2, 70, 5, 10, 30]]}]}
    with pytest.raises(InvalidLabelError, match=rf"item {q.entry.item.id}: object 1 \(disc\) polygon 1 .*outside "
                                                r"the 64x64 image"):
        project.submit(q.entry.item.id, Masks.from_json(bad), annotator="bob")
    line = {"objects": [{"label": LABELS[1], "polygons": [[2, 2, 10, 10, 20, 20]]}]}
    with pytest.raises(InvalidLabelError, match="has no area"):
        project.submit(q.entry.item.id, Masks.from_json(line), annotator="bob")
    unknown = {"objects": [{"label": "blob", "polygons": [[2, 2, 10, 2, 10, 10]]}]}
    with pytest.raises(InvalidLabelError, match="unknown label 'blob'"):
        project.submit(q.entry.item.id, Masks.from_json(unknown), annotator="bob")


def test_package_is_a_yolo_seg_folder_that_ultralytics_trains_on(trained, tmp_path, monkeypatch):
    import yaml

    project, _, _ = trained
    out = tmp_path / "pkg"
    package_project(project, out, include_auto=False)
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["names"] == dict(enumerate(LABELS))
    line = next(p for p in sorted((out / "labels").rglob("*.txt")) if p.read_text().strip()).read_text().split("\n")[0]
    values = line.split()
    assert len(values) >= 7 and len(values) % 2 == 1 and all(0.0 <= float(v) <= 1.0 for v in values[1:])
    monkeypatch.setenv("YOLO_CONFIG_DIR", str(tmp_path / "ycfg"))
    from ultralytics import YOLO

    model = YOLO("yolov8n-seg.yaml")
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
    anns = coco.loadAnns(coco.getAnnIds())
    assert anns and all(coco.annToMask(a).sum() > 0 for a in anns)
    dets = coco.loadRes([{**a, "score": 1.0} for a in anns])
    ev = COCOeval(coco, dets, "segm")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)  # the export against itself: mask AP 1
    cfg = parse_config({"name": "again", "task": "segmentation", "labels": LABELS})
    with Project.init(tmp_path / "again", cfg) as again:
        report = again.import_file(out)
        assert (report.imported, report.rejected) == (10, 0)
        assert sorted(again.spec.canonical(r.value) for r in again.store.current_labels()) == \
            sorted(project.spec.canonical(r.value) for r in project.store.current_labels() if r.status != "auto")
