#!/usr/bin/env bash
# The test job. `bash scripts/test.sh` is what CI runs (.ci/run): everything. `--quick` is the
# developer loop, under 3 minutes with the virtualenv in place.
set -euo pipefail
usage() {
    cat <<'USAGE'
usage: bash scripts/test.sh [--quick] [pytest options]

  (no option)  everything, as CI runs it: sqlfluff lint of models/ and tests/ (dbt templater),
               mypy --strict, then the whole pytest suite on 2 workers (pytest-xdist), which
               drives dbt on the hand-built fixture and on synthetic data and so runs every dbt
               unit and data test, the browser, concurrency, differential and property tests.
  --quick      the loop while you change things: the same lint (SQL files changed since main
               only, when git can tell), mypy, and the tests marked `quick` (the Python's own
               unit tests, the hand-built fixture with every dbt unit test, the metadata and the
               declarations), which share one build per variant.

Creates or reuses .venv first (scripts/bootstrap.sh).
Environment: HYPOTHESIS_PROFILE quick|ci|thorough (default ci; quick with --quick; thorough is
several hundred examples, run it by hand before a release), ATLAS_TEST_WORKERS (default 2).
USAGE
}
quick=false
case "${1:-}" in
    --help|-h) usage; exit 0 ;;
    --quick) quick=true; shift ;;
esac
source "$(dirname "$0")/bootstrap.sh"
started=$SECONDS

# The linter compiles the project; give it a database of its own, out of the user's way.
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
lint_paths=(models tests)
if $quick && git rev-parse --verify --quiet main >/dev/null; then
    base="$(git merge-base HEAD main)"
    mapfile -t lint_paths < <({ git diff --name-only "$base" -- 'models/*.sql' 'tests/*.sql'
                                git ls-files --others --exclude-standard -- 'models/*.sql' 'tests/*.sql'; } | sort -u)
    lint_paths=($(for path in "${lint_paths[@]}"; do [ -f "$path" ] && echo "$path"; done))
fi
if [ "${#lint_paths[@]}" -gt 0 ]; then
    echo "[test] sqlfluff lint ${lint_paths[*]}"
    ATLAS_DUCKDB_PATH="$lint_dir/lint.duckdb" sqlfluff lint --processes 2 "${lint_paths[@]}"
else
    echo "[test] sqlfluff lint: no SQL file changed since main"
fi
echo "[test] mypy --strict (the atlas package and the commands; settings in pyproject.toml)"
mypy && mypy scripts/*.py
workers="${ATLAS_TEST_WORKERS:-2}"
if $quick; then
    echo "[test] pytest -m quick ($workers workers)"
    HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-quick}" python -m pytest -m "quick and not large" -n "$workers" --dist loadfile "$@"
else
    echo "[test] pytest ($workers workers)"
    python -m pytest -n "$workers" --dist loadfile --durations=20 "$@"
fi
echo "[test] done in $((SECONDS - started)) s"
