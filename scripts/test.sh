#!/usr/bin/env bash
# Install with the test extras and run the whole test suite (pytest).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
