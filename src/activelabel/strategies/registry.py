"""Strategy lookup by name: built-ins, third-party entry points, or ``module:function``.

The table is built on each call from immutable pieces, so no registry lives in module state.
Third-party packages add strategies through the entry-point group ``activelabel.strategies``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from activelabel.errors import UnknownStrategyError
from activelabel.strategies import builtin
from activelabel.strategies.base import StrategyFn, StrategyInfo

ENTRY_POINT_GROUP = "activelabel.strategies"


def _builtin_table() -> dict[str, StrategyInfo]:
    table = {
        fn.__name__: StrategyInfo(fn.__name__, fn, (fn.__doc__ or "").strip().splitlines()[0])
        for fn in (builtin.random, builtin.least_confidence, builtin.margin, builtin.entropy)
    }
    try:  # the strategy lab's advanced strategies, when that module is present
        advanced = importlib.import_module("activelabel.strategies.advanced")
    except ModuleNotFoundError as exc:
        if exc.name != "activelabel.strategies.advanced":
            raise
    else:
        table.update({info.name: info for info in advanced.STRATEGIES})
    return table


def _plugin_table() -> dict[str, StrategyInfo]:
    table = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        fn = ep.load()
        doc = (getattr(fn, "__doc__", None) or "third-party strategy").strip().splitlines()[0]
        table[ep.name] = StrategyInfo(ep.name, fn, doc, tuple(getattr(fn, "needs", ())))
    return table


def available_strategies() -> dict[str, StrategyInfo]:
    """Every strategy that can be named, built-ins first."""
    table = _builtin_table()
    for name, info in _plugin_table().items():
        table.setdefault(name, info)
    return table


def _load_dotted(spec: str) -> StrategyFn:
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
        fn = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise UnknownStrategyError(f"cannot load strategy {spec!r}: {exc}") from exc
    if not callable(fn):
        raise UnknownStrategyError(f"strategy {spec!r} is not callable")
    return fn  # type: ignore[no-any-return]


def get_strategy(name: str) -> StrategyInfo:
    """Resolve a strategy name; raises UnknownStrategyError listing the known names."""
    if ":" in name:
        fn = _load_dotted(name)
        doc = (fn.__doc__ or "custom strategy").strip().splitlines()[0]
        return StrategyInfo(name, fn, doc, tuple(getattr(fn, "needs", ())))
    builtins = _builtin_table()
    if name in builtins:  # the common path skips the entry-point scan (~90 ms per call)
        return builtins[name]
    table = available_strategies()
    if name not in table:
        raise UnknownStrategyError(
            f"unknown strategy {name!r}; known: {', '.join(sorted(table))} (or module:function)"
        )
    return table[name]
