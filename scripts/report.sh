#!/usr/bin/env bash
# The report: bootstrap, then scripts/build_report.py, which writes the static HTML report of the
# indicators (index.html and one page per indicator, opened from disk) from a built database.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    echo "usage: bash scripts/report.sh [build_report options]"
    echo "Creates or reuses .venv, then runs scripts/build_report.py (its options below)."
    echo
    python3 "$(dirname "$0")/build_report.py" --help
    exit 0
fi
# Relative paths in the options are taken from where the command was run.
here="$PWD"
source "$(dirname "$0")/bootstrap.sh"
cd "$here"
exec python "$project_dir/scripts/build_report.py" "$@"
