"""Audio-segment data for the simulation: the built-in ``fsdd-turns`` recordings, or a folder with RTTM.

``fsdd-turns`` strings bundled FSDD clips of different speakers together with silences between
them (``samples.audio_segments``), so who speaks when is known to the sample. The pool uses the
clips of digits 0-6 and the held-out recordings those of digits 7-9: the evaluation never hears a
clip the pool holds (the pool does reuse its 28 clips across recordings, in new orders, gains and
gaps). ``options["n_pool"]`` / ``options["n_eval"]`` size it (24 and 8). A folder of recordings with
``<name>.rttm`` beside each is read with the project's own reader and split 70/30. The oracle
answers by the recording's content id.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activelabel.errors import ActiveLabelError
from activelabel.formats.base import ImportRecord, content_id
from activelabel.simulation.tasks import ImportSpec, SplitData, held_out_split
from activelabel.types import Item, Payload, Segment, Segments

BUILTIN = ("fsdd-turns",)


@dataclass
class SegmentsData(SplitData):
    """Recording files with their true segments, split into pool and eval."""

    POOL_NAMES = ("pool", "pool_labeled")
    EVAL_NAME = "eval"

    name: str
    labels: list[str]
    pool: list[tuple[Path, Segments]]
    eval: list[tuple[Path, Segments]]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "time-weighted accuracy"
    notes: list[str] = field(default_factory=list)
    task: str = "audio_segments"

    def __post_init__(self) -> None:
        self._truth = {content_id("audio", p.read_bytes()): v for p, v in self.pool + self.eval}

    def _write(self, folder: Path, rows: list[tuple[Path, Segments]], with_answers: bool) -> ImportSpec:
        from activelabel.formats.segments import rttm_text

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for clip, value in rows:
            shutil.copyfile(clip, folder / clip.name)
            if with_answers:
                (folder / f"{clip.stem}.rttm").write_text(rttm_text(clip.stem, value.to_json()["segments"]),
                                                          encoding="utf-8")
        return ImportSpec(folder, {})

    def answer(self, item: Item) -> Payload:
        try:
            return self._truth[item.id]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id} ({item.content}): "
                                   "it is not in the data set") from None


def _builtin(scratch: Path, seed: int, options: dict[str, Any]) -> tuple[list[Any], list[Any], list[str]]:
    from activelabel.samples.audio_segments import LABELS, recordings, write_recordings

    def rows(recs: list[Any], sub: str) -> list[tuple[Path, Segments]]:
        folder = write_recordings(scratch / sub, recs, with_labels=False)
        return [(folder / f"{r.name}.wav", Segments(tuple(Segment(s, e, lab) for s, e, lab in r.segments)))
                for r in recs]

    pool = rows(recordings(int(options.get("n_pool", 24)), seed, range(7), "pool"), "pool")
    held = rows(recordings(int(options.get("n_eval", 8)), seed + 1000, range(7, 10), "eval"), "eval")
    return pool, held, list(LABELS)


def _folder(path: Path, scratch: Path, notes: list[str]) -> list[tuple[Path, Segments]]:
    from activelabel.formats.segments import read_segments
    from activelabel.simulation.tasks import AnyLabel

    out = []
    rejected = 0
    for rec in read_segments(path, labels=AnyLabel(), project_dir=scratch):
        if not isinstance(rec, ImportRecord):
            rejected += 1
            continue
        if isinstance(rec.value, Segments):
            out.append((scratch / rec.content, rec.value))
    if rejected:
        notes.append(f"{rejected} recordings of {path.name} were rejected by the reader")
    if not out:
        raise ActiveLabelError(f"{path}: no recordings with RTTM segments to simulate with")
    return out


def load(dataset: str, *, eval_path: str | None = None, seed: int = 0, options: dict[str, Any]) -> SegmentsData:
    scratch = Path(tempfile.mkdtemp(prefix="activelabel-sim-segments-"))
    notes: list[str] = []
    if dataset in BUILTIN:
        pool, held, labels = _builtin(scratch, seed, options)
    else:
        p = Path(dataset)
        if not p.is_dir():
            shutil.rmtree(scratch, ignore_errors=True)
            raise ActiveLabelError(f"no such data set {dataset!r}: give {' or '.join(BUILTIN)}, or a folder of "
                                   "recordings with <name>.rttm beside each")
        rows = _folder(p, scratch / "pool-src", notes)
        if eval_path:
            pool, held = rows, _folder(Path(eval_path), scratch / "eval-src", notes)
        else:
            pool_idx, eval_idx = held_out_split(len(rows), seed)
            pool, held = [rows[i] for i in pool_idx], [rows[i] for i in eval_idx]
        labels = sorted({s.label for _, v in pool + held for s in v.segments if s.label is not None})
    if len(labels) < 2:
        raise ActiveLabelError(f"{dataset}: audio segments need at least two labels, found {labels}")
    model = {"name": options["model"]} if options.get("model") else {}
    data = SegmentsData(Path(dataset).name, labels, pool, held, model, notes=notes)
    weakref.finalize(data, shutil.rmtree, scratch, True)
    return data
