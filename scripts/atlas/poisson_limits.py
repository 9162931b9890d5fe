"""Exact Poisson confidence limits of a count, and the seed the build reads them from.

The exact (Garwood) limits of a Poisson count O are chi-square quantiles: O_L = chi2(a/2; 2 O) / 2
and O_U = chi2(1 - a/2; 2 O + 2) / 2 (Ulm, Am J Epidemiol 1990;131:373-375). SQL has no
chi-square quantile, so the build reads them from seeds/poisson_exact_limits.csv for the counts
below SEED_COUNTS and uses Byar's approximation beyond, which this module also writes so that
tests can bound its error there (docs/standardisation.md).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path
from typing import Sequence

from scipy.stats import chi2, norm

from atlas.paths import PROJECT_DIR

SEED = Path("seeds") / "poisson_exact_limits.csv"
# Counts 0 to SEED_COUNTS - 1 are in the seed; the macro poisson_limits switches to Byar there.
SEED_COUNTS = 5000
CONFIDENCE = 0.95


def exact_limits(observed: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact two-sided limits of the mean of a Poisson count (0 has lower limit 0)."""
    alpha = 1 - confidence
    lower = 0.0 if observed == 0 else float(chi2.ppf(alpha / 2, 2 * observed)) / 2
    upper = float(chi2.ppf(1 - alpha / 2, 2 * observed + 2)) / 2
    return lower, upper


def byar_limits(observed: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Byar's approximation of the exact limits (Breslow & Day 1987, vol. II, p. 69)."""
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    lower = 0.0 if observed == 0 else observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    upper = (observed + 1) * (1 - 1 / (9 * (observed + 1)) + z / (3 * math.sqrt(observed + 1))) ** 3
    return lower, upper


def seed_text() -> str:
    """The seed's CSV: one row per count below SEED_COUNTS, limits written to full precision."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["observed", "lower_95", "upper_95"])
    for observed in range(SEED_COUNTS):
        lower, upper = exact_limits(observed)
        writer.writerow([observed, repr(lower), repr(upper)])
    return out.getvalue()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=f"Write {SEED}: the exact 95% Poisson limits of the counts 0 to {SEED_COUNTS - 1}, "
        "which the standardised figures' intervals read (docs/standardisation.md).")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the seed is not what this script would write")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help="the dbt project (default: this one)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    path = args.project_dir / SEED
    text = seed_text()
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if args.check:
        if current != text:
            print(f"[poisson] stale: {SEED}; run python scripts/generate_poisson_limits.py", file=sys.stderr)
            return 1
        return 0
    if current == text:
        print(f"[poisson] {SEED} is up to date")
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"[poisson] wrote {SEED} ({SEED_COUNTS} counts)")
    return 0
