"""The detection plug-in of ``activelabel simulate``: split, write, import, and the oracle's answers."""

from __future__ import annotations

import pytest

from activelabel.config import parse_config
from activelabel.errors import ActiveLabelError
from activelabel.exporting import export_project
from activelabel.project import Project
from activelabel.samples.detection import LABELS, make_sample
from activelabel.simulation.tasks import load_dataset
from activelabel.types import Boxes


@pytest.mark.parametrize("fmt", ["yolo", "coco", "voc"])
def test_loader_reads_each_format_and_the_oracle_answers_imported_items(tmp_path, fmt):
    sample = make_sample(tmp_path / "sample", 10, seed=3, size=64)
    source = sample
    if fmt != "yolo":  # the same data set written out in the other formats, through a project's export
        with Project.init(tmp_path / "p", parse_config({"task": "detection", "labels": LABELS})) as p:
            p.import_file(sample)
            export_project(p, tmp_path / fmt, fmt=fmt)
        source = tmp_path / fmt
    data = load_dataset("detection", str(source), seed=0, options={})
    assert (data.n_pool, data.n_eval) == (7, 3) and sorted(data.labels) == sorted(LABELS)  # VOC: sorted names
    assert data.metric_name == "mAP50" and data.model["params"]["imgsz"] == 64
    cfg = parse_config({"task": "detection", "labels": data.labels})
    with Project.init(tmp_path / "sim", cfg) as project:
        spec = data.write_pool(tmp_path / "files")
        assert project.import_file(spec.path, **spec.options).imported == 7
        gold = data.write_eval(tmp_path / "files")
        assert project.import_file(gold.path, as_gold=True, **gold.options).imported == 3
        items = [it for page in project.store.iter_pool() for it in page]
        assert len(items) == 7
        for it in items:
            assert isinstance(data.answer(it), Boxes)
        g_item, g_value = project.store.gold_items()[0]
        truth = data.answer(g_item)
        assert [b.label for b in truth.boxes] == [b["label"] for b in g_value["boxes"]]


def test_loader_refuses_unlabeled_folders_and_missing_paths(tmp_path):
    folder = make_sample(tmp_path / "plain", 3, seed=1, size=64, with_labels=False) / "images"
    with pytest.raises(ActiveLabelError, match="needs labels"):
        load_dataset("detection", str(folder), seed=0, options={})
    with pytest.raises(ActiveLabelError, match="no such data set"):
        load_dataset("detection", str(tmp_path / "nope"), seed=0, options={})
