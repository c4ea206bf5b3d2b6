"""Quality review through the real store: overlap, gold mixing, agreement, the gold flag, adjudication."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.labels import resolve_labels
from activelabel.project import Project
from activelabel.quality.adjudication import history, resolve, review_queue
from activelabel.quality.agreement import agreement_report
from activelabel.quality.gold import gold_report
from activelabel.quality.simulate import simulate_team
from activelabel.types import ClassLabel
from tests.conftest import make_text_dataset, write_tsv

TEAM = {"ann_02": 0.02, "ann_05": 0.05, "ann_20": 0.20}


def _project(tmp_path: Path, *, overlap_share: float, gold_rate: float) -> Project:
    cfg = parse_config({"name": "q", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"human_budget_per_round": 50, "retrain_every": 0, "seed": 3},
                        "quality": {"overlap_share": overlap_share, "overlap_k": 3, "gold_rate": gold_rate,
                                    "gold_accuracy_threshold": 0.9, "gold_min_answers": 10}})
    return Project.init(tmp_path / "proj", cfg)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory):
    """Three annotators (2%, 5%, 20% errors) on 200 generated items + 50 gold items."""
    tmp = tmp_path_factory.mktemp("team")
    project = _project(tmp, overlap_share=0.5, gold_rate=0.25)
    rows = make_text_dataset(250, seed=11)
    pool, gold = rows[:200], rows[200:]
    project.import_file(write_tsv(tmp / "pool.tsv", pool, with_labels=False))
    rep = project.import_file(write_tsv(tmp / "gold.tsv", gold), as_gold=True)
    assert rep.imported == 50
    project.prelabel()
    stats = simulate_team(project, dict(rows), TEAM, answers_each=80, seed=5)
    yield project, stats, dict(rows)
    project.close()


def test_overlap_items_get_k_distinct_annotators_and_never_twice(team):
    project, _stats, _ = team
    rows = [r for r in project.store.all_annotations() if r["annotator"] in TEAM and r["revoked_at"] is None]
    per_pair = Counter((r["item_id"], r["annotator"]) for r in rows)
    assert max(per_pair.values()) == 1  # never the same item twice to one annotator
    required = dict(project.store.engine.connect().exec_driver_sql("select id, required_answers from items").all())
    gold_ids = {it.id for it, _ in project.store.gold_items()}
    answerers = Counter(r["item_id"] for r in rows)
    overlap = [i for i, k in required.items() if k == 3]
    assert 60 < len(overlap) < 140  # about half of the 200 pool items
    done = [i for i in overlap if answerers[i] == 3]
    in_progress = [i for i in overlap if 0 < answerers[i] < 3]
    assert len(done) > 30 and len(in_progress) <= 2  # handed to the next person until k answered
    singles = [i for i, k in required.items() if k == 1 and i not in gold_ids and answerers[i]]
    assert singles and all(answerers[i] == 1 for i in singles)


def test_gold_is_mixed_at_the_rate_and_looks_like_any_item(team):
    project, stats, _ = team
    for name, s in stats.items():
        assert s["answers"] == 80
        assert 0.15 < s["gold_seen"] / s["answers"] < 0.35, (name, s)
    project.store.release("probe")
    claimed = project.claim("probe", 40)
    gold_ids = {it.id for it, _ in project.store.gold_items()}
    gold = [q for q in claimed if q.entry.item.id in gold_ids]
    regular = [q for q in claimed if q.entry.item.id not in gold_ids]
    assert gold and regular
    keys = set(gold[0].to_json())
    assert all(set(q.to_json()) == keys for q in claimed)
    assert {q.entry.reason for q in gold} <= {q.entry.reason for q in regular}
    project.store.release("probe")


def test_agreement_and_gold_single_out_the_careless_annotator(team):
    project, _stats, _ = team
    ag = agreement_report(project)
    assert ag["n_items_overlap"] > 40
    means = {n: a["mean_pair_value"] for n, a in ag["per_annotator"].items()}
    assert min(means, key=means.get) == "ann_20"
    pair = {tuple(p["annotators"]): p for p in ag["pairs"]}
    assert pair[("ann_02", "ann_05")]["value"] > pair[("ann_02", "ann_20")]["value"] + 0.15
    assert pair[("ann_02", "ann_20")]["disagreements"]  # traceable to items
    assert set(pair[("ann_02", "ann_20")]["disagreements"]) <= set(pair[("ann_02", "ann_20")]["items"])
    assert ag["overall"]["krippendorff_alpha"] is not None and ag["per_label"] and ag["over_time"]

    gold = gold_report(project)
    acc = {n: a["accuracy"] for n, a in gold["annotators"].items()}
    assert min(acc, key=acc.get) == "ann_20"
    assert gold["flagged"] == ["ann_20"]
    assert gold["annotators"]["ann_20"]["wrong"]


def test_adjudication_wins_the_export_and_keeps_history(team, tmp_path):
    project, _stats, truth = team
    queue = review_queue(project, flagged_annotators=["ann_20"])
    dis = next(r for r in queue if "disagreement" in r["reasons"])
    item = project.store.get_item(dis["item_id"])
    right = truth[item.content]
    resolve(project, item.id, ClassLabel(right), reviewer="rev", note="checked")
    final = resolve_labels(project)
    assert final[item.id].value == {"label": right} and final[item.id].status == "adjudicated"
    events = history(project, item.id)
    assert [e["event"] for e in events].count("answer") >= 2 and events[-1]["event"] == "resolved"
    assert events[-1]["label_after"] == {"label": right}
    assert item.id not in {r["item_id"] for r in review_queue(project)}
    assert all(q.entry.item.id != item.id for q in project.claim("newcomer", 50))
    project.store.release("newcomer")


def _report_script() -> None:
    import os
    from pathlib import Path

    from activelabel.auth import User
    from activelabel.project import Project
    from activelabel.ui.report_page import render

    render(Project.open(Path(os.environ["AL_REPORT_PROJECT"])), User("rev", "reviewer"))


def test_report_page_shows_the_flag(team, monkeypatch):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    project, _stats, _ = team
    monkeypatch.setenv("AL_REPORT_PROJECT", str(project.dir))
    at = AppTest.from_function(_report_script, default_timeout=120).run()
    assert not at.exception
    assert any("ann_20" in e.value.replace("\\", "") for e in at.error)  # names are Markdown-escaped
    assert dict((m.label, m.value) for m in at.metric)["Flagged annotators"] == "1"


def test_overlap_and_gold_claims_on_every_backend(db_url, tmp_path):
    """The queue semantics (k distinct people per overlap item, gold mixed in) on SQLite and PostgreSQL."""
    cfg = parse_config({"name": "b", "task": "classification", "labels": ["ham", "spam"], "db": db_url,
                        "loop": {"retrain_every": 0, "seed": 1},
                        "quality": {"overlap_share": 0.5, "overlap_k": 3, "gold_rate": 0.3}})
    rows = make_text_dataset(50, seed=21)
    with Project.init(tmp_path / "p", cfg) as project:
        project.import_file(write_tsv(tmp_path / "pool.tsv", rows[:40], with_labels=False))
        project.import_file(write_tsv(tmp_path / "gold.tsv", rows[40:]), as_gold=True)
        project.prelabel()
        stats = simulate_team(project, dict(rows), {"a": 0.0, "b": 0.0, "c": 0.0}, answers_each=15, seed=2)
        assert all(s["answers"] == 15 for s in stats.values()) and sum(s["gold_seen"] for s in stats.values()) > 3
        live = [r for r in project.store.all_annotations() if r["revoked_at"] is None]
        assert max(Counter((r["item_id"], r["annotator"]) for r in live).values()) == 1
        by_item = Counter(r["item_id"] for r in live)
        triple = [i for i, n in by_item.items() if n == 3]
        assert len(triple) >= 5
