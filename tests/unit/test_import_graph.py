"""The package's import graph has no cycles, and only composition roots import the Project facade.

Every import counts: module level, under ``if TYPE_CHECKING:`` and inside functions, because a
cycle held together by a deferred import is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import activelabel

ROOT = Path(activelabel.__file__).parent
FACADE = "activelabel.project"
# Packages whose modules may import the facade: they are the front ends.
FRONT_ENDS = ("activelabel.cli", "activelabel.ui")
# Modules outside the front ends that compose the facade, each documented as such in its docstring.
COMPOSITION_ROOTS = frozenset({
    "activelabel.auth",  # Guard: the UI's only write path wraps Project.claim/submit/undo_last/train
    "activelabel.demo",  # builds demo projects as the CLI does
    "activelabel.quality.simulate",  # a simulated team answering through the facade
    "activelabel.simulation.runner",  # simulated runs go through the same code as people do
})


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The package module a dotted name lives in (``a.b.func`` -> ``a.b``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    """Every activelabel module that ``module`` imports, wherever in the file the import is."""
    deps: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            deps.update(_resolve(a.name) for a in node.names if a.name.startswith("activelabel"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("activelabel"):
                for a in node.names:
                    full = f"{target}.{a.name}"
                    deps.add(full if full in MODULES else _resolve(target))
    deps.discard(module)
    deps.discard(None)
    return {d for d in deps if d is not None}


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[v] = min(low[v], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def _edges_within(component: list[str]) -> str:
    inside = set(component)
    return "\n".join(f"  {m} -> {', '.join(sorted(GRAPH[m] & inside))}" for m in component)


def test_the_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_walk_sees_deferred_imports():
    # project.py imports its services; worker.py imports training inside main()
    assert "activelabel.workspace" in GRAPH["activelabel.project"]
    assert "activelabel.training" in GRAPH["activelabel.worker"]


def test_no_import_cycles():
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles:\n" + "\n".join(_edges_within(c) for c in cycles)


def test_only_front_ends_and_composition_roots_import_the_facade():
    def allowed(module: str) -> bool:
        return (module == FACADE or module in COMPOSITION_ROOTS
                or any(module == f or module.startswith(f + ".") for f in FRONT_ENDS))

    offenders = sorted(m for m, deps in GRAPH.items() if FACADE in deps and not allowed(m))
    assert not offenders, f"{FACADE} imported by services (take a Workspace instead): {offenders}"


def test_the_allow_list_is_current():
    stale = sorted(m for m in COMPOSITION_ROOTS if FACADE not in GRAPH.get(m, set()))
    assert not stale, f"no longer import {FACADE}; drop them from COMPOSITION_ROOTS: {stale}"


def test_workspace_stays_at_the_bottom():
    assert GRAPH["activelabel.workspace"] <= {"activelabel.config", "activelabel.store", "activelabel.errors",
                                              "activelabel.types", "activelabel.tasks"}
