#!/usr/bin/env bash
# Lint, type-check and run the test suite.
set -euo pipefail
BIN=.venv/bin
$BIN/ruff check src tests benchmarks
$BIN/mypy
# Known vulnerabilities in the installed dependencies: reported; high severity fails the run.
bash scripts/audit-deps.sh
# A throw-away PostgreSQL server for the team-backend tests, always torn down (scripts/pg-test-server.sh).
if [ -z "${ACTIVELABEL_TEST_PG_URL:-}" ]; then
  PG_STATE=$(mktemp -d /tmp/activelabel-pg.XXXXXX)
  trap 'bash scripts/pg-test-server.sh stop "$PG_STATE"' EXIT
  trap 'exit 130' INT TERM
  ACTIVELABEL_TEST_PG_URL=$(bash scripts/pg-test-server.sh start "$PG_STATE")
  export ACTIVELABEL_TEST_PG_URL
fi
$BIN/python -m pytest "$@"
