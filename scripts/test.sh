#!/usr/bin/env bash
# Install everything the tests need into .venv, then run every test tier and the eval gate.
# As root it also installs Debian's Chromium and Noto CJK fonts for the browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && { ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk fontconfig
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
# torch first and pinned: this CPU wheel lies on local disk; an unpinned torch pulls a CUDA build.
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e ".[st,test,export]"
.venv/bin/python -m pytest -q -ra
.venv/bin/python -m eval --systems assistant --no-write --split test --min-strict "${QA_MIN_STRICT:-0.89}"
