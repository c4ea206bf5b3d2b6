"""The multilabel task kind end to end: import -> prelabel -> queue -> answer -> train -> export --package."""

from __future__ import annotations

import csv
import importlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activelabel.samples.multilabel import LABELS, labeled_sample
from activelabel.workspace import Workspace


def _cli(*args: str) -> str:
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_multilabel_runs_import_to_package(tmp_path: Path) -> None:
    project = tmp_path / "topics"
    rows = labeled_sample(120, seed=4)
    truth = {text: labels for text, labels in rows}
    pool = tmp_path / "pool.csv"
    with pool.open("w", encoding="utf-8", newline="") as fh:  # 10 labeled rows ("a|b"), the rest unlabeled
        w = csv.writer(fh)
        w.writerow(["text", "labels"])
        for i, (text, labels) in enumerate(rows):
            w.writerow([text, "|".join(labels) if i < 10 else ""])

    _cli("init", str(project), "--task", "multilabel", "--labels", ",".join(LABELS))
    with Workspace.open(project) as ws:  # train on demand only: no background retrain mid-test
        ws.save_config(ws.config.model_copy(update={"loop": ws.config.loop.model_copy(update={"retrain_every": 0})}))
    assert "imported 120" in _cli("import", str(project), str(pool))
    _cli("prelabel", str(project))
    queued = [json.loads(line) for line in _cli("queue", str(project), "-n", "50", "--json").splitlines()]
    assert len(queued) == 50
    for row in queued:
        _cli("annotate", str(project), row["id"], ",".join(truth[row["content"]]), "--annotator", "alice")
    _cli("train", str(project), "--wait")
    status = json.loads(_cli("status", str(project), "--json"))
    assert status["task"] == "multilabel" and status["current_version"]
    version = next(v for v in status["versions"] if v["id"] == status["current_version"])
    assert version["metrics"]["metric"] >= 0.5 and "macro_f1" in version["metrics"]

    # the re-scored pool carries label-set proposals with a probability per label
    after = [json.loads(line) for line in _cli("queue", str(project), "-n", "5", "--json").splitlines()]
    assert after and all(set(r["proposed"]) == {"labels"} for r in after)

    out = tmp_path / "package"
    _cli("export", str(project), str(out), "--package")
    shipped = [json.loads(line) for split in ("train", "validation", "test")
               for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
    answered = {q["content"] for q in queued} | {t for t, _ in rows[:10]}
    human = [r for r in shipped if r["text"] in answered]
    assert len(human) == len(answered) and all(r["labels"] == truth[r["text"]] for r in human)
    with (out / "train.csv").open(encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    assert first["labels"] == ("|".join(truth[first["text"]]) or "[]")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "multilabel" and set(manifest["labels_per_split"]["train"]) <= set(LABELS)

    # the package loads in its ecosystem: pandas reads both files, scikit-learn binarizes the label lists
    import pandas as pd
    from sklearn.preprocessing import MultiLabelBinarizer

    train = pd.read_json(out / "train.jsonl", lines=True)
    y = MultiLabelBinarizer(classes=LABELS).fit_transform(train["labels"])
    assert y.shape == (len(train), len(LABELS)) and y.sum() == sum(len(labs) for labs in train["labels"])
    table = pd.read_csv(out / "train.csv", keep_default_na=False)
    assert [[] if cell == "[]" else cell.split("|") for cell in table["labels"]] == train["labels"].tolist()

    # the package's JSONL imports again as the same label sets
    again = tmp_path / "again"
    _cli("init", str(again), "--task", "multilabel", "--labels", ",".join(LABELS))
    assert f"imported {sum(1 for _ in (out / 'train.jsonl').open())}" in _cli("import", str(again),
                                                                              str(out / "train.jsonl"))


def test_demo_builds_the_multilabel_project_only_when_asked(tmp_path: Path) -> None:
    from activelabel.demo import DEMO_TASKS

    assert "multilabel" not in DEMO_TASKS
    out = _cli("demo", "--root", str(tmp_path / "demo"), "--no-serve", "--task", "multilabel", "-n", "40")
    assert "[multilabel] imported 40 items" in out and "cold start" in out
    with Workspace.open(tmp_path / "demo" / "multilabel") as ws:
        assert ws.spec.name == "multilabel" and ws.config.labels == LABELS


def test_simulate_runs_on_the_generated_topics(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    _cli("simulate", "--task", "multilabel", "--dataset", "topics", "--strategies", "random,margin", "--seeds", "1",
         "--init", "20", "--batch", "10", "--budget", "40", "--out", str(out))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["task"] == "multilabel" and set(summary["strategies"]) == {"random", "margin"}
    assert 0.0 < summary["full_metric"] <= 1.0


def test_agreement_report_gives_micro_f1_per_pair_and_per_label(tmp_path: Path) -> None:
    from activelabel.config import parse_config
    from activelabel.project import Project
    from activelabel.quality.agreement import agreement_report
    from activelabel.types import LabelSet

    rows = labeled_sample(6, seed=1)
    data = tmp_path / "items.jsonl"
    data.write_text("".join(json.dumps({"text": t}) + "\n" for t, _ in rows), encoding="utf-8")
    cfg = parse_config({"name": "agree", "task": "multilabel", "labels": LABELS, "loop": {"retrain_every": 0}})
    with Project.init(tmp_path / "p", cfg) as project:
        project.import_file(data)
        items = [it for page in project.store.iter_pool() for it in page]
        truth = dict(rows)
        for it in items:
            project.submit(it.id, LabelSet(tuple(truth[it.content])), annotator="alice", trigger_retrain=False)
            bob = tuple(truth[it.content][:1]) if it is items[0] else tuple(truth[it.content])
            project.submit(it.id, LabelSet(bob), annotator="bob", trigger_retrain=False)
        report = agreement_report(project)
    (pair,) = report["pairs"]
    n_alice = sum(len(labs) for _, labs in rows)
    n_bob = n_alice - (len(truth[items[0].content]) - 1)  # bob kept only the first label of one item
    assert pair["annotators"] == ["alice", "bob"] and pair["value"] == 2 * n_bob / (n_alice + n_bob)
    assert {row["label"] for row in report["per_label"]} == set(LABELS)


def test_plain_jsonl_and_csv_exports_import_again_as_the_same_sets(tmp_path: Path) -> None:
    from activelabel.config import parse_config
    from activelabel.exporting import export_project
    from activelabel.importing import import_path

    rows = labeled_sample(12, seed=6)
    sample = tmp_path / "labeled.jsonl"
    lines = [{"text": t, "labels": labs} for t, labs in rows] + [{"text": "nothing applies here", "labels": []}]
    sample.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    cfg = parse_config({"task": "multilabel", "labels": LABELS})
    with Workspace.init(tmp_path / "src", cfg) as ws:
        assert import_path(ws, sample).imported == 13
        before = sorted(ws.spec.canonical(r.value) for r in ws.store.current_labels())
        for fmt in ("jsonl", "csv"):
            assert export_project(ws, tmp_path / f"out.{fmt}", fmt=fmt) == 13
    assert () in before  # the empty set is kept as an answer
    for fmt in ("jsonl", "csv"):
        with Workspace.init(tmp_path / f"again-{fmt}", cfg) as again:
            report = import_path(again, tmp_path / f"out.{fmt}")
            assert (report.imported, report.rejected) == (13, 0), report.rejections[:3]
            assert sorted(again.spec.canonical(r.value) for r in again.store.current_labels()) == before


def test_cli_annotate_takes_comma_separated_labels_and_the_empty_set(tmp_path: Path) -> None:
    project = tmp_path / "p"
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps({"text": t}) + "\n" for t, _ in labeled_sample(3, seed=8)), encoding="utf-8")
    _cli("init", str(project), "--task", "multilabel", "--labels", ",".join(LABELS))
    _cli("import", str(project), str(pool))
    _cli("prelabel", str(project))
    first, second = (json.loads(line)["id"] for line in _cli("queue", str(project), "-n", "2", "--json").splitlines())
    _cli("annotate", str(project), first, "", "--annotator", "alice")
    _cli("annotate", str(project), second, "tech, sports", "--annotator", "alice")
    with Workspace.open(project) as ws:
        values = {r.item_id: r.value for r in ws.store.current_labels()}
    assert values == {first: {"labels": []}, second: {"labels": ["tech", "sports"]}}


def test_label_studio_sdk_reads_our_multi_choice_export(tmp_path: Path) -> None:
    converter = pytest.importorskip("label_studio_sdk.converter")
    from activelabel.config import parse_config
    from activelabel.exporting import export_project
    from activelabel.importing import import_path

    rows = labeled_sample(6, seed=5)
    src = tmp_path / "src.jsonl"
    src.write_text("".join(json.dumps({"text": t, "labels": labs}) + "\n" for t, labs in rows), encoding="utf-8")
    with Workspace.init(tmp_path / "p", parse_config({"task": "multilabel", "labels": LABELS})) as ws:
        assert import_path(ws, src).imported == 6
        out = tmp_path / "export" / "ls.json"
        assert export_project(ws, out, fmt="labelstudio") == 6
    assert 'choice="multiple"' in (out.parent / "label_config.xml").read_text(encoding="utf-8")
    conv = converter.Converter(str(out.parent / "label_config.xml"), project_dir=str(tmp_path))
    conv.convert(str(out), str(tmp_path / "min"), "JSON_MIN", is_dir=False)
    got = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    # JSON_MIN writes one choice as a string and several as {"choices": [...]}
    sets = {r["text"]: sorted([r["label"]] if isinstance(r["label"], str) else r["label"]["choices"]) for r in got}
    assert sets == {t: sorted(labs) for t, labs in rows}
