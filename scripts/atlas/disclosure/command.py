"""Audit the whole published database as an outsider would (issue #10).

Reads only the published DuckDB file and the public seeds (geography, age bands, variable
relations). For every withheld figure it derives the tightest interval that interval
propagation finds from every linear relation between the 53 tables: the same cell in every
table, age bands and units adding up to their totals (with the unpublished persons without a
domicile or sector), all-imaging volume = categories + cone-beam CT = provider groups + the rest,
patients <= beneficiaries, patients <= exams, and what the small_cell flags say (on a cell whose
rows prove 2 or more beneficiaries, the flag speaks of its patients: docs/protection.md).

The standardised figures (docs/standardisation.md) are read from every table: standardised_ratio x
expected gives the numerator O (a relation like the others), and a published figure FAILS when
its numerator is withheld (recovered), when a cell of the unit and year that its equation touches
(the total and the age bands of its variable and measure) is withheld (exposed), or when it sits
on an age band row or a flagged row (misplaced).

A small cell FAILS when its small figure (individuals or beneficiaries) comes back pinned to one
value or bounded more tightly than [1, t-1]. Secondary cells pinned to one value are counted
(wasted withholding), not failures. With --working-database the true figures judge which figure
is the small one and check that every interval holds the truth; they are never used to derive.

Exit status: 0 when nothing fails, 1 when a small cell or a standardised figure does (or the
publication contradicts itself).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from atlas.paths import PROJECT_DIR

from atlas.disclosure.audit import run_audit
from atlas.disclosure.report import format_report

DEFAULT_PUBLISHED = PROJECT_DIR / "data" / "atlas_published.duckdb"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--published-database", type=Path, default=DEFAULT_PUBLISHED,
                        help="the published DuckDB file to audit (default: data/atlas_published.duckdb)")
    parser.add_argument("--seeds-dir", type=Path, default=PROJECT_DIR / "seeds",
                        help="folder of the public seeds: geo_*.csv, variable_relations.csv (default: seeds/)")
    parser.add_argument("--working-database", type=Path, default=None,
                        help="working DuckDB file with int_indicator_cells_computed: judges only, never derives")
    parser.add_argument("--threshold", type=int, default=5,
                        help="small-cell threshold t: 1..t-1 persons is small (default: 5)")
    parser.add_argument("--secondary-not-small", action="store_true",
                        help="let the outsider read a secondary flag as 'not small' (beneficiaries >= t, "
                             "individuals 0 or >= t), more than the flag says (a small cell inside a withheld "
                             "one is secondary too): a stronger outsider, to compare; by default >= 0 only")
    parser.add_argument("--ignore-small-flags", action="store_true",
                        help="let the outsider not read what small_cell flags say (subtraction and bounds "
                             "only): a weaker outsider, to compare with simpler attacks")
    parser.add_argument("--patient-coverage", action="store_true",
                        help="add the patient coverage relations: every patient of all imaging is a patient of "
                             "at least one category (cone-beam CT included) and of at least one provider group "
                             "(the rest included); docs/protection.md does not list them")
    parser.add_argument("--max-rounds", type=int, default=500, help="propagation round limit (default: 500)")
    parser.add_argument("--failures", type=int, default=20, help="failures listed in full (default: 20)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[audit {time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    for path in (args.published_database, args.working_database):
        if path is not None and not path.exists():
            print(f"[audit] error: {path} does not exist", file=sys.stderr)
            return 2
    result = run_audit(args.published_database.resolve(), args.seeds_dir.resolve(), args.threshold,
                       args.working_database.resolve() if args.working_database else None,
                       args.secondary_not_small, args.max_rounds, args.failures, progress,
                       read_small_flags=not args.ignore_small_flags, patient_coverage=args.patient_coverage)
    print(format_report(result, args.threshold, args.secondary_not_small, not args.ignore_small_flags))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
