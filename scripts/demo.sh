#!/usr/bin/env bash
# One command for a new user: install everything, then screen the bundled
# demo batch of submissions against the reference assembly's statements.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/statementkit demo "$@"
