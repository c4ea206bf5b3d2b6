"""The whole loop on small generated data: import -> cold start -> answers -> train -> re-score -> export."""

from __future__ import annotations

import json

import pytest

from activelabel.exporting import export_project
from activelabel.types import AnnotationStatus, ClassLabel
from tests.conftest import make_text_dataset, write_tsv


def test_full_loop(text_project, tmp_path):
    rows = make_text_dataset(150, seed=1)
    truth = {t: lab for t, lab in rows}
    report = text_project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    assert report.imported == 150 and report.rejected == 0

    first = text_project.prelabel()
    assert first["model_version"] is None and first["n_queued"] == 150

    for _ in range(3):
        for q in text_project.claim("alice", 10):
            text_project.submit(q.entry.item.id, ClassLabel(truth[q.entry.item.content]), annotator="alice")
        last_answer = text_project.store.max_annotation_id()
        version = text_project.train(wait=True)
        info = text_project.store.get_version(version)
        assert info.status == "promoted"
        assert info.trained_on_annotation_id == last_answer  # auto labels of the new round come after
    rnd = text_project.store.current_round()
    assert rnd.model_version == version
    assert text_project.store.get_version(version).metrics["metric"] >= 0.8

    # every queued item now carries a proposal from the current version only
    for q in text_project.queue(5):
        assert q.proposal is not None and q.proposal["model_version"] == version

    out = tmp_path / "export.jsonl"
    n = export_project(text_project, out, include_predictions=True)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert n == 150 == len(records)
    sources = {r["source"] for r in records}
    assert "human" in sources and sources <= {"human", "auto", "model"}
    human = [r for r in records if r["source"] == "human"]
    assert len(human) == 30 and all(r["label"] == truth[r["text"]] for r in human)


def test_auto_accept_audit_and_revert(text_project, tmp_path):
    cfg = text_project.config.model_copy(deep=True)
    cfg.loop.auto_accept_threshold = 0.6
    cfg.loop.audit_rate = 0.2
    text_project.save_config(cfg)
    rows = make_text_dataset(80, seed=2)
    truth = dict(rows)
    text_project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    text_project.prelabel()
    for q in text_project.claim("alice", 20):
        text_project.submit(q.entry.item.id, ClassLabel(truth[q.entry.item.content]), annotator="alice")
    text_project.train(wait=True)
    rnd = text_project.store.current_round()
    assert rnd.n_auto > 0 and rnd.n_audit >= 1
    audits = [q for q in text_project.queue(200) if q.entry.reason == "audit"]
    assert audits
    # a human answer on an audited item supersedes the auto label
    item = audits[0].entry.item
    text_project.submit(item.id, ClassLabel(truth[item.content]), annotator="bob")
    labels = {r.item_id: r for r in text_project.store.current_labels(include_auto=True)}
    assert labels[item.id].annotator == "bob"


def test_undo_and_skip(text_project, tmp_path):
    rows = make_text_dataset(10, seed=3)
    text_project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    text_project.prelabel()
    first = text_project.claim("alice", 1)[0].entry.item.id
    text_project.submit(first, None, annotator="alice", status=AnnotationStatus.SKIPPED)
    nxt = text_project.claim("alice", 1)[0].entry.item.id
    assert nxt != first
    text_project.submit(nxt, ClassLabel("ham"), annotator="alice")
    assert text_project.undo_last("alice") == nxt
    assert text_project.store.current_labels() == []
    with pytest.raises(Exception, match="unknown label"):
        text_project.submit(nxt, ClassLabel("eggs"), annotator="alice")
