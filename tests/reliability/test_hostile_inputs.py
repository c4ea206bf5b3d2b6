"""Every file of the hostile corpus (tests/data/hostile) fed to the importer that would read it.

Pass criteria: each import ends with a report (imported + rejected == total) that rejects the bad
records by record, or with one of our named errors for a file that cannot be read at all; never
another exception; nothing is written outside the project folder; a crafted backup archive is
refused before anything is extracted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.errors import ActiveLabelError
from activelabel.project import Project

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile"

# (task, labels, path in the corpus, format, the least number of rejections expected)
CASES = [
    ("classification", ["ham", "spam"], "text/bad_encodings.tsv", "auto", 4),
    ("classification", ["ham", "spam"], "text/utf16.csv", "auto", 0),
    ("classification", ["ham", "spam"], "text/bom_and_crlf.csv", "auto", 0),
    ("classification", ["ham", "spam"], "text/malformed.jsonl", "auto", 12),
    ("classification", ["ham", "spam"], "text/hostile_labels.jsonl", "auto", 9),
    ("ner", ["PER", "LOC"], "spans/hostile_spans.jsonl", "jsonl", 10),
    ("ner", ["PER", "LOC"], "spans/broken.conll", "conll", 1),
    ("detection", ["cat", "dog"], "images/mixed", "images", 5),
    ("detection", ["cat", "dog"], "coco/annotations.json", "coco", 3),
    ("detection", ["cat", "dog"], "coco_broken/annotations.json", "coco", 0),
    ("detection", ["cat", "dog"], "yolo", "yolo", 1),
    ("detection", ["cat", "dog"], "yolo_bomb", "yolo", 0),
    ("detection", ["cat", "dog"], "archives/traversal.zip", "auto", 0),
    ("transcription", [], "audio/manifest.jsonl", "auto", 6),
    ("transcription", [], "audio/clips", "auto", 3),
]


def _tree(root: Path, skip: Path) -> dict[str, int]:
    return {str(p): p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_relative_to(skip)}


@pytest.mark.parametrize(("task", "labels", "rel", "fmt", "min_rejected"), CASES, ids=[c[2] for c in CASES])
def test_hostile_file_is_rejected_per_record_never_crashes(tmp_path, task, labels, rel, fmt, min_rejected):
    if task == "ner":
        pytest.importorskip("spacy")
    sandbox = tmp_path / "sandbox"
    shutil.copytree(CORPUS, sandbox / "corpus")  # the corpus next to the project, as a user's files would be
    source = sandbox / "corpus" / rel
    cfg = parse_config({"name": "hostile", "task": task, "labels": labels})
    project_dir = sandbox / "project"
    before = _tree(tmp_path, project_dir)
    with Project.init(project_dir, cfg) as project:
        try:
            report = project.import_file(source, fmt=fmt)
        except (ActiveLabelError, ValueError) as exc:  # an unreadable file: one clear error (the CLI prints it)
            assert min_rejected == 0, f"expected per-record rejections, got a whole-file error: {exc}"
        else:
            assert report.imported + report.rejected == report.total
            assert report.rejected >= min_rejected, [str(r) for r in report.rejections]
            assert all(r.reason for r in report.rejections)
        for item in _all_items(project):
            if item.media != "text":  # media live inside the project folder, under media/
                assert (project_dir / item.content).resolve().is_relative_to(project_dir.resolve())
    assert _tree(tmp_path, project_dir) == before, "an import wrote outside the project folder"
    assert not (tmp_path.parent / "escaped.png").exists()


def _all_items(project: Project) -> list:
    return [it for page in project.store.iter_pool(exclude_human_labeled=False) for it in page]


def test_a_crafted_backup_archive_is_refused_before_extraction(tmp_path):
    from activelabel.backup import restore_project

    target = tmp_path / "restore" / "here"
    with pytest.raises(ActiveLabelError, match="unsafe member"):
        restore_project(CORPUS / "archives" / "traversal_backup.tar.gz", target)
    assert not (tmp_path / "restore" / "escaped.txt").exists()
    assert not (tmp_path / "escaped2.txt").exists()
    assert not Path("/tmp/absolute-escape.txt").exists()
