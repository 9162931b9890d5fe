#!/usr/bin/env bash
# The main job: bootstrap, generate synthetic data if the raw directory is empty, dbt build,
# then list what the DuckDB file holds. Options are passed on to scripts/run_pipeline.py.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    echo "usage: bash scripts/run.sh [run_pipeline options]"
    echo "Creates or reuses .venv, then runs scripts/run_pipeline.py (its options below)."
    echo
    python3 "$(dirname "$0")/run_pipeline.py" --help
    exit 0
fi
source "$(dirname "$0")/bootstrap.sh"
exec python scripts/run_pipeline.py "$@"
