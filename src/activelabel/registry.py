"""One plug-in registry, in namespaces, filled from entry points.

Every plug-in kind (task kinds, model adapters, import readers, package writers, UI editors,
scoring engines) is a namespace: the entry-point group ``activelabel.<namespace>``. activelabel
registers its own plug-ins through its own entry points (``pyproject.toml``), so a third-party
package plugs in exactly the same way, with no edit here.

A registered name is also the load whitelist: a model version's manifest names its adapter by
registered name, and only registered names are ever imported from a manifest.

Entries are ``module:attribute`` strings, imported on first use, so that listing the registry or
resolving a task spec never imports torch, spaCy or Ultralytics.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from activelabel.errors import UnknownPluginError

T = TypeVar("T")

NAMESPACES = ("tasks", "models", "readers", "writers", "editors", "engines", "strategies")
GROUP_PREFIX = "activelabel."


@dataclass(frozen=True)
class Registry(Generic[T]):
    """The plug-ins of one namespace: registered name -> ``module:attribute``, loaded lazily."""

    namespace: str
    entries: Mapping[str, str]

    def names(self) -> list[str]:
        return sorted(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def target(self, name: str) -> str:
        """The ``module:attribute`` a name stands for; raises UnknownPluginError listing the names."""
        if name not in self.entries:
            known = ", ".join(self.names()) or "(none registered)"
            raise UnknownPluginError(
                f"no {self.namespace} plug-in named {name!r}; registered: {known}. A package adds one through "
                f"the entry-point group {GROUP_PREFIX}{self.namespace!s}")
        return self.entries[name]

    def name_of(self, target: str) -> str | None:
        """The registered name of a ``module:attribute`` target (the reverse of ``target``)."""
        return next((n for n, t in self.entries.items() if t == target), None)

    def load(self, name: str) -> T:
        """Import and return the plug-in object registered under ``name``."""
        return load_target(self.target(name))  # type: ignore[no-any-return]


def load_target(target: str) -> Any:
    """Import ``module:attribute`` (or a whole ``module``); a dotted attribute path is followed."""
    module_name, sep, attr = target.partition(":")
    if not module_name or (sep and not attr):
        raise UnknownPluginError(f"plug-in target {target!r} is not of the form module:attribute")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


@functools.cache
def _installed(namespace: str) -> Mapping[str, str]:
    """Entry points of one group, read once per process: installed package metadata is immutable
    while a process runs, and scanning it costs tens of milliseconds."""
    return {ep.name: ep.value for ep in entry_points(group=GROUP_PREFIX + namespace)}


def registry(namespace: str) -> Registry[Any]:
    """The registry of one namespace, from the installed packages' entry points."""
    if namespace not in NAMESPACES:
        raise UnknownPluginError(f"unknown plug-in namespace {namespace!r}; namespaces: {', '.join(NAMESPACES)}")
    return Registry(namespace, dict(_installed(namespace)))


def rescan() -> None:
    """Forget the entry points read so far (after a package was installed into a running process)."""
    _installed.cache_clear()
