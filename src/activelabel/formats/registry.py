"""Which reader serves which task: the task spec names a reader registered under ``activelabel.readers``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from activelabel.formats.base import RecordStream
from activelabel.registry import registry
from activelabel.tasks import get_task


def record_stream(task: str, path: Path, fmt: str, *, labels: list[str], project_dir: Path,
                  **options: Any) -> RecordStream:
    """The task's reader over ``path``: ``reader(path, fmt, labels=..., project_dir=..., **options)``."""
    reader = registry("readers").load(get_task(task).reader)
    return reader(path, fmt, labels=labels, project_dir=project_dir, **options)  # type: ignore[no-any-return]
