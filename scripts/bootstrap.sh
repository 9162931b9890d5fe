#!/usr/bin/env bash
# Sourced by run.sh and test.sh: creates (or reuses) .venv with the pinned dependencies.
# Reinstalls only when requirements.txt changed since the last install.
set -euo pipefail
project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${ATLAS_VENV_DIR:-$project_dir/.venv}"
python_bin="${PYTHON:-python3}"
stamp="$venv_dir/.requirements.sha256"
wanted="$(cat "$project_dir/requirements.txt" "$project_dir/pyproject.toml" | sha256sum | cut -d' ' -f1)"

if [ ! -x "$venv_dir/bin/python" ]; then
    echo "[bootstrap] creating virtualenv $venv_dir"
    "$python_bin" -m venv "$venv_dir"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "[bootstrap] installing pinned dependencies (requirements.txt)"
    "$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$project_dir/requirements.txt"
    # The project's own package (scripts/atlas, pyproject.toml), editable: imported by the
    # commands, the tests and `python -m atlas....` subprocesses alike.
    "$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$project_dir"
    echo "$wanted" > "$stamp"
else
    echo "[bootstrap] reusing $venv_dir (dependencies up to date)"
fi
export PATH="$venv_dir/bin:$PATH"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
cd "$project_dir"
