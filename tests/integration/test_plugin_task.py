"""A task kind added by another package through entry points alone runs the whole loop.

``tests/plugins/al_rating`` registers a ``rating`` task (its own payload type, agreement metric,
model adapter, reader and package writer) in its ``entry_points.txt``; nothing in ``src/`` names it.
"""

from __future__ import annotations

import importlib
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activelabel.registry import registry, rescan
from activelabel.workspace import Workspace

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
WORDS = {1: "awful broken refund", 2: "poor slow meh", 3: "okay average fine", 4: "good nice solid",
         5: "superb perfect love"}


@pytest.fixture
def rating_plugin(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(PLUGINS))
    rescan()
    yield
    monkeypatch.undo()
    rescan()


def _cli(*args: str) -> str:
    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _reviews(n: int, seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        stars = rng.randint(1, 5)
        out.append((f"review {i}: {WORDS[stars]} {rng.choice(['item', 'thing', 'product'])}", stars))
    return out


def test_plugin_registers_every_piece(rating_plugin) -> None:
    assert "rating\ttext\t1 to 5 stars for a text" in _cli("tasks")
    assert "rating" in registry("tasks")
    assert "rating-logreg" in registry("models")
    assert "rating" in registry("readers") and "rating-jsonl" in registry("writers")


def test_plugin_task_runs_import_to_package(rating_plugin, tmp_path: Path) -> None:
    project = tmp_path / "reviews"
    rows = _reviews(60, seed=3)
    truth = {text: stars for text, stars in rows}
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps({"text": t}) + "\n" for t, _ in rows), encoding="utf-8")

    _cli("init", str(project), "--task", "rating", "--labels", "1,2,3,4,5")
    with Workspace.open(project) as ws:  # train on demand only: no background retrain mid-test
        ws.save_config(ws.config.model_copy(update={"loop": ws.config.loop.model_copy(update={"retrain_every": 0})}))
    assert "imported 60" in _cli("import", str(project), str(pool))
    _cli("prelabel", str(project))
    queued = [json.loads(line) for line in _cli("queue", str(project), "-n", "30", "--json").splitlines()]
    assert len(queued) == 30
    for row in queued:
        _cli("annotate", str(project), row["id"], str(truth[row["content"]]), "--annotator", "alice")
    _cli("train", str(project), "--wait")
    status = json.loads(_cli("status", str(project), "--json"))
    assert status["task"] == "rating" and status["current_version"]
    version = next(v for v in status["versions"] if v["id"] == status["current_version"])
    assert version["status"] == "promoted" and version["metrics"]["metric"] >= 0.5

    # the re-scored pool carries the plug-in model's proposals, in the plug-in's payload shape
    after = [json.loads(line) for line in _cli("queue", str(project), "-n", "5", "--json").splitlines()]
    assert after and all(set(r["proposed"]) == {"stars"} for r in after)

    out = tmp_path / "package"
    _cli("export", str(project), str(out), "--package")
    shipped = [json.loads(line) for split in ("train", "validation", "test")
               for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
    human = [r for r in shipped if r["text"] in {q["content"] for q in queued}]
    assert len(human) == 30 and all(r["stars"] == truth[r["text"]] for r in human)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "rating"


def test_allow_overlaps_keeps_overlapping_spans_only_where_the_task_kind_allows_them(rating_plugin,
                                                                                       tmp_path: Path) -> None:
    from activelabel.config import parse_config
    from activelabel.errors import UsageError
    from activelabel.importing import import_path

    text = "New York City Council met today."
    spans = [{"start": 0, "end": 13, "label": "location"}, {"start": 0, "end": 21, "label": "org"}]
    data = tmp_path / "spans.jsonl"
    data.write_text(json.dumps({"text": text, "spans": spans}) + "\n", encoding="utf-8")
    labels = ["location", "org"]
    with Workspace.init(tmp_path / "ner", parse_config({"task": "ner", "labels": labels})) as ner:
        with pytest.raises(UsageError, match="cannot hold overlapping spans"):
            import_path(ner, data, allow_overlaps=True)
        rejected = import_path(ner, data)
        assert rejected.rejected == 1 and "overlap" in rejected.rejections[0].reason
    cfg = parse_config({"task": "overlapping_spans", "labels": labels})
    with Workspace.init(tmp_path / "spans", cfg) as ws:
        assert import_path(ws, data).rejected == 1  # without the flag, overlaps are still refused
        report = import_path(ws, data, allow_overlaps=True)
        assert (report.imported, report.rejected) == (1, 0)
        (label,) = ws.store.current_labels()
        assert [(s["start"], s["end"], s["label"]) for s in label.value["spans"]] == [(0, 13, "location"),
                                                                                       (0, 21, "org")]
