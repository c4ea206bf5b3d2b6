"""Fixtures for the UI tests: small projects of each task kind, accounts, and an AppTest factory."""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from activelabel.auth import add_user
from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.store.records import QueueRow
from activelabel.store.repository import NewItem
from activelabel.types import Item
from tests.conftest import make_text_dataset, write_tsv

USERS = {"alice": ("annotator", "alice-pass-1"), "bob": ("annotator", "bob-pass-12"),
         "rita": ("reviewer", "rita-pass-1"), "adam": ("admin", "adam-pass-1")}


def add_users(project: Project) -> None:
    for name, (role, password) in USERS.items():
        add_user(project.store, name, password, role)


def new_project(directory: Path, task: str, labels: list[str], **loop: Any) -> Project:
    cfg = parse_config({"name": f"ui-{task}", "task": task, "labels": labels,
                        "loop": {"human_budget_per_round": 40, "retrain_every": 0, **loop}})
    project = Project.init(directory, cfg)
    add_users(project)
    return project


@pytest.fixture()
def text_rows() -> list[tuple[str, str]]:
    return make_text_dataset(60, seed=3)


@pytest.fixture(scope="session")
def cls_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: a cold-started classification project of 60 items (no model files, so it copies)."""
    root = tmp_path_factory.mktemp("cls-template")
    project = new_project(root / "cls", "classification", ["ham", "spam"])
    project.import_file(write_tsv(root / "items.tsv", make_text_dataset(60, seed=3), with_labels=False))
    project.prelabel()
    project.close()
    return root / "cls"


@pytest.fixture()
def cls_project(tmp_path: Path, cls_template: Path) -> Iterator[Project]:
    """A fresh copy of the cold-started classification project."""
    import shutil

    shutil.copytree(cls_template, tmp_path / "cls")
    project = Project.open(tmp_path / "cls")
    yield project
    project.close()


@pytest.fixture()
def trained_project(cls_project: Project, text_rows: list[tuple[str, str]]) -> Project:
    """The classification project after 30 answers and one training run, then one wrong answer
    (given after the training, as a label error the review page should find)."""
    from activelabel.types import ClassLabel

    truth = dict(text_rows)
    items = [it for page in cls_project.store.iter_pool() for it in page]
    for item in items[:30]:
        cls_project.submit(item.id, ClassLabel(truth[item.content]), annotator="alice", trigger_retrain=False)
    cls_project.train(wait=True)
    from activelabel.loop import current_model

    model, _ = current_model(cls_project)
    rest = items[30:]
    proposals = model.predict(rest)  # type: ignore[union-attr]
    wrong, prop = max(zip(rest, proposals), key=lambda ip: ip[1].confidence)  # the model is surest of it
    flipped = "ham" if prop.value.label == "spam" else "spam"  # type: ignore[union-attr]
    cls_project.submit(wrong.id, ClassLabel(flipped), annotator="adam", trigger_retrain=False)
    return cls_project


def seed_round(project: Project, predictions: list[dict[str, Any]], strategy: str = "least_confidence") -> str:
    """Install a model version's stored predictions and a round ranking them, as training would."""
    store = project.store
    version = store.create_version(base_version=None, path_for=lambda v: project.models_dir / v)
    store.update_version(version, status="ready", progress=1.0, message="seeded for the test")
    store.promote(version)
    store.save_predictions(version, [dict(p, score=1.0 - p["confidence"]) for p in predictions])
    ordered = sorted(predictions, key=lambda p: p["confidence"])
    store.create_round(version=version, strategy=strategy, budget=len(ordered), stats={"n_scored": len(ordered)},
                       entries=[QueueRow(item_id=p["item_id"], rank=i, reason="uncertain", score=1.0 - p["confidence"],
                                     pool_rank=i + 1) for i, p in enumerate(ordered)], auto=[])
    return version


@pytest.fixture()
def ner_project(tmp_path: Path) -> Iterator[Project]:
    project = new_project(tmp_path / "ner", "ner", ["PER", "ORG", "LOC"])
    texts = ["Ada Lovelace worked with Charles Babbage in London.", "Grace Hopper joined the US Navy in 1943."]
    items = [Item(f"ner{i}", "text", t) for i, t in enumerate(texts)]
    project.store.add_items([NewItem(it) for it in items])
    seed_round(project, [
        dict(item_id="ner0", confidence=0.41, parts=[0.95, 0.41],
             value={"spans": [{"start": 0, "end": 12, "label": "PER", "confidence": 0.95},
                              {"start": 25, "end": 40, "label": "ORG", "confidence": 0.41}]}),
        dict(item_id="ner1", confidence=0.7, parts=[0.7],
             value={"spans": [{"start": 0, "end": 12, "label": "PER", "confidence": 0.7}]}),
    ])
    yield project
    project.close()


@pytest.fixture()
def detection_project(tmp_path: Path) -> Iterator[Project]:
    from PIL import Image, ImageDraw

    project = new_project(tmp_path / "det", "detection", ["square", "circle"])
    items = []
    for i in range(2):
        img = Image.new("RGB", (96, 64), (200, 200, 200))
        ImageDraw.Draw(img).rectangle((10, 10, 40, 40), fill=(30, 60, 200))
        rel = f"media/img{i}.png"
        img.save(project.dir / rel)
        items.append(Item(f"det{i}", "image", rel, {"width": 96, "height": 64}))
    project.store.add_items([NewItem(it) for it in items])
    seed_round(project, [dict(item_id=f"det{i}", confidence=0.5 + 0.1 * i, parts=[0.5 + 0.1 * i],
                              value={"boxes": [{"x0": 10, "y0": 10, "x1": 41, "y1": 41, "label": "square",
                                                "confidence": 0.5 + 0.1 * i}]}) for i in range(2)])
    yield project
    project.close()


def write_wav(path: Path, seconds: float = 0.5, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        frames = b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * 440 * t / rate)))
                          for t in range(int(seconds * rate)))
        wav.writeframes(frames)
    return path


@pytest.fixture()
def transcription_project(tmp_path: Path) -> Iterator[Project]:
    project = new_project(tmp_path / "asr", "transcription", [])
    items = []
    for i in range(2):
        write_wav(project.dir / "media" / f"clip{i}.wav")
        items.append(Item(f"asr{i}", "audio", f"media/clip{i}.wav"))
    project.store.add_items([NewItem(it) for it in items])
    seed_round(project, [dict(item_id=f"asr{i}", confidence=0.6, parts=[0.9, 0.3, 0.95],
                              value={"text": "the quick fox", "words": [["the", 0.9], ["quick", 0.3], ["fox", 0.95]]})
                         for i in range(2)])
    yield project
    project.close()


@pytest.fixture()
def app_for(monkeypatch: pytest.MonkeyPatch) -> Any:
    """app_for(project, page=None, user=None) -> an AppTest of the app, signed in as ``user`` if given."""
    from streamlit.testing.v1 import AppTest

    from activelabel.ui import app as ui_app
    from activelabel.ui.common import USER_KEY

    def make(project: Project, page: str | None = None, user: str | None = None) -> AppTest:
        monkeypatch.setenv("ACTIVELABEL_PROJECT", str(project.dir))
        if page:
            monkeypatch.setenv("ACTIVELABEL_UI_PAGE", page)
        else:
            monkeypatch.delenv("ACTIVELABEL_UI_PAGE", raising=False)
        at = AppTest.from_file(ui_app.__file__, default_timeout=60)
        if user:
            at.session_state[USER_KEY] = {"name": user, "role": USERS[user][0], "project": str(project.dir)}
        return at

    return make
