"""Task kinds as plug-ins: one ``TaskSpec`` per kind, registered under ``activelabel.tasks``.

``get_task(name)`` resolves a kind by its registered name; a package that registers a spec under
that entry-point group adds a task kind with no edit in activelabel.
"""

from __future__ import annotations

from activelabel.errors import UnknownPluginError
from activelabel.registry import registry
from activelabel.tasks.base import TaskSpec

__all__ = ["TaskSpec", "get_task", "task_names"]


def task_names() -> list[str]:
    return registry("tasks").names()


def get_task(name: str) -> TaskSpec:
    """The spec registered under ``name``; UnknownPluginError lists the installed kinds."""
    spec = registry("tasks").load(name)
    if not isinstance(spec, TaskSpec) or spec.name != name:
        raise UnknownPluginError(f"the tasks plug-in {name!r} is not a TaskSpec named {name!r}")
    return spec
