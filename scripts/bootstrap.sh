#!/usr/bin/env bash
# Sourced by run.sh and test.sh: creates (or reuses) .venv with the pinned dependencies.
# Reinstalls only when requirements.txt changed since the last install.
set -euo pipefail
project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${ATLAS_VENV_DIR:-$project_dir/.venv}"
python_bin="${PYTHON:-python3}"
stamp="$venv_dir/.requirements.sha256"
wanted="$(sha256sum "$project_dir/requirements.txt" | cut -d' ' -f1)"

if [ ! -x "$venv_dir/bin/python" ]; then
    echo "[bootstrap] creating virtualenv $venv_dir"
    "$python_bin" -m venv "$venv_dir"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "[bootstrap] installing pinned dependencies (requirements.txt)"
    "$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$project_dir/requirements.txt"
    echo "$wanted" > "$stamp"
else
    echo "[bootstrap] reusing $venv_dir (dependencies up to date)"
fi
export PATH="$venv_dir/bin:$PATH"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
cd "$project_dir"
