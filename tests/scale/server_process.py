"""One "UI server" as a separate process: it opens the project itself and labels until the queue is dry.

    python -m tests.scale.server_process PROJECT_DIR DB_URL ANNOTATOR TRUTH_TSV OUT_JSONL [--train-after N]
                                         [--await-version-after N]

It holds nothing between actions but what the database holds: each step re-reads the round, claims
through the store's leases and submits with an idempotency key, as the Streamlit pages do. With
``--train-after N`` it retrains and promotes a new version after N answers, while the other server goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from activelabel.project import Project
from activelabel.types import ClassLabel


def _await_version(project: Project, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while (rnd := project.store.current_round()) is None or rnd.model_version is None:
        if time.monotonic() > deadline:
            raise SystemExit("no version was promoted by the other server")
        time.sleep(0.2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("db")
    ap.add_argument("annotator")
    ap.add_argument("truth")
    ap.add_argument("out")
    ap.add_argument("--train-after", type=int, default=0)
    ap.add_argument("--await-version-after", type=int, default=0,
                    help="after N answers, wait (polling the database) for a round ranked by a promoted version")
    args = ap.parse_args()
    truth = dict(line.split("\t") for line in Path(args.truth).read_text().splitlines()[1:])
    done = 0
    with Project.open(Path(args.project), args.db) as project, open(args.out, "a", encoding="utf-8") as out:
        while True:
            claimed = project.claim(args.annotator, 2)
            if not claimed:
                break
            for q in claimed:
                item = q.entry.item
                res = project.submit(item.id, ClassLabel(truth[item.content].strip()), annotator=args.annotator,
                                     submission_id=f"{args.annotator}:{item.id}", trigger_retrain=False)
                version = (q.proposal or {}).get("model_version")
                out.write(json.dumps({"item": item.id, "annotation": res.annotation_id, "created": res.created,
                                      "round": q.entry.round_id, "version": version}) + "\n")
                out.flush()
                done += 1
                if args.await_version_after and done == args.await_version_after:
                    _await_version(project)
                if args.train_after and done == args.train_after:
                    v = project.train(wait=True)
                    out.write(json.dumps({"promoted": v}) + "\n")
                    out.flush()
    sys.exit(0)


if __name__ == "__main__":
    main()
