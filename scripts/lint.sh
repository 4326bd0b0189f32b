#!/usr/bin/env bash
# The code checks `make lint` and `make test` (hence CI) run: ruff's rules, ruff's formatting and mypy
# (decision 0016; the settings are in pyproject.toml). Exits non-zero at the first tool that finds something.
#
#   scripts/lint.sh         check only (what CI runs)
#   scripts/lint.sh --fix   format the tree and apply ruff's safe fixes, then check
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"

if [[ "${1:-}" == "--fix" ]]; then
    "$BIN/ruff" format --quiet .
    "$BIN/ruff" check --fix --quiet . || true  # what is left is reported below
fi

echo ">> ruff check"
"$BIN/ruff" check .
echo ">> ruff format --check"
"$BIN/ruff" format --check . >/dev/null || {
    "$BIN/ruff" format --check . | head -20
    echo "files above would be reformatted: run scripts/lint.sh --fix (or make format)" >&2
    exit 1
}
echo ">> mypy"
"$BIN/mypy"
