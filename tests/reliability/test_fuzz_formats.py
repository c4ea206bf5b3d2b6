"""Property tests over the importers and exporters (Hypothesis).

Pass criteria: any bytes fed to any reader give records or per-record rejections, or one clear
whole-file error (ActiveLabelError / ValueError), never another exception; and for each task,
export -> import -> export round-trips (the second export equals the first).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activelabel.config import parse_config
from activelabel.errors import ActiveLabelError
from activelabel.exporting import export_project
from activelabel.formats.base import ImportRecord, Rejection
from activelabel.formats.registry import record_stream
from activelabel.project import Project
from activelabel.types import ClassLabel, Span, Spans

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
ROUND_TRIP = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))

# (task, suffix, format) for every reader that takes a single file
READERS = [
    ("classification", ".jsonl", "jsonl"), ("classification", ".csv", "csv"),
    ("classification", ".tsv", "tsv"), ("classification", ".txt", "txt"),
    ("ner", ".jsonl", "jsonl"), ("ner", ".conll", "conll"), ("ner", ".txt", "txt"),
    ("ner", ".json", "labelstudio"),
    ("detection", ".json", "coco"), ("detection", ".xml", "voc"),
    ("transcription", ".jsonl", "auto"), ("transcription", ".csv", "auto"),
    ("audio_classification", ".jsonl", "auto"),
]
LABELS = {"classification": ["ham", "spam"], "ner": ["PER", "LOC"], "detection": ["cat"],
          "transcription": [], "audio_classification": ["yes", "no"]}

# bytes that look like the formats: JSON-ish fragments, separators, odd code points, plus noise
FRAGMENTS = st.sampled_from([b"{", b"}", b"[", b"]", b'"text"', b'"label"', b'"spans"', b'"start"', b'"end"',
                             b'"audio"', b'"images"', b'"annotations"', b'"bbox"', b":", b",", b"\t", b"\n", b"\r\n",
                             b"ham", b"PER", b"B-PER", b"I-LOC", b"O", b"1e999", b"-1", b"null", b"NaN", b"\xff",
                             b"\xed\xa0\x80", b"\\ud800", b"\x00", b"<annotation>", b"<object>", b"../../x"])
HOSTILE_BYTES = st.one_of(st.binary(max_size=300), st.lists(FRAGMENTS, max_size=60).map(b"".join))


def _drain(task: str, path: Path, fmt: str, project_dir: Path) -> list:
    try:
        return list(record_stream(task, path, fmt, labels=LABELS[task], project_dir=project_dir))
    except (ActiveLabelError, ValueError):
        return []  # a whole-file error with a message (the CLI prints it): allowed


@pytest.mark.parametrize(("task", "suffix", "fmt"), READERS, ids=[f"{t}-{f}{s}" for t, s, f in READERS])
@FUZZ
@given(data=HOSTILE_BYTES)
def test_any_bytes_give_records_or_rejections(task, suffix, fmt, data):
    if task == "ner":
        pytest.importorskip("spacy")
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = Path(tmp) / "project"
        (project_dir / "media").mkdir(parents=True)
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        out = _drain(task, path, fmt, project_dir)
        assert all(isinstance(r, (ImportRecord, Rejection)) for r in out)
        assert all(r.reason for r in out if isinstance(r, Rejection))
        outside = {p for p in Path(tmp).rglob("*") if p.is_file() and not p.is_relative_to(project_dir)}
        assert outside == {path}, "a reader wrote outside the project folder"


TEXT = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=40).filter(
    lambda t: t.strip() == t and bool(t))


def _project(tmp: Path, name: str, task: str, labels: list[str]) -> Project:
    return Project.init(tmp / name, parse_config({"name": name, "task": task, "labels": labels}))


def _normalised(path: Path) -> list[dict]:
    keep = ("id", "text", "label", "value", "source")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(({k: r.get(k) for k in keep} for r in rows), key=lambda r: r["id"])


@ROUND_TRIP
@given(rows=st.lists(st.tuples(TEXT, st.sampled_from(["ham", "spam"])), min_size=1, max_size=12,
                     unique_by=lambda r: r[0]))
def test_classification_export_import_export_round_trips(rows):
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        with _project(tmp, "a", "classification", ["ham", "spam"]) as a:
            src = tmp / "in.jsonl"
            src.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows), encoding="utf-8")
            report = a.import_file(src)
            assert report.rejected == 0, [str(r) for r in report.rejections]
            first = tmp / "first.jsonl"
            export_project(a, first)
        with _project(tmp, "b", "classification", ["ham", "spam"]) as b:
            b.import_file(first)
            second = tmp / "second.jsonl"
            export_project(b, second)
        assert _normalised(first) == _normalised(second)
        assert {(r["text"], r["label"]) for r in _normalised(second)} == set(rows)


@ROUND_TRIP
@given(words=st.lists(st.sampled_from(["Alice", "Bob", "met", "in", "Paris", "Rome", "today", "and"]), min_size=1,
                      max_size=10), data=st.data())
def test_ner_export_import_export_round_trips(words, data):
    pytest.importorskip("spacy")
    text = " ".join(words)
    starts = [sum(len(w) + 1 for w in words[:k]) for k in range(len(words))]
    picked = data.draw(st.lists(st.integers(0, len(words) - 1), unique=True, max_size=3))
    spans = [Span(starts[k], starts[k] + len(words[k]), data.draw(st.sampled_from(["PER", "LOC"])))
             for k in sorted(picked)]
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        with _project(tmp, "a", "ner", ["PER", "LOC"]) as a:
            src = tmp / "in.jsonl"
            value = Spans(tuple(spans)).to_json()
            src.write_text(json.dumps({"text": text, **value}) + "\n", encoding="utf-8")
            report = a.import_file(src, fmt="jsonl")
            assert report.rejected == 0, [str(r) for r in report.rejections]
            first = tmp / "first.jsonl"
            export_project(a, first, fmt="jsonl")
        with _project(tmp, "b", "ner", ["PER", "LOC"]) as b:
            b.import_file(first, fmt="jsonl")
            second = tmp / "second.jsonl"
            export_project(b, second, fmt="jsonl")
        assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_a_label_value_survives_submit_and_export(text_project, tmp_path):
    """The smallest round trip, without Hypothesis: an answer given in the UI comes out in the export."""
    text_project.store.add_items([])
    (tmp_path / "in.tsv").write_text("text\nhello there\n", encoding="utf-8")
    text_project.import_file(tmp_path / "in.tsv")
    item = next(iter(text_project.store.iter_pool()))[0]
    text_project.submit(item.id, ClassLabel("spam"), annotator="alice")
    export_project(text_project, tmp_path / "out.jsonl")
    row = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert row["label"] == "spam" and row["source"] == "human" and row["annotator"] == "alice"
