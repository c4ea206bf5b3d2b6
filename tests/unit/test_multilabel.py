"""The multilabel kind's pieces on their own: payload, spec, agreement, reader, adapter confidence, loader."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from activelabel.errors import ActiveLabelError, InvalidLabelError, NotEnoughAnswersError
from activelabel.formats.base import ImportRecord, Rejection
from activelabel.formats.multilabel import read_multilabel
from activelabel.models.sklearn_multilabel import SklearnMultiLabelClassifier, item_confidence
from activelabel.quality.agreement import pair_score
from activelabel.tasks import get_task
from activelabel.types import Item, LabelSet

LABELS = ["sports", "politics", "tech"]
SPEC = get_task("multilabel")
TEXT = Item("i", "text", "a text")


def test_label_set_validates_known_labels_and_no_duplicates() -> None:
    assert SPEC.validate(LabelSet(("tech", "sports")), LABELS, TEXT) == LabelSet(("tech", "sports"))
    assert SPEC.validate(LabelSet(()), LABELS, TEXT) == LabelSet(())  # the empty set is an answer
    with pytest.raises(InvalidLabelError, match="unknown labels"):
        SPEC.validate(LabelSet(("tech", "cooking")), LABELS, TEXT)
    with pytest.raises(InvalidLabelError, match="more than once"):
        SPEC.validate(LabelSet(("tech", "tech")), LABELS, TEXT)
    with pytest.raises(InvalidLabelError, match="malformed"):
        SPEC.payload({"labels": "tech"})  # a string is not a list of labels
    assert SPEC.payload({"labels": ["tech"]}).to_json() == {"labels": ["tech"]}


def test_spec_canonical_order_free_and_jaccard_gold_score() -> None:
    assert SPEC.same({"labels": ["tech", "sports"]}, {"labels": ["sports", "tech"]})
    assert not SPEC.same({"labels": []}, None)  # an empty answer is not a missing one
    assert SPEC.gold_score({"labels": ["tech"]}, {"labels": ["tech", "sports"]}) == 0.5
    assert SPEC.gold_score({"labels": []}, {"labels": []}) == 1.0
    assert SPEC.gold_score({"labels": ["politics"]}, {"labels": ["tech"]}) == 0.0
    assert SPEC.stratum({"labels": ["tech", "politics"]}) == "politics"
    assert SPEC.stratum({"labels": []}) == "(none)"
    # in a package the stratum is the answer's rarest label in the data set, not its first one
    assert SPEC.stratum({"labels": ["tech", "politics"]}, {"politics": 40, "tech": 3}) == "tech"
    assert SPEC.parse_value(" tech ,sports") == LabelSet(("tech", "sports"))
    assert SPEC.parse_value("") == LabelSet(())
    assert SPEC.summarize({"labels": []}) == "(none)"


def test_agreement_is_micro_f1_over_label_decisions_with_per_label_figures() -> None:
    rows = [("1", {"labels": ["tech", "sports"]}, {"labels": ["tech"]}, ""),
            ("2", {"labels": ["politics"]}, {"labels": ["politics"]}, ""),
            ("3", {"labels": []}, {"labels": []}, "")]
    out = pair_score(SPEC, rows)
    assert out["value"] == pytest.approx(2 * 2 / (3 + 2))  # both said yes twice; 3 and 2 yeses
    assert out["label_f1"] == {"politics": 1.0, "sports": 0.0, "tech": 1.0}
    assert out["macro_f1"] == pytest.approx(2 / 3)
    assert out["exact_match"] == pytest.approx(2 / 3) and out["disagreements"] == ["1"]
    assert pair_score(SPEC, rows, label="sports")["value"] == 0.0


def _read(path: Path, **options: object) -> list[ImportRecord | Rejection]:
    return list(read_multilabel(path, "auto", labels=LABELS, project_dir=path.parent, **options))


def test_reader_csv_splits_on_bar_or_semicolon_and_keeps_unlabeled_rows(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("text,labels,lang\nfirst,tech|sports,en\nsecond,politics; tech,en\nthird,,en\n"
                    "fourth,[],en\nfifth,cooking,en\n", encoding="utf-8")
    got = _read(path)
    assert [r.value for r in got[:4]] == [LabelSet(("tech", "sports")), LabelSet(("politics", "tech")), None,
                                          LabelSet(())]
    assert got[0].meta == {"lang": "en"}
    assert isinstance(got[4], Rejection) and got[4].line == 6 and "cooking" in got[4].reason


def test_reader_tsv_and_jsonl_lists(tmp_path: Path) -> None:
    tsv = tmp_path / "items.tsv"
    tsv.write_text("text\ttopics\none\tsports\n", encoding="utf-8")
    assert [r.value for r in _read(tsv)] == [LabelSet(("sports",))]
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text("\n".join([json.dumps({"text": "a", "labels": ["tech", "politics"]}),
                                json.dumps({"text": "b"}), json.dumps({"text": "c", "labels": None}),
                                json.dumps({"text": "d", "value": {"labels": []}}),
                                "{broken", json.dumps({"text": "e", "labels": ["tech", "tech"]}),
                                json.dumps({"text": "f", "labels": "tech"})]) + "\n", encoding="utf-8")
    got = _read(jsonl)
    assert [getattr(r, "value", "rejected") for r in got] == [LabelSet(("tech", "politics")), None, None,
                                                              LabelSet(()), "rejected", "rejected", LabelSet(("tech",))]
    assert "broken JSON" in got[4].reason and "more than once" in got[5].reason  # type: ignore[union-attr]


def test_reader_names_a_missing_field(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("body,labels\nx,tech\n", encoding="utf-8")
    assert [r.value for r in _read(path)] == [LabelSet(("tech",))]  # "body" is a known text field name
    with pytest.raises(ActiveLabelError, match="no label field 'tags'"):
        _read(path, label_field="tags")


def test_item_confidence_measures() -> None:
    proba = np.array([[0.99, 0.01, 0.98], [0.99, 0.5, 0.01], [0.8, 0.2, 0.7]])
    closest = item_confidence(proba, "closest")
    assert closest[0] == pytest.approx(0.96) and closest[1] == pytest.approx(0.0)
    entropy = item_confidence(proba, "entropy")
    assert np.all((entropy >= 0) & (entropy <= 1))
    # one label at 0.5 makes "closest" least sure of row 1; the mean entropy finds row 2 vaguer overall
    assert entropy[0] > entropy[1] > entropy[2] and closest[1] < closest[2]


def test_adapter_refuses_an_unknown_confidence_by_name() -> None:
    from activelabel.errors import ConfigError

    with pytest.raises(ConfigError, match="entropy"):
        SklearnMultiLabelClassifier(LABELS, {"confidence": "max"})


def test_adapter_proposes_labels_at_half_and_needs_a_label_that_varies() -> None:
    from activelabel.samples.multilabel import LABELS as TOPICS
    from activelabel.samples.multilabel import labeled_sample

    model = SklearnMultiLabelClassifier(TOPICS)
    with pytest.raises(NotEnoughAnswersError):
        model.fit([Item("a", "text", "x"), Item("b", "text", "y")], [LabelSet(("sports",))] * 2)
    rows = labeled_sample(200, seed=2)
    items = [Item(f"m{i}", "text", t) for i, (t, _) in enumerate(rows)]
    model.fit(items[:150], [LabelSet(tuple(labs)) for _, labs in rows[:150]])
    proposals = model.predict(items[150:])
    assert all(p.proba is None and len(p.parts) == len(TOPICS) for p in proposals)
    for p in proposals:
        assert set(p.value.labels) == {lab for lab, q in zip(TOPICS, p.parts) if q >= 0.5}  # type: ignore[union-attr]
    metrics = model.evaluate(items[150:], [LabelSet(tuple(labs)) for _, labs in rows[150:]])
    assert metrics["metric"] == metrics["micro_f1"] > 0.6 and 0 <= metrics["macro_f1"] <= 1


def test_simulation_loader_generates_topics_and_answers() -> None:
    from activelabel.simulation.tasks import load_dataset

    data = load_dataset("multilabel", "topics", seed=3)
    assert data.task == "multilabel" and data.n_pool + data.n_eval == 1000 and data.n_eval == 300
    text, labels = data.pool[0]  # type: ignore[attr-defined]
    assert data.answer(Item("x", "text", text)) == LabelSet(labels)
    assert 1 <= len(labels) <= 3
    with pytest.raises(ActiveLabelError, match="no such data set"):
        load_dataset("multilabel", "missing.jsonl")


HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile" / "text"


@pytest.mark.parametrize("name", ["bad_encodings.tsv", "utf16.csv", "bom_and_crlf.csv", "malformed.jsonl",
                                  "hostile_labels.jsonl"])
def test_reader_survives_the_hostile_text_corpus(name: str) -> None:
    try:
        got = _read(HOSTILE / name)
    except ActiveLabelError:  # an unreadable file: one named error
        return
    assert all(isinstance(r, (ImportRecord, Rejection)) for r in got)
    assert all(r.reason for r in got if isinstance(r, Rejection))


def test_label_studio_tasks_read_as_label_sets_with_predictions_kept_apart(tmp_path: Path) -> None:
    def task(text: str, key: str, choices: list[object]) -> dict[str, object]:
        return {"data": {"text": text}, key: [{"result": [{"type": "choices", "from_name": "label", "to_name": "text",
                                                          "value": {"choices": choices}}]}]}

    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task("a", "annotations", ["tech", "sports"]), task("b", "annotations", []),
                                task("c", "predictions", ["politics"]), task("d", "annotations", ["cooking"])]),
                    encoding="utf-8")
    got = _read(path)
    assert [getattr(r, "value", None) for r in got[:3]] == [LabelSet(("tech", "sports")), LabelSet(()), None]
    assert got[2].prediction == LabelSet(("politics",))  # type: ignore[union-attr]
    assert isinstance(got[3], Rejection) and "cooking" in got[3].reason


def test_reader_rejects_a_deeply_nested_labels_cell(tmp_path: Path) -> None:
    path = tmp_path / "deep.csv"
    path.write_text("text,labels\nfine,tech\n" + "x," + "[" * 5000 + "\n", encoding="utf-8")
    got = _read(path)
    assert got[0].value == LabelSet(("tech",))  # type: ignore[union-attr]
    assert isinstance(got[1], Rejection) and "nested too deeply" in got[1].reason
