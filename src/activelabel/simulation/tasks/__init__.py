"""Task plug-ins for ``activelabel simulate``: task kind -> "module:function", imported lazily.

To add a task (NER, detection, transcription, ...), write ``activelabel/simulation/tasks/<task>.py``
with a loader function and name it in ``LOADERS`` below (the classification module is the example).

The loader's signature::

    def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> SimDataset

- ``dataset`` is a path in one of the task's import formats, or a built-in name (``digits``).
  ``eval_path``, when given, is the held-out set in the same format; without it the loader holds
  out a seeded 30% test split (stratified where the task has classes).
- ``options`` carries the command's extra settings (``text_field``, ``label_field``, ...); ignore
  the ones that do not apply.
- Raise ``ActiveLabelError`` (or a subclass) for data that cannot be simulated (one class, no
  labels, an unreadable file) -- the command calls the loader before any run starts.

The returned object satisfies the ``SimDataset`` protocol:

- ``task`` (TaskKind), ``name`` (for the report), ``labels`` (the project's labels),
  ``metric_name`` (what the adapter's ``evaluate()["metric"]`` measures, e.g. "accuracy",
  "entity F1", "mAP50", "1 - WER"), ``model`` (the project's ``[model]`` table: ``{"name": ...,
  "params": {...}}``; ``{}`` for the task's default), ``n_pool`` and ``n_eval``, ``notes``
  (human-readable remarks such as "12 duplicates dropped").
- ``write_pool(folder, with_answers) -> ImportSpec``: write the pool in an import format the task's
  reader accepts (``formats/registry.py``), without answers unless ``with_answers`` (the full-pool
  reference model is trained on the pool imported with answers).
- ``write_eval(folder) -> ImportSpec``: the held-out set WITH answers; it is imported with
  ``as_gold=True``, so training evaluates every version on it and stores the metric.
- ``answer(item) -> Payload``: the oracle. ``item`` is the stored ``Item`` the queue handed out
  (its ``content`` is the text, or the media path relative to the project folder; keep a lookup
  from that to the true payload).

The metric is whatever the task's model adapter returns under ``evaluate(...)["metric"]``, higher
is better; the simulation reads it from the trained version's stored metrics.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from activelabel.errors import ActiveLabelError
from activelabel.types import Item, Payload, TaskKind

# task kind -> "module:function"; a module that does not exist yet gives a clear error
LOADERS: dict[str, str] = {
    TaskKind.CLASSIFICATION.value: "activelabel.simulation.tasks.classification:load",
    TaskKind.NER.value: "activelabel.simulation.tasks.ner:load",
    TaskKind.DETECTION.value: "activelabel.simulation.tasks.detection:load",
    TaskKind.TRANSCRIPTION.value: "activelabel.simulation.tasks.transcription:load",
    TaskKind.AUDIO_CLASSIFICATION.value: "activelabel.simulation.tasks.audio_classification:load",
}


@dataclass(frozen=True)
class ImportSpec:
    """A file or folder to import, with the keyword options for ``Project.import_file``."""

    path: Path
    options: dict[str, Any] = field(default_factory=dict)


class SimDataset(Protocol):
    task: TaskKind
    name: str
    labels: list[str]
    metric_name: str
    model: dict[str, Any]
    n_pool: int
    n_eval: int
    notes: list[str]

    def write_pool(self, folder: Path, with_answers: bool = False) -> ImportSpec: ...

    def write_eval(self, folder: Path) -> ImportSpec: ...

    def answer(self, item: Item) -> Payload: ...


def load_dataset(task: str, dataset: str, *, eval_path: str | None = None, seed: int = 0,
                 options: dict[str, Any] | None = None) -> SimDataset:
    """Resolve the task's loader and load the data; errors say which task lacks a plug-in."""
    if task not in LOADERS:
        raise ActiveLabelError(f"unknown task {task!r}; simulate knows {', '.join(LOADERS)}")
    module_name, _, fn_name = LOADERS[task].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ActiveLabelError(
            f"simulate does not support task {task!r} yet: no plug-in module {module_name} "
            f"(see activelabel/simulation/tasks/__init__.py for what one must provide)") from exc
    loader = getattr(module, fn_name)
    return loader(dataset, eval_path=eval_path, seed=seed, options=dict(options or {}))  # type: ignore[no-any-return]
