"""Run the reliability scenarios at the issue's sizes and print one table.

    .venv/bin/python benchmarks/reliability_report.py --pg-url postgresql://postgres@127.0.0.1:5432/postgres

Rows: concurrent annotators on SQLite (4 x 500) and PostgreSQL (10 x 1,000), and kill -9 of a
writer during 1,000 writes (20 trials). Columns: submissions made (acknowledged), stored, lost,
duplicated, integrity, and p95 save latency (one Project.submit, claim excluded). Without
--pg-url, a throw-away server is started with scripts/pg-test-server.sh when PostgreSQL is
installed; --no-pg skips PostgreSQL. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pg import fresh_database  # noqa: E402
from tests.reliability.scenarios import SubmissionFigures, kill_trials, make_project, run_annotators  # noqa: E402


def _row(name: str, fig: SubmissionFigures, seconds: float) -> str:
    p95 = f"{fig.p95_ms:.1f}" if fig.latencies_ms else "-"
    ok = "ok" if not fig.integrity_problems and not fig.errors else "; ".join(fig.integrity_problems + fig.errors)[:60]
    return (f"| {name:<34} | {fig.made:>6} | {fig.stored:>6} | {fig.lost:>4} | {fig.duplicated:>10} | {ok:<9} "
            f"| {p95:>12} | {seconds:>7.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", help="a PostgreSQL server URL (a database per scenario is created on it)")
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL scenario")
    parser.add_argument("--sqlite", default="4x500", help="annotators x answers each on SQLite (default 4x500)")
    parser.add_argument("--pg", default="10x1000", help="annotators x answers each on PostgreSQL (default 10x1000)")
    parser.add_argument("--kill-trials", type=int, default=20, help="kill -9 trials (default 20)")
    parser.add_argument("--kill-writes", type=int, default=1000, help="answers per killed writer (default 1000)")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="activelabel-reliability-") as tmp_s:
        tmp = Path(tmp_s)
        n_ann, each = (int(x) for x in args.sqlite.split("x"))
        t0 = time.time()
        make_project(tmp / "sqlite", None, n_ann * each + 50)
        fig = run_annotators(tmp / "sqlite", n_ann, each, backend="sqlite")
        rows.append(_row(f"SQLite, {n_ann} annotators x {each}", fig, time.time() - t0))
        print(rows[-1], flush=True)

        if not args.no_pg:
            state, url = None, args.pg_url
            if url is None:
                state = tmp / "pg"
                url = subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server.sh"), "start", str(state)],
                                     check=True, capture_output=True, text=True).stdout.strip()
            try:
                n_ann, each = (int(x) for x in args.pg.split("x"))
                with fresh_database(url) as db:
                    t0 = time.time()
                    make_project(tmp / "postgres", db, n_ann * each + 50)
                    fig = run_annotators(tmp / "postgres", n_ann, each, backend="postgresql", timeout=3600)
                    rows.append(_row(f"PostgreSQL, {n_ann} annotators x {each}", fig, time.time() - t0))
                    print(rows[-1], flush=True)
            finally:
                if state is not None:
                    subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server.sh"), "stop", str(state)], check=False)

        t0 = time.time()
        (tmp / "kill").mkdir()
        fig = kill_trials(tmp / "kill", args.kill_trials, args.kill_writes, seed=1)
        rows.append(_row(f"kill -9, {args.kill_trials} trials x {args.kill_writes} writes", fig, time.time() - t0))

    print()
    print("| scenario                           |   made | stored | lost | duplicated | integrity | p95 save ms "
          "| seconds |")
    print("|------------------------------------|--------|--------|------|------------|-----------|-------------"
          "|---------|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
