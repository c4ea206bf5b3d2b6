"""Our exports, read by the tools people train with (the dev extra installs seqeval and pycocotools)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.exporting import export_project
from activelabel.importing import import_path
from activelabel.workspace import Workspace


def _conll_tags(path: Path) -> list[list[str]]:
    blocks = [b for b in path.read_text("utf-8").split("\n\n") if b.strip()]
    return [[ln.split()[-1] for ln in b.splitlines() if ln.strip()] for b in blocks]


def test_seqeval_scores_the_conll_export_against_its_round_trip_at_f1_1(tmp_path: Path) -> None:
    seqeval = pytest.importorskip("seqeval.metrics")
    from activelabel.samples.ner import LABELS, labeled_sample

    rows = labeled_sample(10, seed=4)
    text, spans = rows[0]
    other = [s for s in spans if s is not spans[0]] if spans else [{"start": 0, "end": len(text.split()[0]),
                                                                    "label": LABELS[0]}]
    lines = [*rows, (text, other)]  # a duplicate with a conflicting label: a second annotation
    src = tmp_path / "src.jsonl"
    src.write_text("".join(json.dumps({"text": t, "spans": sp}) + "\n" for t, sp in lines), encoding="utf-8")
    with Workspace.init(tmp_path / "p", parse_config({"task": "ner", "labels": LABELS})) as ws:
        report = import_path(ws, src)
        assert (report.imported, report.rejected) == (11, 0) and "conflict" in report.warnings[0]
        assert export_project(ws, tmp_path / "a.conll", fmt="conll") == 10
        n_spans = sum(len(r.value["spans"]) for r in ws.store.current_labels())
    with Workspace.init(tmp_path / "q", parse_config({"task": "ner", "labels": LABELS})) as ws2:
        assert import_path(ws2, tmp_path / "a.conll").imported == 10
        export_project(ws2, tmp_path / "b.conll", fmt="conll")
    truth, again = _conll_tags(tmp_path / "a.conll"), _conll_tags(tmp_path / "b.conll")
    assert sum(tag.startswith("B-") for sent in truth for tag in sent) == n_spans
    assert seqeval.f1_score(truth, again) == 1.0


def test_pycocotools_scores_the_coco_export_against_itself_at_ap_1(tmp_path: Path) -> None:
    pytest.importorskip("pycocotools")
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    from activelabel.samples.detection import LABELS, make_sample

    with Workspace.init(tmp_path / "p", parse_config({"task": "detection", "labels": LABELS})) as ws:
        assert import_path(ws, make_sample(tmp_path / "sample", 6, seed=5, size=96)).imported == 6
        export_project(ws, tmp_path / "coco", fmt="coco")
    gt = COCO(str(tmp_path / "coco" / "annotations.json"))
    dets = [{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0}
            for a in gt.dataset["annotations"]]
    assert dets
    ev = COCOeval(gt, gt.loadRes(dets), "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)


@pytest.mark.slow
def test_ultralytics_accepts_the_yolo_export(tmp_path: Path) -> None:
    pytest.importorskip("ultralytics")
    from ultralytics.data.utils import check_det_dataset, img2label_paths

    from activelabel.samples.detection import LABELS, make_sample

    with Workspace.init(tmp_path / "p", parse_config({"task": "detection", "labels": LABELS})) as ws:
        assert import_path(ws, make_sample(tmp_path / "sample", 4, seed=1, size=64)).imported == 4
        export_project(ws, tmp_path / "yolo", fmt="yolo")
    data = check_det_dataset(str(tmp_path / "yolo" / "data.yaml"), autodownload=False)
    assert data["nc"] == len(LABELS) and list(data["names"].values()) == LABELS
    images = sorted(str(p) for p in Path(data["train"]).iterdir())
    assert len(images) == 4 and all(Path(p).is_file() for p in img2label_paths(images))
