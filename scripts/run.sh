#!/usr/bin/env bash
# Install into .venv (first run only) and start the UI on the bundled corpus and model.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
.venv/bin/pip install -q -e .
exec .venv/bin/python app.py
