"""The ranking task kind end to end through the CLI: import -> prelabel -> queue -> answer -> train ->
``export --package``, and the package is TRL's preference JSONL (prompt, chosen, rejected)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activelabel.preferences import RankingItem, implied_pairs
from activelabel.samples.ranking import make_sample
from activelabel.workspace import Workspace

pytestmark = pytest.mark.slow


def _cli(*args: str) -> str:
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_ranking_runs_import_to_dpo_package(tmp_path: Path) -> None:
    project = tmp_path / "prefs"
    labeled = make_sample(tmp_path / "truth", 60, seed=2, with_labels=True)
    truth = {RankingItem(r["prompt"], tuple(r["responses"])).content(): r["order"]
             for r in map(json.loads, labeled.read_text(encoding="utf-8").splitlines())}
    pool = make_sample(tmp_path / "pool", 60, seed=2)

    _cli("init", str(project), "--task", "ranking")
    with Workspace.open(project) as ws:  # train on demand only: no background retrain mid-test
        ws.save_config(ws.config.model_copy(update={"loop": ws.config.loop.model_copy(update={"retrain_every": 0})}))
    assert "imported 60" in _cli("import", str(project), str(pool))
    _cli("prelabel", str(project))
    queued = [json.loads(line) for line in _cli("queue", str(project), "-n", "30", "--json").splitlines()]
    assert len(queued) == 30
    for row in queued:  # the CLI value: response indices, best first
        _cli("annotate", str(project), row["id"], ",".join(map(str, truth[row["content"]])), "--annotator", "alice")
    _cli("train", str(project), "--wait")
    status = json.loads(_cli("status", str(project), "--json"))
    assert status["task"] == "ranking" and status["current_version"]
    version = next(v for v in status["versions"] if v["id"] == status["current_version"])
    assert version["status"] == "promoted" and version["metrics"]["metric"] >= 0.7

    # the re-scored pool carries the reward model's proposed orders, least sure pair first
    after = [json.loads(line) for line in _cli("queue", str(project), "-n", "5", "--json").splitlines()]
    assert after and all(set(r["proposed"]) == {"order"} for r in after)
    assert all(sorted(r["proposed"]["order"]) == list(range(len(json.loads(r["content"])["responses"])))
               for r in after)

    out = tmp_path / "package"
    _cli("export", str(project), str(out), "--package")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "ranking"
    lines = [json.loads(line) for split in ("train", "validation", "test")
             for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
    # TRL's DPOTrainer reads the standard preference format: string prompt, chosen and rejected
    assert lines and all(isinstance(r[k], str) for r in lines for k in ("prompt", "chosen", "rejected"))
    human = {q["content"] for q in queued}
    expected = set()
    for content in human:
        item = RankingItem.parse(content)
        expected |= {(item.prompt, item.responses[w], item.responses[lo]) for w, lo in implied_pairs(truth[content])}
    shipped = {(r["prompt"], r["chosen"], r["rejected"]) for r in lines if r["source"] == "human"}
    assert shipped == expected
    assert all(r["chosen"] != r["rejected"] for r in lines)

    # export --format dpo reads back as the same rankings
    dpo = tmp_path / "pairs.jsonl"
    _cli("export", str(project), str(dpo), "--format", "dpo")
    again = tmp_path / "again"
    _cli("init", str(again), "--task", "ranking")
    ids = {json.loads(line)["id"] for line in dpo.read_text(encoding="utf-8").splitlines()}
    assert len(ids) >= 30 and f"imported {len(ids)}" in _cli("import", str(again), str(dpo))


def test_demo_builds_a_ranking_project_on_request(tmp_path: Path) -> None:
    from activelabel.demo import DEMO_TASKS

    assert "ranking" not in DEMO_TASKS  # on request only
    out = _cli("demo", "--root", str(tmp_path / "demo"), "--task", "ranking", "-n", "20", "--no-serve")
    assert "[ranking] imported 20 items" in out
    with Workspace.open(tmp_path / "demo" / "ranking") as ws:
        assert ws.spec.name == "ranking" and ws.store.item_count() == 20


def test_quality_review_of_rankings(tmp_path: Path) -> None:
    """Two annotators' rankings give pairwise agreement; gold scores are Kendall tau on 0..1."""
    project = tmp_path / "prefs"
    pool = make_sample(tmp_path / "pool", 6, seed=5)
    _cli("init", str(project), "--task", "ranking")
    _cli("import", str(project), str(pool))
    with Workspace.open(project) as ws:
        items = [it for page in ws.store.iter_pool(exclude_human_labeled=False) for it in page]
    for it in items:
        k = len(RankingItem.parse(it.content).responses)
        best_first, reversed_ = list(range(k)), list(range(k))[::-1]
        _cli("annotate", str(project), it.id, ",".join(map(str, best_first)), "--annotator", "alice")
        _cli("annotate", str(project), it.id, ",".join(map(str, reversed_)), "--annotator", "bob")
    out = _cli("agreement", str(project), "--json")
    report = json.loads(out)
    assert report["metric"] == "pairwise_agreement"
    assert report["overall"]["value"] == 0.0  # every pair reversed
    _cli("review", str(project))


def test_simulate_ranking_on_the_project_made_set(tmp_path: Path) -> None:
    from activelabel.simulation.tasks import load_dataset

    data = load_dataset("ranking", "preferences", seed=0)
    assert (data.n_pool, data.n_eval, data.metric_name) == (280, 120, "pairwise accuracy")
    out = _cli("simulate", "--task", "ranking", "--dataset", "preferences", "--strategies", "random,margin",
               "--seeds", "1", "--init", "10", "--batch", "10", "--budget", "20", "--out", str(tmp_path / "sim"))
    assert "full-pool pairwise accuracy" in out
    summary = json.loads((tmp_path / "sim" / "summary.json").read_text(encoding="utf-8"))
    assert summary["task"] == "ranking" and summary["full_metric"] > 0.8


def test_label_studio_sdk_validates_our_ranker_export(tmp_path: Path) -> None:
    """``export --format labelstudio``: a List + Ranker task per item; label-studio-sdk's LabelInterface
    checks every result against the config we ship, and a model's order is a prediction only."""
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    from activelabel.formats.ranking_labelstudio import build_tasks

    project = tmp_path / "prefs"
    labeled = make_sample(tmp_path / "truth", 12, seed=4, with_labels=True)
    truth = {RankingItem(r["prompt"], tuple(r["responses"])).content(): r["order"]
             for r in map(json.loads, labeled.read_text(encoding="utf-8").splitlines())}
    _cli("init", str(project), "--task", "ranking")
    _cli("import", str(project), str(make_sample(tmp_path / "pool", 12, seed=4)))
    _cli("prelabel", str(project))  # the cold-start queue
    queued = [json.loads(line) for line in _cli("queue", str(project), "-n", "3", "--json").splitlines()]
    for row in queued:
        _cli("annotate", str(project), row["id"], ",".join(map(str, truth[row["content"]])), "--annotator", "alice")
    out = tmp_path / "ls"
    _cli("export", str(project), str(out), "--format", "labelstudio")

    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    li = label_interface.LabelInterface((out / "label_config.xml").read_text(encoding="utf-8"))
    assert len(tasks) == 3 and all("predictions" not in t for t in tasks)
    for task in tasks:
        (annotation,) = task["annotations"]
        assert li.validate_annotation(annotation), li._validate_object_logic(annotation)
        (ranked,) = [r for r in annotation["result"] if r["type"] == "ranker"]
        ids = [i["id"] for i in task["data"]["items"]]
        content = RankingItem(task["data"]["prompt"], tuple(i["body"] for i in task["data"]["items"])).content()
        assert [ids.index(x) for x in ranked["value"]["ranker"]["rank"]] == truth[content]

    # a rating goes as a Rating result; a model's ranking is a prediction, never an annotation
    item = RankingItem("Which is kinder?", ("Thanks!", "Go away.", "Fine."))
    (human, model) = build_tasks([
        {"id": "a", "content": item.content(), "value": {"order": [0, 2, 1], "rating": 8}, "source": "human"},
        {"id": "b", "content": item.content(), "value": {"order": [2, 0, 1]}, "source": "model",
         "annotator": "model:v0001", "confidence": 0.4}])
    assert li.validate_annotation(human["annotations"][0])
    assert {r["type"] for r in human["annotations"][0]["result"]} == {"ranker", "rating"}
    assert "annotations" not in model and li.validate_prediction(model["predictions"][0])

    # read back: the answer as the person gave it (rating kept exactly), a bad task named, the rest read
    from activelabel.formats.ranking_labelstudio import read_labelstudio

    broken = json.loads(json.dumps(human))
    broken["annotations"][0]["result"][0]["value"]["ranker"]["rank"] = ["r0", "r9", "r1"]
    odd = build_tasks([{"id": "c", "content": item.content(), "value": {"order": [1, 0, 2], "rating": 4.5},
                        "source": "human"}])[0]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([human, broken, model, odd]), encoding="utf-8")
    got = list(read_labelstudio(path))
    assert got[0].value.order == (0, 2, 1) and got[0].value.rating == 8.0 and got[0].prediction is None
    assert "task 2" in got[1].reason and "r9" in got[1].reason
    assert got[2].value is None and got[2].prediction.order == (2, 0, 1)
    assert got[3].value.rating == 4.5 and all(r["type"] != "rating" for r in odd["annotations"][0]["result"])
