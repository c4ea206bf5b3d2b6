"""The registry's contract suite: every registered plug-in passes the same checks.

The cases come from the registry itself, so registering a new task kind, adapter, writer or
strategy without a case here (or without passing) fails this suite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from activelabel.config import parse_config
from activelabel.exporting import export_project
from activelabel.registry import registry
from activelabel.strategies import PoolView, available_strategies
from activelabel.tasks import get_task, task_names
from activelabel.types import Item
from activelabel.workspace import Workspace
from tests.contract.adapter_cases import CASES

TASKS = task_names()
EXPORT_PAIRS = [(t, fmt) for t in TASKS for fmt in sorted(get_task(t).export_formats)]
# an item that each task kind's example answer fits
EXAMPLE_ITEMS = {"text": Item("i", "text", "Alice went to Paris."), "audio": Item("i", "audio", "clip.wav"),
                 "image": Item("i", "image", "img.png", {"width": 64, "height": 64}),
                 "video": Item("i", "video", "clip.mp4", {"width": 64, "height": 64, "n_frames": 8})}
# kinds whose items have a shape of their own beyond the media (a ranking item is prompt + responses JSON)
TASK_EXAMPLE_ITEMS = {"ranking": Item("i", "text", '{"prompt": "Where did Alice go?", "responses": ["Paris.", "Rome."]}')}


def test_every_registered_adapter_has_a_contract_case() -> None:
    assert sorted(registry("models").names()) == sorted(c.name for c in CASES), \
        "add a case to tests/contract/adapter_cases.py for each adapter registered under activelabel.models"


@pytest.mark.parametrize("name", TASKS)
def test_task_spec_names_plugins_that_exist(name: str) -> None:
    spec = get_task(name)
    assert spec.name == name and spec.media in EXAMPLE_ITEMS
    assert spec.default_adapter in registry("models")
    assert spec.reader in registry("readers")
    assert spec.package_writer in registry("writers")
    assert spec.editor in registry("editors")
    assert all(w in registry("writers") for w in spec.export_formats.values())
    for plugin in (spec.reader, spec.package_writer, *spec.export_formats.values()):
        assert callable(registry("readers" if plugin == spec.reader else "writers").load(plugin))
    adapter = registry("models").load(spec.default_adapter)
    assert adapter.task == name


@pytest.mark.parametrize("name", TASKS)
def test_task_spec_values_round_trip_and_agree_with_themselves(name: str) -> None:
    spec = get_task(name)
    assert spec.example, f"{name}: give the spec an example answer"
    value = spec.payload(spec.example)
    assert isinstance(value, spec.payload_type)
    assert spec.canonical(value.to_json()) == spec.canonical(spec.example)
    labels = spec.labels_in(spec.example)
    assert labels and spec.stratum(spec.example) in labels
    project_labels = sorted({*labels, "other"} - {"(transcript)"})
    assert spec.validate(value, project_labels, TASK_EXAMPLE_ITEMS.get(name, EXAMPLE_ITEMS[spec.media])) is not None
    assert spec.gold_score(spec.example, spec.example) == 1.0
    pair = spec.agreement.pair([("i", dict(spec.example), dict(spec.example), "Alice went to Paris.")], None, 0.5)
    assert pair["value"] == (0.0 if spec.agreement.better == "lower" else pair["value"])


def _pool(n: int, c: int, rng: np.random.Generator, draws: bool) -> PoolView:
    """A pool with everything any strategy may ask for; class draws as (n, c, d) when asked."""
    proba = rng.dirichlet(np.ones(c), size=(n, 4)).transpose(0, 2, 1) if draws else rng.dirichlet(np.ones(c), size=n)
    mean = proba.mean(axis=2) if draws else proba
    return PoolView(confidence=mean.max(axis=1), proba=proba, embeddings=rng.normal(size=(n, 8)),
                    labeled_embeddings=rng.normal(size=(5, 8)), labeled_classes=rng.integers(0, c, size=5))


@pytest.mark.parametrize("name", sorted(available_strategies()))
def test_every_strategy_selects_k_distinct_items_reproducibly(name: str) -> None:
    info = available_strategies()[name]
    pool = _pool(60, 3, np.random.default_rng(0), draws="proba_draws" in info.needs)
    first = info.fn(pool, 10, np.random.default_rng(7))
    again = info.fn(pool, 10, np.random.default_rng(7))
    idx = np.asarray(first.indices)
    assert len(idx) == 10 and len(set(idx.tolist())) == 10 and idx.min() >= 0 and idx.max() < 60
    assert np.all(np.isfinite(first.scores)) and len(first.scores) == 10
    assert np.array_equal(idx, np.asarray(again.indices))


def _ner_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.ner import LABELS, labeled_sample

    ws = Workspace.init(root, parse_config({"task": "ner", "labels": LABELS}))
    sample = root.parent / f"{root.name}.jsonl"
    rows = labeled_sample(8, seed=5)
    sample.write_text("".join(json.dumps({"text": t, "spans": sp}) + "\n" for t, sp in rows), encoding="utf-8")
    assert import_path(ws, sample).imported == 8
    return ws


def _detection_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.detection import LABELS, make_sample

    ws = Workspace.init(root, parse_config({"task": "detection", "labels": LABELS}))
    assert import_path(ws, make_sample(root.parent / f"{root.name}-sample", 5, seed=2, size=96)).imported == 5
    return ws


def _classification_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.classification import LABELS, answer_key

    ws = Workspace.init(root, parse_config({"task": "classification", "labels": LABELS}))
    sample = root.parent / f"{root.name}.jsonl"
    rows = list(answer_key(12).items())
    sample.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows), encoding="utf-8")
    assert import_path(ws, sample).imported == 12
    return ws


def _transcription_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.transcription import make_sample

    ws = Workspace.init(root, parse_config({"task": "transcription"}))
    assert import_path(ws, make_sample(root.parent / f"{root.name}-sample", 4, with_transcripts=4)).imported == 4
    return ws


def _ranking_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.ranking import make_sample

    ws = Workspace.init(root, parse_config({"task": "ranking"}))
    assert import_path(ws, make_sample(root.parent / f"{root.name}-sample", 10, seed=4, with_labels=True)).imported == 10
    return ws


def _multilabel_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.multilabel import LABELS, labeled_sample

    ws = Workspace.init(root, parse_config({"task": "multilabel", "labels": LABELS}))
    sample = root.parent / f"{root.name}.jsonl"
    rows = [*labeled_sample(10, seed=5), ("no topic at all", [])]  # the empty set is an answer too
    sample.write_text("".join(json.dumps({"text": t, "labels": labs}) + "\n" for t, labs in rows), encoding="utf-8")
    assert import_path(ws, sample).imported == 11
    return ws


def _segments_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.audio_segments import LABELS, make_sample

    ws = Workspace.init(root, parse_config({"task": "audio_segments", "labels": LABELS}))
    assert import_path(ws, make_sample(root.parent / f"{root.name}-sample", 3, seed=1, with_labels=True)).imported == 3
    return ws


def _keypoints_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.keypoints import EXTRA, LABELS, make_sample

    ws = Workspace.init(root, parse_config({"task": "keypoints", "labels": LABELS, "extra": EXTRA}))
    import_path(ws, make_sample(root.parent / "kp-sample", n=4, size=64))
    return ws


def _segmentation_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.segmentation import LABELS, make_sample

    ws = Workspace.init(root, parse_config({"task": "segmentation", "labels": LABELS}))
    assert import_path(ws, make_sample(root.parent / "seg-sample", n=4, size=64)).imported == 4
    return ws


def _tracking_project(root: Path) -> Workspace:
    from activelabel.importing import import_path
    from activelabel.samples.tracking import LABELS, make_sample

    ws = Workspace.init(root, parse_config({"task": "tracking", "labels": LABELS}))
    assert import_path(ws, make_sample(root.parent / "track-sample", 2, n_frames=8, size=64), fmt="mot").imported == 2
    return ws


LABELED_PROJECTS: dict[str, Any] = {"audio_segments": _segments_project, "keypoints": _keypoints_project,
                                    "segmentation": _segmentation_project, "tracking": _tracking_project,
                                    "ner": _ner_project, "detection": _detection_project,
                                    "classification": _classification_project,
                                    "transcription": _transcription_project, "ranking": _ranking_project,
                                    "multilabel": _multilabel_project}
# where a text export is one file, the suffix its reader detects; media and folder formats need none
FILE_SUFFIX = {"jsonl": ".jsonl", "conll": ".conll", "spacy": ".spacy", "labelstudio": ".json", "dpo": ".jsonl"}


@pytest.mark.parametrize(("task", "fmt"), EXPORT_PAIRS, ids=[f"{t}-{f}" for t, f in EXPORT_PAIRS])
def test_every_export_format_reads_back_to_the_same_labels(task: str, fmt: str, tmp_path: Path) -> None:
    from activelabel.importing import import_path

    assert task in LABELED_PROJECTS, f"add a labeled-project builder for {task} to this suite"
    spec = get_task(task)
    with LABELED_PROJECTS[task](tmp_path / "src") as ws:
        before = {r.item_id: spec.canonical(r.value) for r in ws.store.current_labels()}
        out = tmp_path / f"export-{fmt}{FILE_SUFFIX.get(fmt, '') if spec.media == 'text' else ''}"
        assert export_project(ws, out, fmt=fmt) == len(before)
        labels, extra = ws.config.labels, ws.config.extra
    with Workspace.init(tmp_path / "again", parse_config({"task": task, "labels": labels, "extra": extra})) as again:
        report = import_path(again, out)
        assert (report.imported, report.rejected) == (len(before), 0), report.rejections[:3]
        after = {r.item_id: spec.canonical(r.value) for r in again.store.current_labels()}
    assert sorted(after.values(), key=repr) == sorted(before.values(), key=repr)
