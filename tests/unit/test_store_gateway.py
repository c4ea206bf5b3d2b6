"""The store is the one gateway to the database: no module outside ``activelabel/store/`` builds SQL.

Walks every module of the package with ``ast`` and fails on any import of ``sqlalchemy`` or of
``activelabel.store.schema`` (type-checking imports included) outside the store.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "activelabel"
STORE = PACKAGE / "store"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _imported(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) for every module ``source`` imports, relative imports resolved from ``package``."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out.append((node.lineno, base))
            out.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return out


def _forbidden(module: str) -> bool:
    return (module == "sqlalchemy" or module.startswith("sqlalchemy.")
            or module == "activelabel.store.schema" or module.startswith("activelabel.store.schema."))


def _offences(path: Path) -> list[str]:
    """One line per offending import statement."""
    first: dict[int, str] = {}
    for line, module in _imported(path.read_text(encoding="utf-8"), _package_of(path)):
        if _forbidden(module):
            first.setdefault(line, module)
    return [f"{path.relative_to(PACKAGE)}:{line}: imports {module}" for line, module in sorted(first.items())]


def test_only_the_store_touches_the_database() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(STORE):
            continue
        offences.extend(_offences(path))
    assert not offences, "SQL outside activelabel/store/ (add a store method instead):\n" + "\n".join(offences)


def test_the_walk_sees_every_form_of_import() -> None:
    cases = {
        "import sqlalchemy": True,
        "import sqlalchemy.orm as orm": True,
        "from sqlalchemy import select": True,
        "from sqlalchemy.engine import make_url": True,
        "import activelabel.store.schema": True,
        "from activelabel.store import schema": True,
        "from activelabel.store.schema import items": True,
        "from ..store import schema": True,
        "from ..store.schema import items": True,
        "if TYPE_CHECKING:\n    from sqlalchemy import Connection": True,
        "def f():\n    from activelabel.store import schema as s": True,
        "from activelabel.store import Store": False,
        "from ..store import Store": False,
        "from . import answers": False,
        "import json": False,
    }
    for source, bad in cases.items():
        found = [m for _, m in _imported(source, "activelabel.quality") if _forbidden(m)]
        assert bool(found) is bad, (source, found)
