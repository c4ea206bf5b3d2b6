"""Suspected label errors: a confident model that contradicts a human label flags it."""

from __future__ import annotations

from activelabel.quality.suspected import suspected_errors
from activelabel.types import ClassLabel
from tests.conftest import make_text_dataset, write_tsv


def test_a_flipped_label_is_the_top_suspect(text_project, tmp_path):
    rows = make_text_dataset(80, seed=4)
    text_project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    truth = dict(rows)
    items = sorted((it for page in text_project.store.iter_pool() for it in page), key=lambda i: i.id)
    flipped = items[0]
    for it in items:
        label = truth[it.content]
        if it.id == flipped.id:
            label = "ham" if label == "spam" else "spam"
        text_project.submit(it.id, ClassLabel(label), annotator="alice")
    assert suspected_errors(text_project) == []  # no model yet, nothing to contradict
    text_project.train(wait=True)
    suspects = suspected_errors(text_project, threshold=0.5)
    assert suspects and suspects[0].item_id == flipped.id
    assert suspects[0].given == {"label": "ham" if truth[flipped.content] == "spam" else "spam"}
    assert suspects[0].self_confidence is not None and suspects[0].self_confidence < 0.5
