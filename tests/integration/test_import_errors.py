"""Bad input never stops an import: every rejected line is reported and imported + rejected == total."""

from __future__ import annotations

import pytest

from activelabel.errors import ImportFormatError


def _write(tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = [
        b'{"text": "good one", "label": "ham"}',
        b'{"text": "broken json", "label": ',
        b'{"text": "", "label": "ham"}',
        b'{"text": "unknown label", "label": "eggs"}',
        '{"text": "caf\u00e9 bad bytes", "label": "ham"}'.encode("latin-1"),
        b'{"text": "good one", "label": "ham"}',
        b'{"text": "another good", "label": "spam"}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_rejections_are_reported_with_line_and_reason(text_project, tmp_path):
    report = text_project.import_file(_write(tmp_path))
    assert report.total == 7
    assert report.imported == 2
    assert report.imported + report.rejected == report.total
    reasons = {r.line: r.reason for r in report.rejections}
    assert "broken JSON" in reasons[2]
    assert reasons[3] == "empty text"
    assert "unknown label" in reasons[4]
    assert "UTF-8" in reasons[5]
    assert "duplicate of line 1" in reasons[6]
    assert len(text_project.store.current_labels()) == 2


def test_strict_imports_nothing(text_project, tmp_path):
    with pytest.raises(ImportFormatError, match="nothing imported"):
        text_project.import_file(_write(tmp_path), strict=True)
    assert text_project.store.item_count() == 0


def test_reimport_stores_once(text_project, tmp_path):
    path = _write(tmp_path)
    text_project.import_file(path)
    again = text_project.import_file(path)
    assert again.imported == 0
    assert text_project.store.item_count() == 2
