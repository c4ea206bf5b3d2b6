"""The numbers a strategy ranks on, kept per model version beside the database.

The predictions table holds what people and exports need (value, confidence, parts); class
probabilities, which margin and entropy rank on, go to small ``.npz`` shards under
``<project>/scores/<version>/``. Each shard is written (atomically) before its batch's database
rows, so an item the database calls scored always has its numbers on disk, and a stopped run
can rank the items it skipped on resume without predicting them again. A round keeps what it
predicts in memory: shards are read back only for the items an earlier, stopped run scored.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from activelabel.engines.scored import ScoredPool
from activelabel.engines.scoring import ScoredBatch


def write_shard(folder: Path, batch: ScoredBatch) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"part-{uuid.uuid4().hex}.npz"
    tmp = folder / f".tmp-{name}"
    proba = batch.proba if batch.proba is not None else np.zeros((len(batch), 0))
    with tmp.open("wb") as fh:
        np.savez(fh, ids=np.array(batch.ids, dtype="U40"), confidence=batch.confidence, proba=proba)
    os.replace(tmp, folder / name)
    return folder / name


def load_pool(folder: Path, ids: np.ndarray) -> ScoredPool:
    """The stored numbers for ``ids``; items without any (answered while the run went on) are left out."""
    parts = sorted(folder.glob("part-*.npz")) if folder.is_dir() else []
    if not parts:
        return ScoredPool(ids[:0], np.empty(0), None)
    loaded = [np.load(p) for p in parts]
    all_ids = np.concatenate([x["ids"] for x in loaded])
    conf = np.concatenate([x["confidence"] for x in loaded])
    widths = {x["proba"].shape[1:] for x in loaded}
    if len(widths) > 1:
        raise ValueError(f"{folder}: shards disagree on the probability shape {sorted(widths)}; "
                         f"delete the folder and score this version again")
    proba_all = np.concatenate([x["proba"] for x in loaded])
    # the same item may sit in two shards (a batch re-scored after a crash): identical numbers, keep one
    uniq, first = np.unique(all_ids, return_index=True)
    pos = np.searchsorted(uniq, ids)
    pos_clipped = np.minimum(pos, len(uniq) - 1)
    found = uniq[pos_clipped] == ids
    take = first[pos_clipped[found]]
    proba = proba_all[take] if proba_all.ndim >= 2 and proba_all.shape[1] > 0 else None
    return ScoredPool(ids[found], conf[take], proba)


def remove_stale(scores_root: Path, keep: set[str]) -> None:
    """Delete the shards of versions that will never rank again (retired or failed)."""
    if not scores_root.is_dir():
        return
    for sub in scores_root.iterdir():
        if sub.is_dir() and sub.name not in keep:
            shutil.rmtree(sub, ignore_errors=True)
