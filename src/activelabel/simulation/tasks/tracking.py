"""Tracking data for the simulation: clips with MOT truth beside them (``<clip>.mp4`` + ``<clip>.txt``,
the sample's layout), or ``clips`` (the generated sample); the metric is IDF1 on the held-out clips.

The clips are read once with the project's own tracking reader (the same video and box checks as
``import``); pool and held-out sets are written back in that layout. The oracle answers by the clip's
content id, which importing the same bytes reproduces. ``clips`` takes ``--option n=40 --option
frames=48``. ``options["params"]`` sets the model's parameters.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activelabel.errors import ActiveLabelError
from activelabel.formats.base import Rejection
from activelabel.simulation.tasks import ImportSpec, SplitData, held_out_split, reader_settings
from activelabel.types import Item, Payload, Tracks

BUILTIN = "clips"
DEFAULT_EPOCHS = "auto"  # scaled with the answers (models/yolo.py epochs_for)


@dataclass(frozen=True)
class Clip:
    item_id: str
    path: Path  # the video as imported (in the scratch project's media)
    name: str  # its original file name
    value: Tracks


def _mot_text(value: Tracks, labels: list[str]) -> str:
    lines = [f"{b.frame + 1},{t.id},{b.x0:.2f},{b.y0:.2f},{b.x1 - b.x0:.2f},{b.y1 - b.y0:.2f},1,"
             f"{labels.index(t.label) + 1},1" for t in value.tracks for b in t.boxes]
    return "\n".join(sorted(lines, key=lambda s: (int(s.split(",")[0]), int(s.split(",")[1])))) + "\n"


@dataclass
class TrackingData(SplitData):
    """Clips in a scratch folder with their true tracks, split into pool and eval."""

    POOL_NAMES = ("pool", "pool_labeled")  # folders
    EVAL_NAME = "eval"

    name: str
    labels: list[str]
    pool: list[Clip]
    eval: list[Clip]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "IDF1"
    notes: list[str] = field(default_factory=list)
    task: str = "tracking"

    def __post_init__(self) -> None:
        self._truth = {c.item_id: c.value for c in self.pool + self.eval}

    def _write(self, folder: Path, clips: list[Clip], with_answers: bool) -> ImportSpec:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for c in clips:
            shutil.copy2(c.path, folder / c.name)
            if with_answers:
                (folder / f"{Path(c.name).stem}.txt").write_text(_mot_text(c.value, self.labels), encoding="utf-8")
        if with_answers:
            (folder / "labels.txt").write_text("\n".join(self.labels) + "\n", encoding="utf-8")
        return ImportSpec(folder, {"fmt": "mot" if with_answers else "videos"})

    def answer(self, item: Item) -> Payload:
        try:
            return self._truth[item.id]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id} ({item.content}): "
                                   "it is not in the data set") from None


def _read(path: Path, labels: list[str], scratch: Path, notes: list[str], options: dict[str, Any]) -> list[Clip]:
    from activelabel.formats.tracking import read_tracking

    fmt, reader_options = reader_settings(options)
    clips: dict[str, Clip] = {}
    rejected = 0
    for rec in read_tracking(path, "mot" if fmt == "auto" else fmt, labels=labels, project_dir=scratch,
                             **reader_options):
        if isinstance(rec, Rejection) or not isinstance(rec.value, Tracks):
            rejected += 1
            continue
        file = scratch / rec.content
        if rec.item_id is None:
            raise RuntimeError(f"the tracking reader gave {rec.content} no item id")  # it hashes every clip
        item_id = rec.item_id  # what importing this clip will produce
        clips.setdefault(item_id, Clip(item_id, file, str(rec.meta.get("file") or file.name), rec.value))
    if rejected:
        notes.append(f"{rejected} clips of {path.name} were rejected by the reader or carry no labels")
    if not clips:
        raise ActiveLabelError(f"{path}: no labeled clips to simulate with")
    return list(clips.values())


def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> TrackingData:
    """Read clips with MOT truth (or generate ``clips``) and hold out a seeded 30% (or use ``eval_path``)."""
    scratch = Path(tempfile.mkdtemp(prefix="activelabel-sim-track-"))
    notes: list[str] = []
    try:
        from activelabel.samples.tracking import LABELS, make_sample

        labels = list(LABELS)
        if dataset == BUILTIN:
            extra_opts = options.get("reader_options") or {}
            path = make_sample(scratch / "clips", int(extra_opts.pop("n", 40)), seed=1000 + seed,
                               n_frames=int(extra_opts.pop("frames", 48)))
        else:
            path = Path(dataset)
            if not path.exists():
                raise ActiveLabelError(f"no such data set {dataset!r}: give a folder of clips with MOT .txt beside "
                                       f"them or '{BUILTIN}'")
            if (path / "labels.txt").is_file():
                labels = [x.strip() for x in (path / "labels.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
        clips = _read(path, labels, scratch / "project", notes, options)
        if eval_path is not None:
            eval_clips = _read(Path(eval_path), labels, scratch / "project", notes, options)
            eval_ids = {c.item_id for c in eval_clips}
            pool = [c for c in clips if c.item_id not in eval_ids]
        else:
            pool_idx, eval_idx = held_out_split(len(clips), seed)
            eval_clips = [clips[i] for i in sorted(eval_idx)]
            pool = [clips[i] for i in sorted(pool_idx)]
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    params: dict[str, Any] = {"epochs": DEFAULT_EPOCHS, "imgsz": 96, "device": "auto"}
    params.update(options.get("params") or {})
    model = {"name": options.get("model") or "yolov8n.yaml", "params": params}
    data = TrackingData(name=Path(dataset).name, labels=labels, pool=pool, eval=eval_clips, model=model, notes=notes)
    weakref.finalize(data, shutil.rmtree, scratch, True)  # the scratch clips live as long as the data set
    return data
