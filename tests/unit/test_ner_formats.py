"""NER formats: every bad-input case gets a per-record reason, nothing is shifted silently, round trips hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activelabel.formats.base import ImportRecord, Rejection
from activelabel.formats.conll import detect_scheme, write_conll
from activelabel.formats.ner import read_ner
from activelabel.models.ner_metrics import span_f1
from activelabel.models.spacy_beam import reduce_confidence
from activelabel.types import Spans

LABELS = ["person", "org", "location"]


def _read(path: Path, fmt: str = "auto", **options: object) -> list[ImportRecord | Rejection]:
    return list(read_ner(path, fmt, labels=LABELS, project_dir=path.parent, **options))


def _spans(rec: ImportRecord | Rejection) -> list[tuple[str, str]]:
    assert isinstance(rec, ImportRecord), rec
    assert isinstance(rec.value, Spans)
    return [(rec.content[s.start:s.end], s.label) for s in rec.value.spans]


def _jsonl(path: Path, rows: list[object], newline: str = "\n") -> Path:
    path.write_bytes(newline.join(json.dumps(r, ensure_ascii=False) for r in rows).encode() + newline.encode())
    return path


# ---- CoNLL ------------------------------------------------------------------------------------

IOB2 = "Maria\tB-person\nLopez\tI-person\nvisited\tO\nNew\tB-location\nYork\tI-location\n\nGoogle\tB-org\nhired\tO\nher\tO\n"
IOB1 = "Maria\tI-person\nLopez\tI-person\nvisited\tO\nNew\tI-location\nYork\tI-location\n\nGoogle\tI-org\nhired\tO\nher\tO\n"
BILOU = "Maria\tB-person\nLopez\tL-person\nvisited\tO\nNew\tB-location\nYork\tL-location\n\nGoogle\tU-org\nhired\tO\nher\tO\n"
EXPECTED = [[("Maria Lopez", "person"), ("New York", "location")], [("Google", "org")]]


@pytest.mark.parametrize("content,scheme", [(IOB2, "iob2"), (IOB1, "iob1"), (BILOU, "bilou")])
def test_conll_schemes_are_detected_and_give_the_same_spans(tmp_path, content, scheme):
    path = tmp_path / "data.conll"
    path.write_text(content, encoding="utf-8")
    sentences = [[(t, g, 0) for t, g in (line.split("\t") for line in block.splitlines())]
                 for block in content.strip().split("\n\n")]
    assert detect_scheme(sentences) == scheme
    recs = _read(path)
    assert [_spans(r) for r in recs] == EXPECTED
    assert recs[0].content == "Maria Lopez visited New York" and recs[1].line == 7


def test_conll_with_crlf_line_ends_reads_like_lf(tmp_path):
    path = tmp_path / "crlf.conll"
    path.write_bytes(IOB2.replace("\n", "\r\n").encode())
    recs = _read(path)
    assert [_spans(r) for r in recs] == EXPECTED
    assert all("\r" not in r.content for r in recs if isinstance(r, ImportRecord))


def test_conll_bad_sentences_are_rejected_with_their_line_and_the_rest_imports(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text(
        "Maria\tB-person\nLopez\tI-person\n\n"  # ok (line 1)
        "Paris\tO\nHilton\tI-person\n\n"  # I- opening an entity in an IOB2 file (line 4)
        "Acme\tB-company\n\n"  # unknown label (line 7)
        "lonely-token\n\n"  # no tag column (line 9)
        "Tokyo\tX-location\n",  # not a tag (line 11)
        encoding="utf-8")
    recs = _read(path)
    assert len(recs) == 5
    assert isinstance(recs[0], ImportRecord)
    rejections = {r.line: r.reason for r in recs if isinstance(r, Rejection)}
    assert set(rejections) == {4, 7, 9, 11}
    assert "IOB2" in rejections[4] and "line 5" in rejections[4]
    assert "unknown label 'company'" in rejections[7]
    assert "expected a token and a tag" in rejections[9]
    assert "X-location" in rejections[11]


def test_conll_non_utf8_line_rejects_its_sentence_only(tmp_path):
    path = tmp_path / "bytes.conll"
    path.write_bytes(b"Caf\xe9\tO\n\nGoogle\tB-org\n")
    recs = _read(path)
    assert isinstance(recs[0], Rejection) and "UTF-8" in recs[0].reason
    assert _spans(recs[1]) == [("Google", "org")]


def test_conll_round_trip_keeps_tokens_and_tags(tmp_path):
    src = tmp_path / "in.conll"
    src.write_text(IOB2, encoding="utf-8")
    recs = [r for r in _read(src) if isinstance(r, ImportRecord)]
    out = tmp_path / "out.conll"
    write_conll(out, [(r.content, [(s.start, s.end, s.label) for s in r.value.spans]) for r in recs])  # type: ignore[union-attr]
    assert out.read_text(encoding="utf-8") == IOB2 + "\n"
    bilou = tmp_path / "out.bilou"
    write_conll(bilou, [(r.content, [(s.start, s.end, s.label) for s in r.value.spans]) for r in recs],  # type: ignore[union-attr]
                scheme="bilou")
    assert bilou.read_text(encoding="utf-8") == BILOU + "\n"


# ---- JSONL spans ------------------------------------------------------------------------------

def test_jsonl_spans_valid_empty_and_unlabeled(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [
        {"text": "Maria Lopez works at Google.", "spans": [{"start": 0, "end": 11, "label": "person"},
                                                          {"start": 21, "end": 27, "label": "org", "text": "Google"}],
         "meta": {"source": "news"}},
        {"text": "Nothing to see here.", "spans": []},
        {"text": "No answer yet."},
    ])
    a, b, c = _read(path)
    assert _spans(a) == [("Maria Lopez", "person"), ("Google", "org")] and a.meta == {"source": "news"}
    assert isinstance(b, ImportRecord) and b.value == Spans(())
    assert isinstance(c, ImportRecord) and c.value is None


def test_jsonl_bad_spans_each_get_a_reason(tmp_path):
    text = "Maria Lopez works at Google."
    path = _jsonl(tmp_path / "bad.jsonl", [
        {"text": text, "spans": [{"start": 0, "end": 11, "label": "person"}, {"start": 6, "end": 17, "label": "org"}]},
        {"text": text, "spans": [{"start": 21, "end": 27, "label": "company"}]},
        {"text": text, "spans": [{"start": 21, "end": 27, "label": "org", "text": "Googl"}]},
        {"text": text, "spans": [{"start": 21, "end": 99, "label": "org"}]},
        {"text": text, "spans": [{"start": "0", "end": 5, "label": "person"}]},
        {"text": "", "spans": []},
    ])
    path.write_bytes(path.read_bytes() + b"{broken json\n")
    recs = _read(path)
    assert all(isinstance(r, Rejection) for r in recs) and [r.line for r in recs] == [1, 2, 3, 4, 5, 6, 7]
    reasons = [r.reason for r in recs]  # type: ignore[union-attr]
    assert "overlap" in reasons[0] and "'Maria Lopez'" in reasons[0]
    assert "unknown label 'company'" in reasons[1]
    assert "text[21:27] is 'Google' but the span says 'Googl'" in reasons[2]
    assert "outside the text" in reasons[3]
    assert "integers" in reasons[4]
    assert "empty text" in reasons[5]
    assert "broken JSON" in reasons[6]


def test_off_token_spans_are_snapped_with_a_warning_not_silently(tmp_path):
    path = _jsonl(tmp_path / "snap.jsonl", [
        {"text": "They met in London today.", "spans": [{"start": 13, "end": 18, "label": "location"}]},
        {"text": "They met in London today.", "spans": [{"start": 11, "end": 19, "label": "location"}]},
    ])
    first, second = _read(path)
    assert _spans(first) == [("London", "location")]
    assert "span 13-18 'ondon' snapped to token boundaries 12-18 'London'" in first.meta["_warning"]  # type: ignore[union-attr]
    assert _spans(second) == [("London", "location")]  # surrounding spaces trimmed, also reported
    assert "snapped" in second.meta["_warning"]  # type: ignore[union-attr]


def test_snapping_that_creates_an_overlap_is_rejected(tmp_path):
    path = _jsonl(tmp_path / "o.jsonl", [{"text": "NewYorkers cheer", "spans": [
        {"start": 0, "end": 3, "label": "location"}, {"start": 3, "end": 7, "label": "location"}]}])
    (rec,) = _read(path)
    assert isinstance(rec, Rejection) and "overlap" in rec.reason


def test_emoji_and_combining_characters_use_code_point_offsets(tmp_path):
    text = "🎉🎉 Jose\u0301 Ramos met 👩🏽‍💻 at Google"  # emoji (astral, ZWJ sequence) and a combining accent
    start = text.index("Jose")
    org = text.index("Google")
    path = _jsonl(tmp_path / "emoji.jsonl", [
        {"text": text, "spans": [{"start": start, "end": start + 11, "label": "person", "text": "Jose\u0301 Ramos"},
                                 {"start": org, "end": org + 6, "label": "org", "text": "Google"}]},
        # the same spans counted in UTF-16 code units, as JavaScript tools do
        {"text": text + " ", "spans": [{"start": len(text[:org].encode("utf-16-le")) // 2,
                                        "end": len(text[:org].encode("utf-16-le")) // 2 + 6,
                                        "label": "org", "text": "Google"}]},
        # an end between the 'e' and its combining accent is inside the token: snapped, reported
        {"text": text + "  ", "spans": [{"start": start, "end": start + 4, "label": "person"}]},
    ])
    good, utf16, split = _read(path)
    assert _spans(good) == [("Jose\u0301 Ramos", "person"), ("Google", "org")]
    assert isinstance(utf16, Rejection) and "UTF-16" in utf16.reason and "offsets=utf16" in utf16.reason
    assert _spans(split) == [("Jose\u0301", "person")] and "snapped" in split.meta["_warning"]  # type: ignore[union-attr]
    (converted,) = _read(_jsonl(tmp_path / "u.jsonl", [json.loads(path.read_text("utf-8").splitlines()[1])]),
                         offsets="utf16")
    assert _spans(converted) == [("Google", "org")]


def test_crlf_jsonl_file_and_crlf_inside_text_keep_offsets(tmp_path):
    text = "First line.\r\nMaria Lopez lives in Paris."
    start = text.index("Maria")
    path = _jsonl(tmp_path / "crlf.jsonl", [
        {"text": text, "spans": [{"start": start, "end": start + 11, "label": "person", "text": "Maria Lopez"}]},
        {"text": "Google again", "spans": [{"start": 0, "end": 6, "label": "org"}]},
    ], newline="\r\n")
    a, b = _read(path)
    assert a.content == text and _spans(a) == [("Maria Lopez", "person")]  # type: ignore[union-attr]
    assert _spans(b) == [("Google", "org")]


def test_prodigy_reject_answers_are_not_taken_as_annotations(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [{"text": "Maria is here.", "answer": "reject", "_input_hash": 1,
                                          "spans": [{"start": 0, "end": 5, "label": "person"}]}])
    (rec,) = _read(path)
    assert isinstance(rec, ImportRecord) and rec.value is None and "reject" in rec.meta["_warning"]
    assert "_input_hash" not in rec.meta


# ---- DocBin and Label Studio ------------------------------------------------------------------

def test_docbin_round_trip(tmp_path):
    from activelabel.formats.docbin import write_docbin

    rows = [("Maria Lopez visited New York.", [(0, 11, "person"), (20, 28, "location")]), ("Nothing here.", [])]
    write_docbin(tmp_path / "d.spacy", rows)
    recs = _read(tmp_path / "d.spacy")
    assert [(r.content, [(s.start, s.end, s.label) for s in r.value.spans]) for r in recs] == rows  # type: ignore[union-attr]
    (tmp_path / "junk.spacy").write_bytes(b"not a docbin")
    (bad,) = _read(tmp_path / "junk.spacy")
    assert isinstance(bad, Rejection) and "DocBin" in bad.reason


def test_label_studio_round_trip_and_bad_tasks(tmp_path):
    from activelabel.formats.labelstudio import write_labelstudio

    rows = [{"id": "a", "text": "Maria Lopez joined Google.", "source": "human", "annotator": "ann",
             "value": {"spans": [{"start": 0, "end": 11, "label": "person"}, {"start": 19, "end": 25, "label": "org"}]}},
            {"id": "b", "text": "Paris in spring.", "source": "model", "annotator": "model:v2", "confidence": 0.7,
             "value": {"spans": [{"start": 0, "end": 5, "label": "location", "confidence": 0.7}]}}]
    write_labelstudio(tmp_path / "ls.json", rows)
    tasks = json.loads((tmp_path / "ls.json").read_text("utf-8"))
    assert "predictions" in tasks[1] and "annotations" not in tasks[1]
    tasks.append({"data": {"text": "Acme rocks"}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 0, "end": 4, "text": "Acme", "labels": ["org", "person"]}}]}]})
    tasks.append({"data": {"body": "cancelled only"}, "annotations": [{"was_cancelled": True, "result": []}]})
    tasks.append({"nodata": 1})
    (tmp_path / "ls.json").write_text(json.dumps(tasks), encoding="utf-8")
    a, b, two_labels, cancelled, no_data = _read(tmp_path / "ls.json")
    assert _spans(a) == [("Maria Lopez", "person"), ("Google", "org")]
    assert isinstance(b, ImportRecord) and b.value is None  # a prediction is not an answer
    assert isinstance(two_labels, Rejection) and two_labels.line == 3 and "exactly one label" in two_labels.reason
    assert isinstance(cancelled, ImportRecord) and cancelled.value is None and cancelled.content == "cancelled only"
    assert isinstance(no_data, Rejection) and no_data.line == 5


# ---- scores -----------------------------------------------------------------------------------

def test_span_f1_counts_exact_matches_only():
    gold = [[(0, 5, "person"), (10, 15, "org")], []]
    pred = [[(0, 5, "person"), (10, 14, "org")], [(0, 3, "org")]]
    m = span_f1(gold, pred)
    assert m["precision"] == pytest.approx(1 / 3) and m["recall"] == pytest.approx(0.5)
    assert m["metric"] == pytest.approx(0.4) and m["f1_person"] == 1.0 and m["f1_org"] == 0.0
    assert span_f1([[]], [[]])["metric"] == 1.0


def test_confidence_reductions():
    assert reduce_confidence([0.9, 0.6], [0.3], "min") == pytest.approx(0.6)
    assert reduce_confidence([0.9, 0.6], [0.3], "mean") == pytest.approx((0.9 + 0.6 + 0.7) / 3)
    assert reduce_confidence([0.9, 0.6], [0.3, 0.2], "beam_mass") == pytest.approx(0.5)
    assert reduce_confidence([0.9, 0.6], [0.3], "product") == pytest.approx(0.9 * 0.6 * 0.7)
    assert reduce_confidence([], [], "product") == 1.0
    assert reduce_confidence([], [], "min") == 1.0
    with pytest.raises(ValueError):
        reduce_confidence([], [], "max")
