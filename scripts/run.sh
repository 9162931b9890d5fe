#!/usr/bin/env bash
# The main job: bootstrap, generate synthetic data if the raw directory is empty, dbt build,
# then list what the DuckDB file holds. Options are passed on to scripts/run_pipeline.py.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    echo "usage: bash scripts/run.sh [run_pipeline options]"
    echo "Creates or reuses .venv, then runs scripts/run_pipeline.py (its options below)."
    echo
    # The options are run_pipeline.py's own, which needs the virtualenv's packages to start.
    source "$(dirname "$0")/bootstrap.sh" >&2
    exec python scripts/run_pipeline.py --help
fi
source "$(dirname "$0")/bootstrap.sh"
exec python scripts/run_pipeline.py "$@"
