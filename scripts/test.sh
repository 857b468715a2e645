#!/usr/bin/env bash
# The test command: installs what the tests need, then lints, type-checks and
# runs the whole test suite, the llm-marked tests (a real local model) included.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/setup-llm.sh  # the local model, for the llm-marked tests
bash scripts/setup-docker.sh  # dockerd and the offline sandbox image, for the docker-marked tests
PY=.venv/bin/python

echo "== ruff"
$PY -m ruff check arollout sandboxes tests bench examples scripts
echo "== mypy"
$PY -m mypy
echo "== pytest"
$PY -m pytest -q "$@"
