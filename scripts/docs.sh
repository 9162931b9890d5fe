#!/usr/bin/env bash
# The documentation site: bootstrap, then `dbt docs generate --static`, which writes the dbt docs
# (every model, source, test, exposure and column, with the lineage graph of each indicator back to
# the two raw sources) as one self-contained HTML file, opened from disk without a server.
set -euo pipefail
usage() {
    cat <<'EOF'
usage: bash scripts/docs.sh [--database PATH] [--raw-dir DIR] [--target-path DIR] [--empty-catalog]

Creates or reuses .venv, then runs `dbt docs generate --static`. Writes to the target directory
(default: target/): static_index.html (the whole site in one file: open it in a browser from
disk), index.html + manifest.json + catalog.json (the same site for `dbt docs serve`).

  --database PATH    built DuckDB file whose tables and columns fill the catalog (types, row counts)
                     (default: $ATLAS_DUCKDB_PATH or data/atlas.duckdb). dbt opens it for writing:
                     close other connections first. When the file does not exist, the catalog is
                     left empty (as with --empty-catalog) and the lineage and descriptions are
                     still complete.
  --raw-dir DIR      raw extract directory, for the sources' locations (default: $ATLAS_RAW_DIR or data/raw)
  --target-path DIR  where to write the site (default: target)
  --empty-catalog    do not read the database (no catalog)
EOF
}
database=""
raw_dir=""
target_path="target"
empty_catalog=0
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --database) database="$2"; shift 2 ;;
        --raw-dir) raw_dir="$2"; shift 2 ;;
        --target-path) target_path="$2"; shift 2 ;;
        --empty-catalog) empty_catalog=1; shift ;;
        *) echo "docs.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
# Relative paths are taken from where the command was run, before bootstrap moves to the project.
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
[ -n "$database" ] && database="$(absolute "$database")"
[ -n "$raw_dir" ] && raw_dir="$(absolute "$raw_dir")"
target_path="$(absolute "$target_path")"

source "$(dirname "$0")/bootstrap.sh"
database="${database:-${ATLAS_DUCKDB_PATH:-$project_dir/data/atlas.duckdb}}"
raw_dir="${raw_dir:-${ATLAS_RAW_DIR:-$project_dir/data/raw}}"
extra=()
scratch=""
if [ "$empty_catalog" = 1 ] || [ ! -f "$database" ]; then
    [ "$empty_catalog" = 1 ] || echo "[docs] no database at $database: generating without a catalog"
    # dbt still connects: give it a scratch database so that no empty file appears at the real path.
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    database="$scratch/docs.duckdb"
    extra+=(--empty-catalog)
fi
echo "[docs] dbt docs generate --static (database: $database, target: $target_path)"
ATLAS_DUCKDB_PATH="$database" ATLAS_RAW_DIR="$raw_dir" dbt docs generate --static "${extra[@]}" \
    --profiles-dir "$project_dir" --project-dir "$project_dir" --target-path "$target_path"
echo "[docs] open $target_path/static_index.html in a browser (one file, no server needed)"
