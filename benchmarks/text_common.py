"""The generated-text project both core benchmarks start from (core_speed.py, scale_prelabel.py).

Short texts drawn from a small vocabulary, imported into a classification project, pre-labeled
once (cold start) and seeded with ``answers`` rule-labeled answers, so that a version can train.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from activelabel.config import parse_config
from activelabel.project import Project
from activelabel.types import ClassLabel

WORDS = ("free win prize cash claim call now offer reward txt lunch meeting home tonight thanks mum later "
         "dinner work see you soon love ok sure when where what").split()


def texts(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(WORDS), size=(n, 8))
    return [" ".join(WORDS[j] for j in row) + f" #{i}" for i, row in enumerate(idx)]


def seeded_text_project(folder: Path, n: int, answers: int = 200) -> Project:
    """A project over ``n`` generated texts with ``answers`` of them answered (spam: starts with a spam word)."""
    cfg = parse_config({"task": "classification", "labels": ["ham", "spam"],
                        "loop": {"retrain_every": 0, "human_budget_per_round": 1000}})
    project = Project.init(folder, cfg)
    pool = folder.parent / f"{folder.name}-pool.txt"
    pool.write_text("\n".join(texts(n, 0)) + "\n")
    t0 = time.perf_counter()
    report = project.import_file(pool)
    print(f"import {report.imported} texts: {time.perf_counter() - t0:.1f} s")
    project.prelabel()  # cold start
    for q in project.claim("seed", answers):
        text = q.entry.item.content
        project.submit(q.entry.item.id, ClassLabel("spam" if text.split()[0] in WORDS[:10] else "ham"),
                       annotator="seed", trigger_retrain=False)
    return project
