"""The ``activelabel`` command line: the composition root that wires config -> objects.

Each command group lives in its own module and registers itself on the shared ``app``.
"""

from __future__ import annotations

import importlib

from activelabel.cli.app import app

COMMAND_MODULES = (
    "activelabel.cli.core",
    "activelabel.cli.simulate",
    "activelabel.cli.ui",
    "activelabel.cli.quality",
    "activelabel.cli.ops",
)


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    app()


__all__ = ["app", "main"]
