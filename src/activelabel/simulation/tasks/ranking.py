"""Ranking data for the simulation: a ranking JSONL file with orders, or the built-in ``preferences``.

``preferences`` is the project-made set of ``activelabel.samples.ranking`` (seeded prompts with
2..4 responses, a hidden quality the features can learn). A file is read with the project's own
ranking reader, so what simulates is what imports; its unranked items are left out. The oracle
answers by the item's stored content, which the reader writes canonically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ActiveLabelError
from activelabel.formats.base import Rejection
from activelabel.simulation.tasks import AnyLabel, ImportSpec
from activelabel.types import Item, Payload, Ranking

BUILTIN = ("preferences",)
BUILTIN_SIZE = 400
TEST_SHARE = 0.3


@dataclass
class RankingData:
    """Items (stored content) with their true rankings, split into pool and eval."""

    name: str
    pool: list[tuple[str, Ranking]]
    eval: list[tuple[str, Ranking]]
    labels: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "pairwise accuracy"
    notes: list[str] = field(default_factory=list)
    task: str = "ranking"

    def __post_init__(self) -> None:
        self._truth = dict(self.pool + self.eval)

    @property
    def n_pool(self) -> int:
        return len(self.pool)

    @property
    def n_eval(self) -> int:
        return len(self.eval)

    def _write(self, path: Path, rows: list[tuple[str, Ranking]], with_answers: bool) -> ImportSpec:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for content, ranking in rows:
                rec = json.loads(content)
                if with_answers:
                    rec.update(ranking.to_json())
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return ImportSpec(path, {"fmt": "jsonl"})

    def write_pool(self, folder: Path, with_answers: bool = False) -> ImportSpec:
        return self._write(folder / ("pool_labeled.jsonl" if with_answers else "pool.jsonl"), self.pool, with_answers)

    def write_eval(self, folder: Path) -> ImportSpec:
        return self._write(folder / "eval.jsonl", self.eval, True)

    def answer(self, item: Item) -> Payload:
        try:
            return self._truth[item.content]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id}: it is not in the data set") from None


def _read_file(path: str) -> tuple[list[tuple[str, Ranking]], list[str]]:
    from activelabel.formats.ranking import read_ranking

    p = Path(path)
    if not p.exists():
        raise ActiveLabelError(f"no such data set {path!r}: give a ranking JSONL file or a built-in name "
                               f"({', '.join(BUILTIN)})")
    rows: dict[str, Ranking] = {}
    rejected = unranked = 0
    for rec in read_ranking(p, "auto", labels=AnyLabel(), project_dir=p.parent):
        if isinstance(rec, Rejection):
            rejected += 1
        elif isinstance(rec.value, Ranking):
            rows.setdefault(rec.content, rec.value)
        else:
            unranked += 1
    notes = [f"{unranked} items of {path} carry no ranking and were left out"] if unranked else []
    if rejected:
        notes.append(f"{rejected} records of {path} were rejected by the reader")
    if not rows:
        raise ActiveLabelError(f"{path}: no ranked items (give each line an order, or chosen and rejected)")
    return list(rows.items()), notes


def _builtin(seed: int) -> list[tuple[str, Ranking]]:
    from activelabel.samples.ranking import make_items

    return [(item.content(), Ranking(order)) for item, order in make_items(BUILTIN_SIZE, seed)]


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> RankingData:
    """Load ranked items and hold out a seeded 30% unless an eval file is given."""
    notes: list[str] = []
    if dataset in BUILTIN and not Path(dataset).exists():
        rows, name = _builtin(seed), dataset
    else:
        rows, notes = _read_file(dataset)
        name = Path(dataset).name
    model = {"name": options["model"]} if options.get("model") else {}
    if eval_path is not None:
        eval_rows, eval_notes = _read_file(eval_path)
        held = {c for c, _ in eval_rows}
        pool = [r for r in rows if r[0] not in held]
        if len(pool) < len(rows):
            notes.append(f"{len(rows) - len(pool)} pool items also in the eval file were left out of the pool")
        return RankingData(name, pool, eval_rows, model=model, notes=notes + eval_notes)
    if len(rows) < 4:
        raise ActiveLabelError(f"{name}: {len(rows)} ranked items are too few to hold out a test split; pass --eval")
    idx = np.random.default_rng(seed).permutation(len(rows))
    n_test = max(1, int(round(len(rows) * TEST_SHARE)))
    test = set(idx[:n_test].tolist())
    return RankingData(name, [r for i, r in enumerate(rows) if i not in test],
                       [r for i, r in enumerate(rows) if i in test], model=model, notes=notes)
