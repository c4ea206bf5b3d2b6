"""Interchange with Label Studio and Prodigy: ids, names from the labeling config, provenance, JSON arrays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.errors import ConfigError
from activelabel.exporting import export_project
from activelabel.formats.base import ImportRecord, Rejection
from activelabel.formats.labelstudio import parse_config as parse_ls_config
from activelabel.formats.tabular import read_classification
from activelabel.importing import import_path
from activelabel.samples.ner import LABELS as NER_LABELS
from activelabel.samples.ner import labeled_sample
from activelabel.workspace import Workspace

SENTIMENT_XML = """<View>
  <Header value="Review"/>
  <Text name="review" value="$review_text"/>
  <Choices name="sentiment" toName="review" choice="single"><Choice value="ham"/><Choice value="spam"/></Choices>
</View>"""


def _class_ws(root: Path, rows: list[tuple[str, str]], **import_options: str) -> Workspace:
    ws = Workspace.init(root, parse_config({"task": "classification", "labels": ["ham", "spam"]}))
    src = root.parent / f"{root.name}.jsonl"
    src.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows), encoding="utf-8")
    assert import_path(ws, src, **import_options).imported == len(rows)
    return ws


def _ner_ws(root: Path, n: int = 4, **import_options: str) -> Workspace:
    ws = Workspace.init(root, parse_config({"task": "ner", "labels": NER_LABELS}))
    src = root.parent / f"{root.name}.jsonl"
    src.write_text("".join(json.dumps({"text": t, "spans": sp}) + "\n" for t, sp in labeled_sample(n, seed=3)),
                   encoding="utf-8")
    assert import_path(ws, src, **import_options).imported == n
    return ws


ROWS = [("win a free phone now", "spam"), ("see you at lunch", "ham"), ("call me later", "ham")]


def test_label_studio_export_has_integer_ids_result_ids_and_a_written_config(tmp_path):
    with _class_ws(tmp_path / "p", ROWS) as ws:
        out = tmp_path / "out" / "ls.json"
        assert export_project(ws, out, fmt="labelstudio") == 3
    tasks = json.loads(out.read_text("utf-8"))
    assert [t["id"] for t in tasks] == [1, 2, 3]
    results = [r for t in tasks for a in t["annotations"] for r in a["result"]]
    assert all(isinstance(a["id"], int) for t in tasks for a in t["annotations"])
    assert len({r["id"] for r in results}) == 3 and all(r["id"] for r in results)
    assert {(r["from_name"], r["to_name"], r["type"]) for r in results} == {("label", "text", "choices")}
    written = parse_ls_config((out.parent / "label_config.xml").read_text("utf-8"), "choices")
    assert (written.from_name, written.to_name, written.data_key) == ("label", "text", "text")


def test_ls_config_names_the_results_and_the_data_key(tmp_path):
    cfg = tmp_path / "config.xml"
    cfg.write_text(SENTIMENT_XML, encoding="utf-8")
    with _class_ws(tmp_path / "p", ROWS) as ws:
        out = tmp_path / "ls.json"
        export_project(ws, out, fmt="labelstudio", ls_config=cfg)
        with pytest.raises(ConfigError, match="no <Labels"):
            parse_ls_config(SENTIMENT_XML, "labels")
    tasks = json.loads(out.read_text("utf-8"))
    assert all("review_text" in t["data"] for t in tasks)
    assert {(r["from_name"], r["to_name"]) for t in tasks for a in t["annotations"] for r in a["result"]} == \
        {("sentiment", "review")}
    assert (tmp_path / "label_config.xml").read_text("utf-8") == SENTIMENT_XML
    with Workspace.init(tmp_path / "again", parse_config({"task": "classification", "labels": ["ham", "spam"]})) as ws2:
        report = import_path(ws2, out, text_field="review_text")
        assert (report.imported, report.rejected) == (3, 0)
        assert sorted(r.value["label"] for r in ws2.store.current_labels()) == ["ham", "ham", "spam"]


def test_auto_labels_go_to_predictions_and_never_come_back_as_human_answers(tmp_path):
    with _ner_ws(tmp_path / "p", labels_as="predictions") as ws:
        assert ws.store.human_answer_count() == 0
        ls, pj = tmp_path / "ls.json", tmp_path / "prodigy.jsonl"
        assert export_project(ws, ls, fmt="labelstudio") == 4
        assert export_project(ws, pj, fmt="jsonl") == 4
        again = tmp_path / "prodigy2.jsonl"
        export_project(ws, again, fmt="jsonl")
    tasks = json.loads(ls.read_text("utf-8"))
    assert all("annotations" not in t and t["predictions"][0]["result"] for t in tasks)
    lines = [json.loads(x) for x in pj.read_text("utf-8").splitlines()]
    assert all(x["answer"] is None and x["_source"] == "auto" for x in lines)
    assert [(x["_input_hash"], x["_task_hash"]) for x in lines] == \
        [(x["_input_hash"], x["_task_hash"]) for x in map(json.loads, again.read_text("utf-8").splitlines())]
    for src in (pj, ls):
        with Workspace.init(tmp_path / f"re-{src.suffix[1:]}", parse_config({"task": "ner", "labels": NER_LABELS})) as ws2:
            report = import_path(ws2, src)
            assert (report.imported, report.rejected) == (4, 0)
            assert ws2.store.human_answer_count() == 0  # zero human answers
            assert len(ws2.store.current_labels(include_auto=True)) == 4  # kept as predictions


def test_prodigy_hashes_follow_the_content_only(tmp_path):
    with _ner_ws(tmp_path / "p") as ws:
        out = tmp_path / "a.jsonl"
        export_project(ws, out, fmt="jsonl")
    lines = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert all(x["answer"] == "accept" and x["_source"] == "human" for x in lines)
    assert len({x["_input_hash"] for x in lines}) == len(lines)
    assert all(isinstance(x["_task_hash"], int) and x["_task_hash"] != x["_input_hash"] for x in lines)


def test_labels_as_ignore_imports_text_only_and_answers_stay_the_default(tmp_path):
    with _class_ws(tmp_path / "p", ROWS, labels_as="ignore") as ws:
        assert ws.store.item_count() == 3 and ws.store.current_labels(include_auto=True) == []
    with _class_ws(tmp_path / "q", ROWS) as ws:
        assert ws.store.human_answer_count() == 3
    with pytest.raises(ConfigError, match="labels_as"):
        _class_ws(tmp_path / "r", ROWS, labels_as="maybe")


def test_json_arrays_are_read_as_arrays_and_rejections_name_the_element(tmp_path):
    json_min = tmp_path / "min.json"
    json_min.write_text(json.dumps([{"text": "free money", "label": "spam"}, {"text": "", "label": "ham"},
                                    "not an object", {"text": "hi mum", "label": "ham", "answer": "accept"},
                                    {"text": "model said so", "label": "spam", "answer": None}]), encoding="utf-8")
    recs = list(read_classification(json_min, "auto", labels=["ham", "spam"], project_dir=tmp_path))
    assert [type(r).__name__ for r in recs] == ["ImportRecord", "Rejection", "Rejection", "ImportRecord",
                                                "ImportRecord"]
    assert isinstance(recs[1], Rejection) and recs[1].line == 2 and "element [1]" in recs[1].reason
    assert isinstance(recs[2], Rejection) and "element [2]" in recs[2].reason
    assert isinstance(recs[3], ImportRecord) and "answer" not in recs[3].meta
    assert isinstance(recs[4], ImportRecord) and recs[4].value is None and recs[4].prediction is not None
    ls = tmp_path / "ls.json"
    ls.write_text(json.dumps([{"id": 7, "data": {"text": "cheap pills"},
                               "annotations": [{"result": [{"type": "choices", "value": {"choices": ["spam"]}}]}]},
                              {"id": 8, "data": {"text": "two answers"}, "annotations": [{"result": [
                                  {"type": "choices", "value": {"choices": ["spam", "ham"]}}]}]},
                              {"id": 9, "data": {"text": "predicted"}, "predictions": [{"result": [
                                  {"type": "choices", "value": {"choices": ["ham"]}}]}]}]), encoding="utf-8")
    a, b, c = read_classification(ls, "auto", labels=["ham", "spam"], project_dir=tmp_path)
    assert isinstance(a, ImportRecord) and a.value is not None and a.meta["labelstudio_id"] == 7
    assert isinstance(b, Rejection) and "element [1]" in b.reason and "exactly one choice" in b.reason
    assert isinstance(c, ImportRecord) and c.value is None and c.prediction is not None


def test_image_exports_keep_the_original_file_names_with_a_suffix_only_on_a_clash(tmp_path):
    from activelabel.samples.detection import LABELS, make_sample

    with Workspace.init(tmp_path / "p", parse_config({"task": "detection", "labels": LABELS})) as ws:
        for seed in (1, 2):  # two samples: same file names, different pictures
            folder = make_sample(tmp_path / f"s{seed}", 2, seed=seed, size=64)
            for f in folder.rglob(f"shapes_{seed}_*"):
                f.rename(f.with_name(f.name.replace(f"shapes_{seed}_", "shape_")))
            assert import_path(ws, folder).imported == 2
        originals = sorted(p.name for p in (tmp_path / "s1").rglob("*.png"))
        for fmt in ("coco", "yolo", "voc", "labelstudio"):
            export_project(ws, tmp_path / fmt, fmt=fmt)
    stems = [Path(n).stem for n in originals]
    want = sorted([*originals, *(f"{s}-2.png" for s in stems)])
    for fmt in ("coco", "yolo", "voc", "labelstudio"):
        assert sorted(p.name for p in (tmp_path / fmt / "images").iterdir()) == want, fmt
    coco = json.loads((tmp_path / "coco" / "annotations.json").read_text("utf-8"))
    assert sorted(im["file_name"] for im in coco["images"]) == want
    assert sorted(p.stem for p in (tmp_path / "yolo" / "labels").iterdir()) == sorted(Path(n).stem for n in want)


def test_conflicting_duplicates_become_a_second_annotation_and_exact_ones_are_reported(tmp_path):
    rows = [("free money", "spam"), ("free money", "spam"), ("free money", "ham"), ("lunch?", "ham"),
            ("free money", "ham")]
    ws = Workspace.init(tmp_path / "p", parse_config({"task": "classification", "labels": ["ham", "spam"]}))
    with ws:
        src = tmp_path / "dups.jsonl"
        src.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows), encoding="utf-8")
        report = import_path(ws, src)
        assert (report.total, report.imported, report.rejected) == (5, 3, 2)
        assert [r.reason for r in report.rejections] == ["duplicate of line 1", "duplicate of line 3"]
        assert len(report.warnings) == 1 and "conflict with line 1: 'spam' there, 'ham' here" in report.warnings[0]
        answers = [a for a in ws.store.all_annotations() if a["status"] == "corrected"]
        assert sorted((a["annotator"], a["value"]["label"]) for a in answers) == [
            ("import", "ham"), ("import", "spam"), ("import#2", "ham")]
        from activelabel.quality.adjudication import review_queue

        (review,) = review_queue(ws)  # the quality review shows the conflict as a disagreement
        assert review["content"] == "free money" and review["reasons"] == ["disagreement"]
        assert review["answers"] == {"import": {"label": "spam"}, "import#2": {"label": "ham"}}
    with Workspace.init(tmp_path / "g", parse_config({"task": "classification", "labels": ["ham", "spam"]})) as gws:
        report = import_path(gws, src, as_gold=True)
        assert (report.imported, report.rejected) == (2, 3)
        assert any("conflict with line 1: 'spam' there, 'ham' here; a gold item has one value" in r.reason
                   for r in report.rejections)


def test_exact_duplicate_spans_merge_and_real_overlaps_are_still_named(tmp_path):
    text = "Maria Lopez joined Google."
    person = {"type": "labels", "value": {"start": 0, "end": 11, "text": "Maria Lopez", "labels": ["person"]}}
    org = {"type": "labels", "value": {"start": 19, "end": 25, "text": "Google", "labels": ["org"]}}
    overlap = {"type": "labels", "value": {"start": 6, "end": 11, "text": "Lopez", "labels": ["org"]}}
    ls = tmp_path / "ls.json"
    ls.write_text(json.dumps([{"data": {"text": text}, "annotations": [{"result": [person, org, person]}]},
                              {"data": {"text": text + " Again."}, "annotations": [{"result": [person, overlap]}]}]),
                  encoding="utf-8")
    with Workspace.init(tmp_path / "p", parse_config({"task": "ner", "labels": NER_LABELS})) as ws:
        report = import_path(ws, ls)
        assert (report.imported, report.rejected) == (1, 1)
        assert "given twice: merged" in report.warnings[0]
        assert "element [1]" in report.rejections[0].reason and "overlap" in report.rejections[0].reason
        (label,) = ws.store.current_labels()
        assert [(s["start"], s["end"], s["label"]) for s in label.value["spans"]] == [(0, 11, "person"),
                                                                                       (19, 25, "org")]


def test_docbin_export_keeps_the_tokens_the_item_was_imported_with(tmp_path):
    pytest.importorskip("spacy")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    sentences = [[("Maria", "B-person"), ("don't", "O"), ("visit", "O"), ("U.S.-based", "O"), ("Acme", "B-org"),
                  ("Corp.", "I-org"), ("!", "O")], [("Hi", "O"), ("@bob", "B-person"), (":)", "O")]]
    conll = tmp_path / "in.conll"
    conll.write_text("\n\n".join("\n".join(f"{w}\t{t}" for w, t in s) for s in sentences) + "\n", encoding="utf-8")
    with Workspace.init(tmp_path / "p", parse_config({"task": "ner", "labels": NER_LABELS})) as ws:
        assert import_path(ws, conll).imported == 2
        export_project(ws, tmp_path / "out.spacy", fmt="spacy")
    docs = list(DocBin().from_bytes((tmp_path / "out.spacy").read_bytes()).get_docs(Vocab()))
    assert [[t.text for t in d] for d in docs] == [[w for w, _ in s] for s in sentences]
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [[("Maria", "person"), ("Acme Corp.", "org")],
                                                                   [("@bob", "person")]]


def test_the_ner_package_keeps_the_tokens_the_items_were_imported_with(tmp_path):
    pytest.importorskip("spacy")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    from activelabel.packaging import package_project

    sentences = [[("Maria", "B-person"), ("don't", "O"), ("visit", "O"), ("U.S.-based", "O"), ("Acme", "B-org"),
                  ("Corp.", "I-org"), ("!", "O")], [("Hi", "O"), ("@bob", "B-person"), (":)", "O")]]
    conll = tmp_path / "in.conll"
    conll.write_text("\n\n".join("\n".join(f"{w}\t{t}" for w, t in s) for s in sentences) + "\n", encoding="utf-8")
    with Workspace.init(tmp_path / "p", parse_config({"task": "ner", "labels": NER_LABELS})) as ws:
        assert import_path(ws, conll).imported == 2
        package_project(ws, tmp_path / "pkg", shares=(1.0, 0.0, 0.0))
    docs = list(DocBin().from_bytes((tmp_path / "pkg" / "train.spacy").read_bytes()).get_docs(Vocab()))
    assert sorted([t.text for t in d] for d in docs) == sorted([w for w, _ in s] for s in sentences)


def test_whitespace_between_source_tokens_becomes_spacy_whitespace_tokens():
    from activelabel.formats.docbin import _words

    assert _words("a  b\nc", [[0, 1], [3, 4], [5, 6]]) == (["a", " ", "b", "\n", "c"], [True, False, False, False, False])
    assert _words("ab", [[0, 1]]) is None  # a character no token covers


def test_classification_jsonl_export_of_auto_labels_re_imports_as_predictions(tmp_path):
    with _class_ws(tmp_path / "p", ROWS, labels_as="predictions") as ws:
        out = tmp_path / "out.jsonl"
        assert export_project(ws, out, fmt="jsonl") == 3
    assert all(json.loads(x)["answer"] is None for x in out.read_text("utf-8").splitlines())
    with Workspace.init(tmp_path / "q", parse_config({"task": "classification", "labels": ["ham", "spam"]})) as ws2:
        assert import_path(ws2, out).imported == 3
        assert ws2.store.human_answer_count() == 0
        assert sorted(r.value["label"] for r in ws2.store.current_labels(include_auto=True)) == ["ham", "ham", "spam"]


def test_ls_config_on_import_reads_only_its_control_and_its_text_field(tmp_path):
    cfg = tmp_path / "config.xml"
    cfg.write_text(SENTIMENT_XML, encoding="utf-8")
    result = [{"from_name": "sentiment", "to_name": "review", "type": "choices", "value": {"choices": ["spam"]}},
              {"from_name": "topic", "to_name": "review", "type": "choices", "value": {"choices": ["ham"]}}]
    ls = tmp_path / "two-controls.json"
    ls.write_text(json.dumps([{"id": 1, "data": {"review_text": "buy now", "title": "x"},
                               "annotations": [{"result": result}]}]), encoding="utf-8")
    (mixed,) = read_classification(ls, "auto", labels=["ham", "spam"], project_dir=tmp_path, text_field="review_text")
    assert isinstance(mixed, Rejection) and "exactly one choice" in mixed.reason
    (rec,) = read_classification(ls, "auto", labels=["ham", "spam"], project_dir=tmp_path, ls_config=str(cfg))
    assert isinstance(rec, ImportRecord) and rec.content == "buy now" and rec.value is not None
    assert rec.value.to_json() == {"label": "spam"}


def test_ner_json_min_and_prodigy_data_json_arrays(tmp_path):
    from activelabel.formats.ner import read_ner

    text = "Maria Lopez joined Google."
    json_min = tmp_path / "min.json"
    json_min.write_text(json.dumps([
        {"id": 1, "text": text, "label": [{"start": 0, "end": 11, "text": "Maria Lopez", "labels": ["person"]}]},
        {"id": 2, "text": text, "label": [{"start": 0, "end": 11, "labels": ["person", "org"]}]}]), encoding="utf-8")
    ok, bad = read_ner(json_min, labels=NER_LABELS, project_dir=tmp_path)
    assert isinstance(ok, ImportRecord) and ok.value is not None
    assert [(s.start, s.end, s.label) for s in ok.value.spans] == [(0, 11, "person")]
    assert isinstance(bad, Rejection) and bad.line == 2 and "element [1]" in bad.reason
    data_json = tmp_path / "data.json"
    data_json.write_text(json.dumps([{"text": text, "spans": [{"start": 19, "end": 25, "label": "org"}],
                                      "answer": "accept", "_input_hash": 1, "_task_hash": 2},
                                     {"text": "Paris is nice.", "spans": [{"start": 0, "end": 5, "label": "location"}],
                                      "answer": None, "_source": "model"}]), encoding="utf-8")
    human, predicted = read_ner(data_json, labels=NER_LABELS, project_dir=tmp_path)
    assert isinstance(human, ImportRecord) and human.value is not None and "_input_hash" not in human.meta
    assert isinstance(predicted, ImportRecord) and predicted.value is None and predicted.prediction is not None


def test_ls_config_with_another_format_is_a_named_error(tmp_path):
    from activelabel.errors import FormatError

    with _ner_ws(tmp_path / "p") as ws:
        for fmt in ("conll", "jsonl"):
            with pytest.raises(FormatError, match="takes no ls_config option"):
                export_project(ws, tmp_path / f"x.{fmt}", fmt=fmt, ls_config=tmp_path / "c.xml")


def test_a_stored_item_arriving_with_another_label_is_reported_with_both(tmp_path):
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"text": "win a prize now", "label": "spam"}) + "\n"
                     + json.dumps({"text": "see you at lunch", "label": "ham"}) + "\n", encoding="utf-8")
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps({"text": "win a prize now", "label": "ham"}) + "\n"
                     + json.dumps({"text": "see you at lunch", "label": "ham"}) + "\n", encoding="utf-8")
    with Workspace.init(tmp_path / "p", parse_config({"task": "classification", "labels": ["ham", "spam"]})) as ws:
        assert import_path(ws, first).imported == 2
        report = import_path(ws, again)
        assert (report.imported, report.rejected) == (0, 2)
        conflict, same = (r.reason for r in report.rejections)
        assert conflict.startswith("already imported as item") and "'spam' in the project, 'ham' here" in conflict
        assert "conflict" not in same  # the same label again is a plain duplicate
