"""Simulation loaders for ``activelabel simulate``: each task spec names its own, imported lazily.

To make a task kind simulable, write a loader function (the classification module here is the
example) and name it as ``simulation_loader="module:function"`` in the kind's ``TaskSpec``.

The loader's signature::

    def load(dataset: str, *, eval_path: str | None, seed: int, options: dict[str, Any]) -> SimDataset

- ``dataset`` is a path in one of the task's import formats, or a built-in name (``digits``).
  ``eval_path``, when given, is the held-out set in the same format; without it the loader holds
  out a seeded 30% test split (stratified where the task has classes).
- ``options`` carries the command's extra settings; ignore the ones that do not apply. The data
  set is read as ``import`` reads it: ``reader_settings(options)`` gives the format
  (``options["format"]``, ``simulate --format``; ``auto`` by default) and the reader's keyword
  options (``options["reader_options"]``, from the repeatable ``--option KEY=VALUE``, plus
  ``text_field``, ``label_field`` and ``label_from_filename`` when given), to pass to the task's
  reader. ``options["model"]`` names the project's model, if the user picked one.
- Raise ``ActiveLabelError`` (or a subclass) for data that cannot be simulated (one class, no
  labels, an unreadable file) -- the command calls the loader before any run starts.

The returned object satisfies the ``SimDataset`` protocol:

- ``task`` (the task kind's registered name), ``name`` (for the report), ``labels`` (the project's labels),
  ``metric_name`` (what the adapter's ``evaluate()["metric"]`` measures, e.g. "accuracy",
  "entity F1", "mAP50", "1 - WER"), ``model`` (the project's ``[model]`` table: ``{"name": ...,
  "params": {...}}``; ``{}`` for the task's default), ``n_pool`` and ``n_eval``, ``notes``
  (human-readable remarks such as "12 duplicates dropped"), ``extra`` (the project's ``[extra]``
  settings the kind needs, e.g. keypoint names; ``{}`` for most kinds).
- ``write_pool(folder, with_answers) -> ImportSpec``: write the pool in an import format the task's
  reader accepts (the spec's ``reader``), without answers unless ``with_answers`` (the full-pool
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

import numpy as np

from activelabel.errors import ActiveLabelError, UnknownPluginError
from activelabel.tasks import get_task, task_names
from activelabel.types import Item, Payload

READER_FIELDS = ("text_field", "label_field", "label_from_filename")


class AnyLabel(tuple):  # type: ignore[type-arg]
    """A label set that holds every label: a simulation learns its labels from the data set itself."""

    def __contains__(self, _item: object) -> bool:
        return True


def reader_settings(options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The import format and the reader's keyword options, as ``import`` passes them on."""
    fmt = str(options.get("format") or "auto")
    extra = {k: options[k] for k in READER_FIELDS if options.get(k) is not None}
    extra.update(options.get("reader_options") or {})
    return fmt, extra


TEST_SHARE = 0.3  # held out for evaluation when no --eval set is given


def held_out_split(n: int, seed: int, share: float = TEST_SHARE) -> tuple[list[int], list[int]]:
    """(pool indices, eval indices) of ``n`` rows: a seeded share held out, at least one row."""
    order = np.random.default_rng(seed).permutation(n).tolist()
    n_eval = max(1, int(round(n * share)))
    return order[n_eval:], order[:n_eval]


class SplitData:
    """What every loader's data shares: pool and eval rows, their counts, and where they are written.

    Subclasses (dataclasses with ``pool`` and ``eval`` fields) write one split with ``_write``; file
    formats keep the default names, folder formats set ``POOL_NAMES``/``EVAL_NAME`` without a suffix.
    """

    POOL_NAMES = ("pool.jsonl", "pool_labeled.jsonl")  # without, with answers
    EVAL_NAME = "eval.jsonl"
    extra: dict[str, Any] = {}  # the project's [extra] settings; a kind that needs some sets its own
    pool: list[Any]
    eval: list[Any]

    @property
    def n_pool(self) -> int:
        return len(self.pool)

    @property
    def n_eval(self) -> int:
        return len(self.eval)

    def _write(self, path: Path, rows: list[Any], with_answers: bool) -> ImportSpec:
        raise NotImplementedError(f"{type(self).__name__} must say how it writes a split")

    def write_pool(self, folder: Path, with_answers: bool = False) -> ImportSpec:
        return self._write(folder / self.POOL_NAMES[with_answers], self.pool, with_answers)

    def write_eval(self, folder: Path) -> ImportSpec:
        return self._write(folder / self.EVAL_NAME, self.eval, True)


@dataclass(frozen=True)
class ImportSpec:
    """A file or folder to import, with the keyword options for ``Project.import_file``."""

    path: Path
    options: dict[str, Any] = field(default_factory=dict)


class SimDataset(Protocol):
    task: str
    name: str
    labels: list[str]
    metric_name: str
    model: dict[str, Any]
    n_pool: int
    n_eval: int
    notes: list[str]
    extra: dict[str, Any]

    def write_pool(self, folder: Path, with_answers: bool = False) -> ImportSpec: ...

    def write_eval(self, folder: Path) -> ImportSpec: ...

    def answer(self, item: Item) -> Payload: ...


def load_dataset(task: str, dataset: str, *, eval_path: str | None = None, seed: int = 0,
                 options: dict[str, Any] | None = None) -> SimDataset:
    """Resolve the task's loader and load the data; errors say which task lacks a plug-in."""
    try:
        spec = get_task(task)
    except UnknownPluginError as exc:
        raise ActiveLabelError(f"unknown task {task!r}; simulate knows {', '.join(task_names())}") from exc
    module_name, _, fn_name = spec.simulation_loader.partition(":")
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
