"""Write the static HTML report of the Atlas indicators from a built DuckDB file.

For every indicator: the trend over the years for Belgium and its regions, the values by age
band for the latest year (indicators with age bands only), a funnel plot of the communes'
age-sex standardised ratios with their 95% and 99.8% control limits around Belgium, and a
sortable table of the communes for the latest year, all ages, with their standardised rates and
comparison with Belgium, suppressed cells shown as such. An index page lists every indicator
with its title and unit.

The pages open from disk (no server, no network): the charts are drawn by plotly.js, written
once as plotly.min.js beside the pages, with report.js (the table sorter) and report.css.

The database is opened read-only and needs only the tables `indicators` and `indicator_values`
(the working database data/atlas.duckdb or the published one, data/atlas_published.duckdb).
"""

# Only the standard library here: scripts/report.sh prints --help with the system Python, before
# the virtualenv (duckdb, plotly, Jinja2) exists. The builder is imported once the options are read.

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from atlas.paths import PROJECT_DIR

PUBLISHED_DATABASE = PROJECT_DIR / "data" / "atlas_published.duckdb"
WORKING_DATABASE = PROJECT_DIR / "data" / "atlas.duckdb"
DEFAULT_OUT_DIR = PROJECT_DIR / "data" / "report"
DEFAULT_SOURCE_NOTE = (
    "the DuckDB file named below, built by this project from the extract in its raw directory. "
    "When that directory held no extract, the pipeline generated synthetic data: the values are "
    "then synthetic and describe no real person."
)


def default_database() -> Path:
    from_env = os.environ.get("ATLAS_PUBLISHED_DUCKDB_PATH")
    if from_env:
        return Path(from_env)
    return PUBLISHED_DATABASE if PUBLISHED_DATABASE.exists() else WORKING_DATABASE


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, default=None,
                        help="DuckDB file to read (default: $ATLAS_PUBLISHED_DUCKDB_PATH, else "
                             "data/atlas_published.duckdb if it exists, else data/atlas.duckdb)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="directory to write the pages to (default: data/report)")
    parser.add_argument("--source-note", default=DEFAULT_SOURCE_NOTE,
                        help="where the data come from, for the footer of every page")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from atlas.report.build import build_report

    database: Path = args.database if args.database is not None else default_database()
    out_dir: Path = args.out_dir
    written = build_report(database, out_dir, args.source_note)
    size = sum(p.stat().st_size for p in written)
    print(f"[report] wrote {len(written)} files ({size / 1_048_576:.1f} MiB) to {out_dir}", flush=True)
    print(f"[report] open {(out_dir / 'index.html').resolve().as_uri()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
