"""Our Label Studio exports, read by label-studio-sdk's own converter (the dev extra installs it)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.exporting import export_project
from activelabel.importing import import_path
from activelabel.workspace import Workspace

converter = pytest.importorskip("label_studio_sdk.converter")


def test_converter_turns_our_ner_export_into_conll(tmp_path: Path) -> None:
    from activelabel.samples.ner import LABELS, labeled_sample

    rows = labeled_sample(6, seed=11)
    src = tmp_path / "src.jsonl"
    src.write_text("".join(json.dumps({"text": t, "spans": sp}) + "\n" for t, sp in rows), encoding="utf-8")
    with Workspace.init(tmp_path / "p", parse_config({"task": "ner", "labels": LABELS})) as ws:
        assert import_path(ws, src).imported == 6
        out = tmp_path / "export" / "ls.json"
        assert export_project(ws, out, fmt="labelstudio") == 6
    conv = converter.Converter(str(out.parent / "label_config.xml"), project_dir=str(tmp_path))
    assert "CONLL2003" in conv.supported_formats
    conv.convert(str(out), str(tmp_path / "conll"), "CONLL2003", is_dir=False)
    lines = (tmp_path / "conll" / "result.conll").read_text("utf-8").split("\n\n")
    docs = [[ln.split(" ") for ln in block.splitlines() if ln and not ln.startswith("-DOCSTART-")] for block in lines]
    docs = [d for d in docs if d]
    assert len(docs) == 6
    entities = sorted(tag[2:] for d in docs for *_, tag in d if tag.startswith("B-"))
    assert entities == sorted(str(s["label"]) for _, spans in rows for s in spans)


def test_converter_turns_our_detection_export_into_coco(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from activelabel.samples.detection import LABELS, make_sample

    with Workspace.init(tmp_path / "p", parse_config({"task": "detection", "labels": LABELS})) as ws:
        assert import_path(ws, make_sample(tmp_path / "sample", 4, seed=3, size=96)).imported == 4
        truth = {r.item_id: r.value for r in ws.store.current_labels()}
        items = ws.store.get_items(list(truth))
        out = tmp_path / "export"
        assert export_project(ws, out, fmt="labelstudio") == 4
    tasks = json.loads((out / "tasks.json").read_text("utf-8"))
    assert all((out / t["data"]["image"]).is_file() for t in tasks)
    assert {t["data"]["image"] for t in tasks} == {f"images/{items[i].meta['file']}" for i in truth}
    conv = converter.Converter(str(out / "label_config.xml"), project_dir=str(out), download_resources=False)
    assert "COCO" in conv.supported_formats
    with caplog.at_level(logging.ERROR):
        conv.convert(str(out / "tasks.json"), str(tmp_path / "coco"), "COCO", is_dir=False)
    coco = json.loads((tmp_path / "coco" / "result.json").read_text("utf-8"))
    names = {c["id"]: c["name"] for c in coco["categories"]}
    got = sorted((names[a["category_id"]], *(round(v, 3) for v in a["bbox"])) for a in coco["annotations"])
    want = sorted((b["label"], round(b["x0"], 3), round(b["y0"], 3), round(b["x1"] - b["x0"], 3),
                   round(b["y1"] - b["y0"], 3)) for v in truth.values() for b in v["boxes"])
    assert got == want


def test_converter_turns_our_segmentation_export_into_coco_masks(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Our ``polygonlabels`` tasks pass label-studio-sdk's LabelInterface, and its converter's COCO holds
    the same outlines: pycocotools draws each converted mask where our polygon is (IoU > 0.9; its
    rasteriser puts the edge about half a pixel in)."""
    import numpy as np
    from pycocotools.coco import COCO

    from activelabel.quality.mask_agreement import rasterize
    from activelabel.samples.segmentation import LABELS, make_sample

    with Workspace.init(tmp_path / "p", parse_config({"task": "segmentation", "labels": LABELS})) as ws:
        assert import_path(ws, make_sample(tmp_path / "sample", 4, seed=3, size=96)).imported == 4
        truth = {r.item_id: r.value for r in ws.store.current_labels()}
        items = ws.store.get_items(list(truth))
        out = tmp_path / "export"
        assert export_project(ws, out, fmt="labelstudio") == 4
    tasks = json.loads((out / "tasks.json").read_text("utf-8"))
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    li = label_interface.LabelInterface((out / "label_config.xml").read_text("utf-8"))
    assert all(li.validate_annotation(t["annotations"][0]) for t in tasks)
    conv = converter.Converter(str(out / "label_config.xml"), project_dir=str(out), download_resources=False)
    with caplog.at_level(logging.ERROR):
        conv.convert(str(out / "tasks.json"), str(tmp_path / "coco"), "COCO", is_dir=False)
    coco = COCO(str(tmp_path / "coco" / "result.json"))
    by_file = {Path(im["file_name"]).name: im["id"] for im in coco.dataset["images"]}
    names = {c["id"]: c["name"] for c in coco.dataset["categories"]}
    compared = 0
    for item_id, value in truth.items():
        image_id = next(i for f, i in by_file.items() if f.endswith(items[item_id].meta["file"]))
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[image_id]))
        assert sorted(names[a["category_id"]] for a in anns) == sorted(o["label"] for o in value["objects"])
        for obj in value["objects"]:
            ours = rasterize(obj["polygons"], 0, 0, 96, 96)
            best = max(np.logical_and(coco.annToMask(a).astype(bool), ours).sum()
                       / np.logical_or(coco.annToMask(a).astype(bool), ours).sum()
                       for a in anns if names[a["category_id"]] == obj["label"])
            assert best > 0.9
            compared += 1
    assert compared >= 4
