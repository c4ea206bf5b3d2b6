"""One label policy: training, ``export`` and ``export --package`` see the same label for every item."""

from __future__ import annotations

import csv
import json

from activelabel.exporting import export_project
from activelabel.labels import resolve_labels
from activelabel.models.sklearn_text import SklearnTextClassifier
from activelabel.packaging import package_project
from activelabel.quality.adjudication import resolve
from activelabel.types import ClassLabel
from tests.conftest import make_text_dataset, write_tsv


def test_training_export_and_package_ship_the_same_labels(text_project, tmp_path, monkeypatch):
    rows = make_text_dataset(40, seed=2)
    truth = dict(rows)
    text_project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    items = sorted((it for page in text_project.store.iter_pool() for it in page), key=lambda i: i.id)
    for it in items[2:]:
        text_project.submit(it.id, ClassLabel(truth[it.content]), annotator="alice")
    majority, adjudicated = items[0], items[1]
    # two people say spam, a later one says ham: the majority (spam) ships, not the latest answer
    for name, label in (("alice", "spam"), ("bob", "spam"), ("carol", "ham")):
        text_project.submit(majority.id, ClassLabel(label), annotator=name)
    # people disagree, a reviewer resolves: the resolution ships
    text_project.submit(adjudicated.id, ClassLabel("ham"), annotator="alice")
    text_project.submit(adjudicated.id, ClassLabel("spam"), annotator="bob")
    resolve(text_project, adjudicated.id, ClassLabel("ham"), "rita")

    final = resolve_labels(text_project)
    assert final[majority.id].value == {"label": "spam"} and final[majority.id].status == "majority"
    assert final[adjudicated.id].value == {"label": "ham"} and final[adjudicated.id].status == "adjudicated"

    seen: dict[str, str] = {}
    real_fit, real_evaluate = SklearnTextClassifier.fit, SklearnTextClassifier.evaluate

    def spy(self, fit_items, values, **kw):
        seen.update({i.id: v.label for i, v in zip(fit_items, values, strict=True)})
        return real_fit(self, fit_items, values, **kw)

    def spy_evaluate(self, held_items, values):  # held-out answers score the version with the same labels
        seen.update({i.id: v.label for i, v in zip(held_items, values, strict=True)})
        return real_evaluate(self, held_items, values)

    monkeypatch.setattr(SklearnTextClassifier, "fit", spy)
    monkeypatch.setattr(SklearnTextClassifier, "evaluate", spy_evaluate)
    text_project.train(wait=True)
    assert seen[majority.id] == "spam" and seen[adjudicated.id] == "ham"

    out = tmp_path / "labels.jsonl"
    export_project(text_project, out)
    exported = {r["id"]: r["label"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    package_project(text_project, tmp_path / "pkg2")
    packaged = {}
    for split in ("train", "validation", "test"):
        with open(tmp_path / "pkg2" / f"{split}.csv", encoding="utf-8") as fh:
            packaged.update({r["id"]: r["label"] for r in csv.DictReader(fh)})
    want = {iid: f.value["label"] for iid, f in final.items()}
    assert exported == want
    assert {k: v for k, v in packaged.items() if k in want} == want
