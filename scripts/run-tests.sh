#!/usr/bin/env bash
# Lint, type-check and run the test suite.
set -euo pipefail
BIN=.venv/bin
$BIN/ruff check src tests benchmarks
$BIN/mypy
$BIN/python -m pytest "$@"
