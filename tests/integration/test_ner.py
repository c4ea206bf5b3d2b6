"""NER end to end with the real spaCy pipeline: pre-label, answer, fine-tune, re-score, export,
plus the forgetting check and the blank start. Training is kept tiny (few sentences, few epochs)."""

from __future__ import annotations

import json

import pytest

from activelabel.config import parse_config
from activelabel.errors import NotFittedError
from activelabel.exporting import export_project
from activelabel.formats.base import ImportRecord
from activelabel.formats.ner import read_ner
from activelabel.models.spacy_ner import SpacyNER
from activelabel.project import Project
from activelabel.samples.ner import LABEL_MAP, LABELS, PRODUCTS, answer_key, make_sample
from activelabel.types import Item, Span, Spans

pytestmark = pytest.mark.slow


def _spans(raw: list[dict[str, object]]) -> Spans:
    return Spans(tuple(Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in raw))  # type: ignore[call-overload]


def test_ner_loop_end_to_end(tmp_path):
    cfg = parse_config({"name": "ner", "task": "ner", "labels": LABELS,
                        "model": {"params": {"n_iter": 4, "beam_width": 4}, "label_map": LABEL_MAP},
                        "loop": {"human_budget_per_round": 8, "retrain_every": 0, "auto_accept_threshold": 1.0,
                                 "audit_rate": 0.0, "strategy": "least_confidence"}})
    project = Project.init(tmp_path / "proj", cfg)
    try:
        truth = answer_key(30, seed=5)
        report = project.import_file(make_sample(tmp_path / "data", 30, seed=5))
        assert report.imported == 30 and report.rejected == 0

        first = project.prelabel()  # the pretrained pipeline pre-labels before any answer
        assert first["model_version"] == "v0001" and first["n_scored"] == 30
        queued = project.claim("alice", 8)
        assert queued and all(q.proposal is not None for q in queued)
        for q in queued:
            proposed = q.proposal["value"]["spans"]
            assert {s["label"] for s in proposed} <= set(LABELS)  # model labels mapped, the rest dropped
            assert all(0.0 <= s["confidence"] <= 1.0 for s in proposed)
            assert len(q.proposal["parts"]) == len(proposed)
            project.submit(q.entry.item.id, _spans(truth[q.entry.item.content]), annotator="alice")

        version = project.train(wait=True)
        info = project.store.get_version(version)
        assert info.status == "promoted" and info.base_version == "v0001"
        assert 0.0 <= info.metrics.get("metric", 0.0) <= 1.0 or info.metrics == {}
        assert project.store.current_round().model_version == version
        for q in project.queue(3):
            assert q.proposal is not None and q.proposal["model_version"] == version

        out = tmp_path / "export"
        assert export_project(project, out.with_suffix(".jsonl")) == 8
        rows = [json.loads(line) for line in out.with_suffix(".jsonl").read_text("utf-8").splitlines()]
        assert all(r["spans"] == truth[r["text"]] and r["source"] == "human" for r in rows)  # Prodigy-style
        assert export_project(project, out.with_suffix(".conll"), fmt="conll") == 8
        assert export_project(project, out.with_suffix(".spacy"), fmt="spacy") == 8
        assert export_project(project, out.with_suffix(".json"), fmt="labelstudio", include_predictions=True) == 30
        # DocBin keeps the text exactly: it imports back with the same answers
        again = Project.init(tmp_path / "again", cfg)
        try:
            rep = again.import_file(out.with_suffix(".spacy"))
            assert (rep.imported, rep.rejected) == (8, 0)
            labels = {again.store.get_item(r.item_id).content: r.value["spans"] for r in again.store.current_labels()}
            assert labels == {r["text"]: r["spans"] for r in rows}
        finally:
            again.close()
        # CoNLL keeps tokens, not spaces: the same entities come back, token by token
        back = [r for r in read_ner(out.with_suffix(".conll"), labels=LABELS) if isinstance(r, ImportRecord)]
        assert len(back) == 8
        assert ({tuple(r.content[s.start:s.end] for s in r.value.spans) for r in back}  # type: ignore[union-attr]
                == {tuple(r["text"][s["start"]:s["end"]] for s in r["spans"]) for r in rows})
    finally:
        project.close()


def test_fine_tuning_a_new_label_does_not_forget_pretrained_person_and_org():
    """The forgetting check: train only on a label the pipeline lacks, then look at a held-out sentence."""
    templates = ["Shops ran out of the {} before noon.", "I finally bought the {} yesterday.",
                 "The new {} is cheaper than expected.", "Reviews of the {} were mixed."]
    train = []
    for i, t in enumerate(templates * 2):
        name = PRODUCTS[i % len(PRODUCTS)]
        text = t.format(name)
        train.append((text, Spans((Span(text.index(name), text.index(name) + len(name), "product"),))))
    held_out = "Tim Cook and Satya Nadella met bankers from Goldman Sachs in Paris."
    model = SpacyNER(["person", "org", "product"], params={"n_iter": 8, "beam_width": 4},
                     label_map={"PERSON": "person", "ORG": "org"})
    before = model.predict([Item("h", "text", held_out)])[0]
    found_before = {(held_out[s.start:s.end], s.label) for s in before.value.spans}  # type: ignore[union-attr]
    assert {("Tim Cook", "person"), ("Goldman Sachs", "org")} <= found_before
    assert before.meta["dropped_labels"] == {"GPE": 1}  # Paris: a model label the project does not map
    assert before.meta["unlearned_labels"] == ["product"] and before.confidence <= 0.5  # no auto-accept yet

    model.fit([Item(str(i), "text", t) for i, (t, _) in enumerate(train)], [v for _, v in train])
    assert "product" in model.nlp_.get_pipe("ner").labels  # the new label was added
    after, fresh = model.predict([Item("h", "text", held_out), Item("p", "text", "Everyone wants the Lumexa 7 now.")])
    assert "unlearned_labels" not in after.meta
    found_after = {(held_out[s.start:s.end], s.label) for s in after.value.spans}  # type: ignore[union-attr]
    assert {("Tim Cook", "person"), ("Goldman Sachs", "org")} <= found_after
    fresh_text = "Everyone wants the Lumexa 7 now."
    assert any(s.label == "product" and "Lumexa" in fresh_text[s.start:s.end]
               for s in fresh.value.spans)  # type: ignore[union-attr]  # the new label is learned


def test_new_labels_start_blank_and_train_from_scratch():
    model = SpacyNER(["drug"], params={"n_iter": 6, "beam_width": 4})
    assert model.start_mode == "blank" and not model.ready
    with pytest.raises(NotFittedError):
        model.predict([Item("a", "text", "Take aspirin daily.")])
    texts = ["Take aspirin daily.", "She was given ibuprofen.", "No drug was needed.", "Aspirin helps."]
    values = [Spans((Span(5, 12, "drug"),)), Spans((Span(14, 23, "drug"),)), Spans(()), Spans((Span(0, 7, "drug"),))]
    model.fit([Item(str(i), "text", t) for i, t in enumerate(texts)], values)
    assert model.ready and model.start_mode == "blank"
    (p,) = model.predict([Item("b", "text", "Take aspirin daily.")])
    assert 0.0 <= p.confidence <= 1.0


def test_simulation_loader_reads_conll_splits_and_answers(tmp_path):
    from activelabel.formats.conll import write_conll
    from activelabel.samples.ner import labeled_sample
    from activelabel.simulation.tasks import load_dataset

    rows = labeled_sample(20, seed=2)
    path = tmp_path / "data.conll"
    write_conll(path, [(t, [(int(s["start"]), int(s["end"]), str(s["label"])) for s in sp]) for t, sp in rows])  # type: ignore[call-overload]
    data = load_dataset("ner", str(path), seed=0)
    assert data.labels == sorted(LABELS) and (data.n_pool, data.n_eval) == (14, 6)
    assert data.model["label_map"]["PERSON"] == "person" and data.model["label_map"]["GPE"] == "location"
    spec = data.write_pool(tmp_path / "files")
    first = json.loads(spec.path.read_text("utf-8").splitlines()[0])
    assert set(first) == {"text"}
    truth = data.answer(Item("x", "text", first["text"]))
    assert isinstance(truth, Spans)


@pytest.mark.parametrize("retrain_from", ["current", "pretrained"])
def test_retrain_from_says_what_a_second_round_starts_from(retrain_from):
    """``retrain_from = "pretrained"`` forgets what only the earlier round's answers taught (the loop
    always trains on all answers); ``"current"`` fine-tunes the earlier round's model further."""
    product_text = "I finally bought the Lumexa 7 yesterday."
    start = product_text.index("Lumexa")
    person_text = "Tim Cook spoke today."
    model = SpacyNER(["person", "product"], params={"n_iter": 2, "beam_width": 4, "retrain_from": retrain_from},
                     label_map={"PERSON": "person"})
    model.fit([Item("a", "text", product_text)], [Spans((Span(start, start + 8, "product"),))])
    assert model.unlearned_labels() == []
    model.fit([Item("b", "text", person_text)], [Spans((Span(0, 8, "person"),))])
    assert model.unlearned_labels() == ([] if retrain_from == "current" else ["product"])
    assert model.n_trained_ == (2 if retrain_from == "current" else 1)


def test_retrain_from_must_be_known():
    from activelabel.errors import ConfigError

    with pytest.raises(ConfigError, match="retrain_from"):
        SpacyNER(["person"], params={"retrain_from": "scratch"})
