#!/usr/bin/env bash
# pip-audit over the project's virtual environment; see scripts/audit_deps.py for the policy.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/audit_deps.py "$@"
