"""Background worker entry point: ``python -m activelabel.worker train DIR --version V``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="activelabel.worker")
    parser.add_argument("job", choices=["train"])
    parser.add_argument("project")
    parser.add_argument("--version", required=True)
    parser.add_argument("--force", action="store_true", help="promote even if the gate finds the version worse")
    args = parser.parse_args(argv)

    from activelabel.training import _lock_path, train_and_promote
    from activelabel.workspace import Workspace

    project = Workspace.open(Path(args.project), os.environ.get("ACTIVELABEL_DB") or None)
    try:
        _lock_path(project).write_text(f"{os.getpid()} worker")
        version = train_and_promote(project, version=args.version, force=args.force,
                                    progress=lambda f, m: print(f"{f:5.0%} {m}", flush=True))
        print(f"{version}: {project.store.get_version(version).status}", flush=True)
        return 0
    except Exception as exc:  # reported in the version row and the log; the exit code says it failed
        print(f"training failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        project.close()


if __name__ == "__main__":
    sys.exit(main())
