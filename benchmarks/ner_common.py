"""Shared by the NER benchmarks: read WNUT-17 with the project's own CoNLL reader, split it (seeded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from activelabel.formats.base import ImportRecord
from activelabel.formats.ner import read_ner
from activelabel.types import Item, Spans

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wnut17" / "wnut17train.conll"
LABELS = ["person", "location", "group", "corporation", "product", "creative-work"]
# en_core_web_sm's types that mean the same thing; "group" is new to the pipeline
LABEL_MAP = {"PERSON": "person", "GPE": "location", "LOC": "location", "FAC": "location", "ORG": "corporation",
             "PRODUCT": "product", "WORK_OF_ART": "creative-work"}


def load_wnut(path: Path) -> list[tuple[str, Spans]]:
    rows, seen = [], set()
    for rec in read_ner(path, "conll", labels=LABELS):
        if isinstance(rec, ImportRecord) and isinstance(rec.value, Spans) and rec.content not in seen:
            seen.add(rec.content)
            rows.append((rec.content, rec.value))
    return rows


def split(rows: list[tuple[str, Spans]], n_eval: int, n_pool: int, seed: int
          ) -> tuple[list[tuple[str, Spans]], list[tuple[str, Spans]]]:
    order = np.random.default_rng(seed).permutation(len(rows))
    ev = [rows[i] for i in order[:n_eval]]
    pool = [rows[i] for i in order[n_eval:n_eval + n_pool]]
    return pool, ev


def items(rows: list[tuple[str, Spans]], prefix: str = "i") -> list[Item]:
    return [Item(f"{prefix}{k}", "text", t) for k, (t, _) in enumerate(rows)]
