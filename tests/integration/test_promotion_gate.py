"""The promotion gate: a worse version stays ready and says why, ``--force`` promotes it, and the
evaluation set both versions are scored on only ever grows."""

from __future__ import annotations

import importlib
import json
import time

from typer.testing import CliRunner

from activelabel.types import ClassLabel
from activelabel.ui import dashboard_data
from tests.conftest import make_text_dataset, write_tsv

FLIP = {"ham": "spam", "spam": "ham"}


def _cli(*args: str) -> str:
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _answer(project, truth: dict[str, str], n: int, annotator: str = "alice") -> list[str]:  # noqa: ANN001
    ids = []
    for q in project.claim(annotator, n):
        project.submit(q.entry.item.id, ClassLabel(truth[q.entry.item.content]), annotator=annotator)
        ids.append(q.entry.item.id)
    return ids


def _seeded(project, tmp_path, n: int = 150) -> dict[str, str]:  # noqa: ANN001
    rows = make_text_dataset(n, seed=4)
    project.import_file(write_tsv(tmp_path / "pool.tsv", rows, with_labels=False))
    project.prelabel()
    return dict(rows)


def test_the_gate_refuses_a_worse_version_and_force_promotes_it(text_project, tmp_path):
    truth = _seeded(text_project, tmp_path)
    store = text_project.store
    answered: list[str] = []
    while len(answered) < 110:  # about 22 held out: enough for the gate to judge (promotion_min_items 20)
        answered += _answer(text_project, truth, 10)
    first = text_project.train(wait=True)
    assert store.get_version(first).status == "promoted"
    held = store.evaluation_set()
    assert held and set(held) <= set(answered) and set(held.values()) == {"answer"}
    assert len(held) >= text_project.config.loop.promotion_min_items
    assert store.get_version(first).n_validation == len(held)

    # every answer that trains gets a later, flipped answer (a tie: the latest one is in force);
    # the held-out answers keep the truth, so the flipped model is worse on exactly those items
    texts = {it.id: it.content for it in store.get_items(answered).values()}
    for item_id in answered:
        if item_id not in held:
            text_project.submit(item_id, ClassLabel(FLIP[truth[texts[item_id]]]), annotator="bob")
    out = _cli("train", str(text_project.dir), "--wait")
    worse = store.list_versions()[-1].id
    assert "not promoted" in out and "activelabel train --force" in out
    info = store.get_version(worse)
    gate = info.metrics["gate"]
    assert info.status == "ready" and gate["outcome"] == "refused"
    assert gate["current"] == first and gate["n_items"] == len(held)
    assert gate["score"] < gate["current_score"] - gate["tolerance"]
    assert gate["worse"] > gate["better"] and gate["p_value"] <= gate["significance"] == 0.05  # not noise
    assert store.current_version() == first and store.current_round().model_version == first
    assert store.evaluation_set() == held  # no new answers: the same items, none dropped

    status = json.loads(_cli("status", str(text_project.dir), "--json"))
    assert status["current_version"] == first
    assert status["promotion"]["outcome"] == "refused" and status["promotion"]["version"] == worse
    message = status["promotion"]["message"]
    assert f"{worse} scored" in message and f"{first} scores" in message and f"on {len(held)} held-out items" in message
    assert "not promoted" in message and "activelabel train --force" in message
    assert f"{worse} is worse on {gate['worse']}, better on {gate['better']}, sign test p = " in message
    text_out = _cli("status", str(text_project.dir))
    assert "not promoted" in text_out
    assert dashboard_data.promotion_note(text_project) == message
    assert dashboard_data.training_progress(text_project) is None  # refused is done, not "still re-scoring"
    assert [r["promotion"] for r in dashboard_data.versions_table(text_project)][-1] == message

    out = _cli("train", str(text_project.dir), "--wait", "--force")
    forced = store.current_version()
    assert forced not in (first, worse) and f"promoted {forced}" in out
    assert store.get_version(forced).metrics["gate"]["outcome"] == "forced"
    assert store.current_round().model_version == forced
    assert store.get_version(worse).status == "ready"  # the refused one stays as it was
    assert dashboard_data.promotion_note(text_project) is None

    # in the background too: the worker gets --force
    _cli("train", str(text_project.dir), "--force")
    background = store.list_versions()[-1].id
    deadline = time.time() + 120
    while store.get_version(background).status in ("training", "ready") and time.time() < deadline:
        time.sleep(0.2)
    info = store.get_version(background)
    assert info.status == "promoted" and info.metrics["gate"]["outcome"] == "forced"


def test_the_evaluation_set_only_grows_and_never_trains(text_project, tmp_path):
    truth = _seeded(text_project, tmp_path)
    store = text_project.store
    sets: list[dict[str, str]] = []
    snapshot = 0
    for _ in range(4):
        _answer(text_project, truth, 15)
        version = text_project.train(wait=True)
        info = store.get_version(version)
        sets.append(store.evaluation_set())
        joined = set(sets[-1]) - set(sets[-2] if len(sets) > 1 else {})
        assert joined and not joined & store.labeled_items(upto_annotation_id=snapshot)  # no version learned them
        snapshot = info.trained_on_annotation_id
        labeled = len(store.current_labels(upto_annotation_id=info.trained_on_annotation_id))
        assert info.n_validation == len(sets[-1]) and info.n_train + info.n_validation == labeled
    for before, after in zip(sets, sets[1:]):
        assert before.items() <= after.items()  # never shrinks, never reshuffles
    assert len(sets[-1]) > len(sets[0])
    assert 0.1 <= len(sets[-1]) / 60 <= 0.3  # about the validation share (0.2)

    # a revoked held-out answer leaves the set as it is; its item is just not scored this time
    gone = next(iter(sets[-1]))
    last = next(r for r in reversed(store.all_annotations()) if r["item_id"] == gone)
    store.revoke(last["id"], by="alice")
    text_project.train(wait=True)
    assert store.evaluation_set().items() >= sets[-1].items()

    # a lower share later never takes items back
    cfg = text_project.config
    text_project.save_config(cfg.model_copy(update={"loop": cfg.loop.model_copy(update={"validation_share": 0.05})}))
    text_project.train(wait=True)
    assert store.evaluation_set().items() >= sets[-1].items()


def test_gold_items_are_the_evaluation_set_and_more_gold_grows_it(text_project, tmp_path):
    rows = make_text_dataset(160, seed=6)
    text_project.import_file(write_tsv(tmp_path / "gold1.tsv", rows[:20]), as_gold=True)
    text_project.import_file(write_tsv(tmp_path / "pool.tsv", rows[40:], with_labels=False))
    text_project.prelabel()
    truth = dict(rows)
    _answer(text_project, truth, 20)
    store = text_project.store
    first = text_project.train(wait=True)
    gold_ids = {it.id for it, _ in store.gold_items()}
    assert store.evaluation_set() == dict.fromkeys(gold_ids, "gold")
    info = store.get_version(first)
    assert info.metrics["evaluated_on"] == "gold" and info.n_validation == 20 and info.n_train == 20

    text_project.import_file(write_tsv(tmp_path / "gold2.tsv", rows[20:40]), as_gold=True)
    _answer(text_project, truth, 20)
    second = text_project.train(wait=True)
    assert set(store.evaluation_set()) == {it.id for it, _ in store.gold_items()} and len(store.evaluation_set()) == 40
    gate = store.get_version(second).metrics["gate"]
    assert gate["n_items"] == 40 and gate["current"] == first and gate["outcome"] in ("passed", "refused")



def test_a_loss_within_noise_or_too_small_a_set_promotes_and_says_why(text_project, tmp_path):
    truth = _seeded(text_project, tmp_path)
    store = text_project.store
    answered = _answer(text_project, truth, 10) + _answer(text_project, truth, 10) + _answer(text_project, truth, 10)
    first = text_project.train(wait=True)
    held = store.evaluation_set()
    assert 0 < len(held) < 20
    texts = {it.id: it.content for it in store.get_items(answered).values()}
    for item_id in answered:  # the flipped answers of the test above, on fewer held-out items
        if item_id not in held:
            text_project.submit(item_id, ClassLabel(FLIP[truth[texts[item_id]]]), annotator="bob")

    # judged on every item, but at a level no loss on fewer than 20 items can reach (p >= 2**-19)
    cfg = text_project.config
    text_project.save_config(cfg.model_copy(update={"loop": cfg.loop.model_copy(
        update={"promotion_min_items": 1, "promotion_significance": 1e-6})}))
    worse = text_project.train(wait=True)
    gate = store.get_version(worse).metrics["gate"]
    assert gate["current"] == first and gate["score"] < gate["current_score"] - gate["tolerance"]
    assert gate["outcome"] == "passed" and gate["worse"] > gate["better"] and gate["p_value"] > 1e-6
    assert store.current_version() == worse
    assert "promoted: the loss is within noise on these items (p > 1e-06)" in _cli("status", str(text_project.dir))

    # with the default minimum, this set is too small to judge at all
    text_project.save_config(cfg)
    out = _cli("train", str(text_project.dir), "--wait")
    again = store.current_version()
    gate = store.get_version(again).metrics["gate"]
    assert again != worse and gate["outcome"] == "unchecked" and gate["worse"] is None
    assert f"{len(held)} held-out items are too few to judge" in out
    status = json.loads(_cli("status", str(text_project.dir), "--json"))
    assert "promotion_min_items = 20" in status["promotion"]["message"]
