"""Which reader serves which task; readers are imported lazily, by name."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from activelabel.formats.base import RecordStream
from activelabel.types import TaskKind

# task -> "module:function(path, fmt, labels=..., project_dir=..., **options) -> RecordStream"
READERS: dict[TaskKind, str] = {
    TaskKind.CLASSIFICATION: "activelabel.formats.tabular:read_classification",
    TaskKind.NER: "activelabel.formats.ner:read_ner",
    TaskKind.DETECTION: "activelabel.formats.detection:read_detection",
    TaskKind.TRANSCRIPTION: "activelabel.formats.audio:read_transcription",
    TaskKind.AUDIO_CLASSIFICATION: "activelabel.formats.audio:read_audio_classification",
}


def record_stream(task: TaskKind, path: Path, fmt: str, *, labels: list[str], project_dir: Path,
                  **options: Any) -> RecordStream:
    module_name, _, fn_name = READERS[task].partition(":")
    reader = getattr(importlib.import_module(module_name), fn_name)
    return reader(path, fmt, labels=labels, project_dir=project_dir, **options)  # type: ignore[no-any-return]
