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
