"""Shared fixtures: small generated data, project factories, and the store backends under test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from activelabel.config import parse_config
from activelabel.project import Project

SPAM_WORDS = ["win", "prize", "free", "cash", "claim", "urgent", "call now", "offer", "txt", "reward"]
HAM_WORDS = ["lunch", "meeting", "home", "tonight", "thanks", "mum", "later", "dinner", "work", "see you"]


def make_text_dataset(n: int = 120, seed: int = 0, spam_share: float = 0.3) -> list[tuple[str, str]]:
    """Tiny separable spam/ham texts, unique per index."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        spam = rng.random() < spam_share
        words = list(rng.choice(SPAM_WORDS if spam else HAM_WORDS, size=3)) + list(rng.choice(HAM_WORDS + SPAM_WORDS, size=1))
        rows.append((f"{' '.join(words)} message {i}", "spam" if spam else "ham"))
    return rows


def write_tsv(path: Path, rows: list[tuple[str, str]], with_labels: bool = True) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("text\tlabel\n" if with_labels else "text\n")
        for text, label in rows:
            fh.write(f"{text}\t{label}\n" if with_labels else f"{text}\n")
    return path


def pg_url() -> str | None:
    return os.environ.get("ACTIVELABEL_TEST_PG_URL") or None


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every store contract test runs on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url = pg_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("ACTIVELABEL_TEST_PG_URL is not set; .ci/run must start PostgreSQL")
        pytest.skip("no PostgreSQL server (set ACTIVELABEL_TEST_PG_URL)")
    from tests.pg import fresh_database

    with fresh_database(url) as db:
        yield db


@pytest.fixture()
def text_project(tmp_path: Path) -> Iterator[Project]:
    cfg = parse_config({"name": "t", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"human_budget_per_round": 10, "retrain_every": 0, "auto_accept_threshold": 0.97}})
    project = Project.init(tmp_path / "proj", cfg)
    yield project
    project.close()
