"""Worker processes for the reliability scenarios (``python -m tests.reliability.workers --help``).

``annotate DIR NAME N``: claim one item at a time through the Project facade and answer it.
``write URL NAME N``: store N answers straight through the Store, to be killed at random.
Each prints one JSON line per acknowledged answer, flushed right after the commit returned.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from activelabel.project import Project
from activelabel.store import Store
from activelabel.types import AnnotationStatus, ClassLabel


def _emit(record: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def annotate(project_dir: Path, name: str, n: int) -> None:
    with Project.open(project_dir) as project:
        for i in range(n):
            entries = project.claim(name, 1)
            if not entries:
                _emit({"error": f"{name}: no item to claim after {i} answers"})
                return
            item_id = entries[0].entry.item.id
            sid = f"{name}-{i}"
            t0 = time.perf_counter()
            project.submit(item_id, ClassLabel("spam" if i % 3 == 0 else "ham"), annotator=name, submission_id=sid)
            _emit({"submission_id": sid, "item_id": item_id, "ms": (time.perf_counter() - t0) * 1000})


def write(url: str, name: str, n: int) -> None:
    store = Store.open(url, migrate=False)
    for i in range(n):
        sid = f"{name}-{i}"
        store.submit(item_id=f"item{i:06d}", annotator=name, status=AnnotationStatus.CORRECTED,
                     value={"label": "ham"}, submission_id=sid)
        _emit({"submission_id": sid})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("annotate")
    a.add_argument("project_dir", type=Path)
    a.add_argument("name")
    a.add_argument("n", type=int)
    w = sub.add_parser("write")
    w.add_argument("url")
    w.add_argument("name")
    w.add_argument("n", type=int)
    args = parser.parse_args()
    if args.cmd == "annotate":
        annotate(args.project_dir, args.name, args.n)
    else:
        write(args.url, args.name, args.n)


if __name__ == "__main__":
    main()
