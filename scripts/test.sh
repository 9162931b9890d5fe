#!/usr/bin/env bash
# The test job (also what CI runs): bootstrap, sqlfluff lint, mypy, then pytest, which drives dbt on
# fixtures and synthetic data and so runs every dbt unit and data test.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    echo "usage: bash scripts/test.sh [pytest options]"
    echo "Creates or reuses .venv, lints the SQL with sqlfluff (dbt templater), type-checks scripts/"
    echo "with mypy --strict, then runs pytest."
    exit 0
fi
source "$(dirname "$0")/bootstrap.sh"
# The linter compiles the project; give it a database of its own, out of the user's way.
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
echo "[test] sqlfluff lint models tests"
ATLAS_DUCKDB_PATH="$lint_dir/lint.duckdb" sqlfluff lint models tests
echo "[test] mypy --strict (the atlas package and the commands; settings in pyproject.toml)"
mypy && mypy scripts/*.py
echo "[test] pytest"
python -m pytest "$@"
