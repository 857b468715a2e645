#!/usr/bin/env bash
# The test command: installs what the tests need, then lints, type-checks and
# runs the whole test suite (including the llm- and docker-marked tests where
# their setup scripts succeeded).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
PY=.venv/bin/python

echo "== ruff"
$PY -m ruff check arollout sandboxes tests bench examples
echo "== mypy"
$PY -m mypy
echo "== pytest"
$PY -m pytest -q "$@"
