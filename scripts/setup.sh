#!/usr/bin/env bash
# Install everything arollout and its tests need into ./.venv (idempotent).
#
#   bash scripts/setup.sh            # engine + sandbox stack + dev tools
#
# Environment:
#   AROLLOUT_PYTHON  interpreter used to create the venv (default: python3)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${AROLLOUT_PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,stack,hf,docker]'
echo "setup: $(.venv/bin/python --version) in $(pwd)/.venv"
