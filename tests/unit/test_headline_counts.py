"""The dashboard, the report page and REPORT.md count by one definition (``quality.counts``)."""

from __future__ import annotations

from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.quality.counts import COUNTS, headline_counts
from activelabel.quality.report import build_report, render_markdown
from activelabel.types import AnnotationStatus, ClassLabel
from activelabel.ui.dashboard_data import count_tiles
from tests.conftest import make_text_dataset, write_tsv


def test_imported_labels_are_not_answers_and_every_page_counts_alike(tmp_path):
    cfg = parse_config({"name": "c", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"retrain_every": 0}})
    rows = make_text_dataset(30, seed=2)
    with Project.init(tmp_path / "p", cfg) as project:
        project.import_file(write_tsv(tmp_path / "labeled.tsv", rows[:10]))  # 10 imported labels
        project.import_file(write_tsv(tmp_path / "pool.tsv", rows[10:], with_labels=False))
        truth = dict(rows)
        pool = [i for page in project.store.iter_pool() for i in page][:4]
        for it in pool[:3]:
            project.submit(it.id, ClassLabel(truth[it.content]), annotator="ann", trigger_retrain=False)
        project.submit(pool[3].id, None, annotator="ann", status=AnnotationStatus.SKIPPED, trigger_retrain=False)
        counts = {title: n for title, n, _ in headline_counts(project.store)}
        assert counts["Labeled by people"] == 13 and counts["Answers"] == 4  # 3 labels and a skip; imports are not answers
        report = build_report(project)
        assert {h["title"]: h["count"] for h in report["headline"]} == counts
        assert report["cost"]["answers"] == 4 and report["cost"]["per_annotator"]["ann"]["skipped"] == 1
        assert "Answers 4" in render_markdown(report) and "4 answers by people" in render_markdown(report)
        assert [(t, int(v)) for t, v, _ in count_tiles(project)] == [(t, counts[t]) for t, _, _ in COUNTS]
