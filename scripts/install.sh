#!/usr/bin/env bash
# Create .venv and install statementkit with a CPU-only torch.
#
# Why a script: torch's Linux wheels on PyPI are CUDA builds (several GB).
# We install torch 2.13.0's CPU build *first*, so that the `torch==2.13.0`
# requirement in pyproject.toml is already satisfied when pip installs the
# rest. Where it comes from, in order:
#   1. an index or wheel folder pip is already configured with that carries
#      torch==2.13.0+cpu (e.g. a local wheel cache or mirror);
#   2. PyTorch's CPU index, https://download.pytorch.org/whl/cpu (Linux,
#      macOS and Windows wheels).
# Re-running is cheap: nothing is reinstalled unless pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${STATEMENTKIT_VENV:-.venv}"
EXTRAS="${1:-}"
TORCH_VERSION="2.13.0"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "statementkit needs Python >= 3.11")'
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --quiet --disable-pip-version-check)

if ! "$VENV/bin/python" -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('$TORCH_VERSION') else 1)" 2>/dev/null; then
  echo "==> installing torch $TORCH_VERSION (CPU build)"
  "${PIP[@]}" install "torch==${TORCH_VERSION}+cpu" 2>/dev/null \
    || "${PIP[@]}" install "torch==${TORCH_VERSION}" --index-url https://download.pytorch.org/whl/cpu
fi

stamp="$VENV/.statementkit-installed${EXTRAS:+-$EXTRAS}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing statementkit${EXTRAS:+[$EXTRAS]} and its dependencies"
  "${PIP[@]}" install -e ".${EXTRAS:+[$EXTRAS]}" 2>&1 | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -c "import statementkit" || { echo "install failed" >&2; exit 1; }
  touch "$stamp"
fi

# fast-loading copies of the default embedding model's files (uncompressed weights, the vocabulary
# pre-read): a first run loads the model in ~0.25 s instead of ~0.85 s; kept until the wheel changes
"$VENV/bin/statementkit" models prepare --quiet || echo "(models prepare failed: the model loads from its wheel, lemma tables and patterns are built into the cache)" >&2
