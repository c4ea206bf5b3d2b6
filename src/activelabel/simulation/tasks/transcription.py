"""Audio data for the simulation: a folder of clips or a manifest; transcripts or clip labels.

The data set is read with the project's own audio reader (same probes, same rejections). For an
FSDD-style folder the truth comes from the file name by the documented rule
``options["label_from_filename"]`` (default ``{label}_{speaker}_{take}.wav``): the ``{label}``
field is the clip's class, and for transcription its transcript (a spoken digit "5" is compared
as "five", see ``metrics_text.normalise``). A manifest (CSV/JSONL ``path,text``, NeMo, Label
Studio) gives the truth directly. The oracle answers by the clip's content id, which importing
the same bytes reproduces. The transcription metric is exact match after normalisation; the
error-capture curve and dataset accuracy vs human touches are printed by
``benchmarks/audio_transcription.py``.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activelabel.errors import ActiveLabelError
from activelabel.formats.base import ImportRecord, Rejection, content_id
from activelabel.simulation.tasks import ImportSpec, SplitData, held_out_split, reader_settings
from activelabel.types import ClassLabel, Item, Payload, Transcript

FSDD_PATTERN = "{label}_{speaker}_{take}.wav"


@dataclass
class AudioData(SplitData):
    """Clips in a scratch folder with their truth, split into pool and eval."""

    POOL_NAMES = ("pool", "pool_labeled")  # folders
    EVAL_NAME = "eval"

    task: str
    name: str
    labels: list[str]
    pool: list[tuple[Path, str]]  # (clip, transcript or label)
    eval: list[tuple[Path, str]]
    model: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "exact match"
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._truth = {content_id("audio", p.read_bytes()): v for p, v in self.pool + self.eval}

    def _write(self, folder: Path, rows: list[tuple[Path, str]], with_answers: bool) -> ImportSpec:
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "audio").mkdir(parents=True)
        names = [clip.name for clip, _ in rows]
        unique = len(set(names)) == len(names)
        for clip, _ in rows:  # original names where they are unique, else prefixed by the content hash
            shutil.copyfile(clip, folder / "audio" / _name(clip, unique))
        if not with_answers:
            return ImportSpec(folder / "audio", {})
        manifest = folder / "manifest.csv"
        key = "text" if self.task == "transcription" else "label"
        with manifest.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["path", key])
            writer.writerows([f"audio/{_name(clip, unique)}", value] for clip, value in rows)
        return ImportSpec(manifest, {"fmt": "csv"})

    def answer(self, item: Item) -> Payload:
        try:
            value = self._truth[item.id]
        except KeyError:
            raise ActiveLabelError(f"the oracle has no answer for item {item.id} ({item.content}): "
                                   "it is not in the data set") from None
        return Transcript(value) if self.task == "transcription" else ClassLabel(value)


def _name(clip: Path, unique: bool) -> str:
    return clip.name if unique else f"{clip.parent.name}_{clip.name}"


def _read(task: str, path: str, options: dict[str, Any], scratch: Path,
          notes: list[str]) -> list[tuple[Path, str]]:
    from activelabel.formats.audio import read_audio_classification, read_transcription

    p = Path(path)
    if not p.exists():
        raise ActiveLabelError(f"no such data set {path!r}: give an audio folder or a manifest (CSV/JSONL/NeMo/"
                               "Label Studio)")
    reader = read_transcription if task == "transcription" else read_audio_classification
    fmt, reader_options = reader_settings(options)
    pattern = reader_options.pop("label_from_filename", None) or (FSDD_PATTERN if p.is_dir() else None)
    rows: dict[str, tuple[Path, str]] = {}
    rejected = unlabeled = 0
    for rec in reader(p, fmt, labels=(), project_dir=scratch, label_from_filename=pattern, **reader_options):
        if isinstance(rec, Rejection):
            rejected += 1
            continue
        value = _value_of(rec)
        if value is None:
            unlabeled += 1
            continue
        # keep the original file name (the truth rule may need it again): scratch/clips/<hash>/<name>
        src = scratch / rec.content
        clip = scratch / "clips" / src.name.split("_", 1)[0] / str(rec.meta["original"])
        clip.parent.mkdir(parents=True, exist_ok=True)
        if not clip.exists():
            src.replace(clip)
        rows.setdefault(content_id("audio", clip.read_bytes()), (clip, value))
    if rejected:
        notes.append(f"{rejected} files of {p.name} were rejected by the reader")
    if unlabeled:
        notes.append(f"{unlabeled} clips carry no transcript/label and were left out")
    if not rows:
        raise ActiveLabelError(f"{path}: no clips with a known answer to simulate with"
                               + (f" (file names must match {pattern!r})" if pattern else ""))
    return list(rows.values())


def _value_of(rec: ImportRecord) -> str | None:
    if isinstance(rec.value, Transcript):
        return rec.value.text
    if isinstance(rec.value, ClassLabel):
        return rec.value.label
    return None


def _load(task: str, dataset: str, eval_path: str | None, seed: int, options: dict[str, Any]) -> AudioData:
    scratch = Path(tempfile.mkdtemp(prefix="activelabel-sim-audio-"))
    notes: list[str] = []
    rows = _read(task, dataset, options, scratch, notes)
    if eval_path:
        pool, held = rows, _read(task, eval_path, options, scratch, notes)
    else:
        pool_idx, eval_idx = held_out_split(len(rows), seed)
        held = [rows[i] for i in eval_idx]
        pool = [rows[i] for i in pool_idx]
    labels = sorted({v for _, v in rows}) if task == "audio_classification" else []
    if task == "audio_classification" and len(labels) < 2:
        raise ActiveLabelError(f"{dataset}: audio classification needs at least two labels, found {labels}")
    model = {"name": options["model"]} if options.get("model") else {}
    data = AudioData(task, Path(dataset).name, labels, pool, held, model,
                     "exact match" if task == "transcription" else "accuracy", notes)
    weakref.finalize(data, shutil.rmtree, scratch, True)
    return data


def load(dataset: str, *, eval_path: str | None = None, seed: int = 0, options: dict[str, Any]) -> AudioData:
    """Transcription: the clips' transcripts come from a manifest or from their file names."""
    return _load("transcription", dataset, eval_path, seed, options)


def load_classification(dataset: str, *, eval_path: str | None = None, seed: int = 0,
                        options: dict[str, Any]) -> AudioData:
    """Audio classification (intent, speaker, the digit in FSDD): labels from a manifest or file names."""
    return _load("audio_classification", dataset, eval_path, seed, options)
