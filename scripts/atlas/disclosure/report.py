"""The audit as text: verdicts first, then where they fall, then the share withheld."""

from __future__ import annotations

from .audit import AuditResult
from .standardised_checks import StandardisedFindings
from .summary import Share


def _flag_note(secondary_not_small: bool, read_small_flags: bool) -> str:
    return ("Flags: 'small_cell' tells the individuals or the beneficiaries are 1..t-1 ("
            + ("used" if read_small_flags else "not used") + "); 'secondary' says nothing of a cell's size, "
            "since a small cell inside a withheld one is flagged 'secondary' ("
            + ("read as 'not small' all the same: a stronger outsider than the flags allow" if secondary_not_small
               else "used as >= 0") + ").")


def _interval(lower: float, upper: float) -> str:
    # + 0.0 turns the -0.0 of rounding into 0.
    return f"[{lower + 0.0:g}, {upper + 0.0:g}]"


def _share_line(share: Share, width: int) -> str:
    withheld = share.small + share.secondary
    return (f"  {share.group:<{width}} {share.rows:>9,} rows  small {share.small:>8,} ({share.percent(share.small):5.1f}%)"
            f"  secondary {share.secondary:>7,} ({share.percent(share.secondary):5.1f}%)"
            f"  withheld {withheld:>8,} ({share.percent(withheld):5.1f}%)")


def _standardised_lines(found: StandardisedFindings) -> list[str]:
    lines = [f"Standardised figures: on {found.figures:,} rows; FAILED {found.failed:,} "
             f"(numerators recovered by ratio x expected {found.recovered:,}, withheld cells under a "
             f"figure {found.exposed:,}, figures on a band or withheld row {found.misplaced:,})"]
    if found.findings:
        lines += [f"  First {len(found.findings)} (cell: what; the figure's table and band):"]
        lines += [f"  {f.status:<9} {f.indicator_code} {f.year} {f.geo_level} {f.geo_code} {f.age_band}: "
                  f"{f.detail}; figure of {f.figure_indicator} {f.figure_band}" for f in found.findings]
    return lines


def format_report(result: AuditResult, threshold: int, secondary_not_small: bool, read_small_flags: bool = True) -> str:
    summary = result.summary
    lines = [
        f"Disclosure audit (t = {threshold}; truth from the working database: "
        f"{'yes' if result.has_truth else 'no'}; small flags read: {'yes' if read_small_flags else 'no'}; "
        f"secondary read as not small: {'yes' if secondary_not_small else 'no'})",
        f"  {result.quantities:,} quantities, {result.withheld_quantities:,} withheld; "
        f"{result.constraints:,} equality groups, {result.inequalities:,} inequalities; "
        f"{result.intervals.rounds} propagation rounds ({'fixed point' if result.intervals.converged else 'round limit'});"
        f" {result.seconds:.1f} s",
        "",
        f"Small cells: {summary.small_cells:,}; FAILED {summary.failed:,} "
        f"(recovered exactly {summary.recovered:,}, narrowed below [1, {threshold - 1}] {summary.narrowed:,})",
        f"  distinct figures recovered: beneficiary counts of 1..{threshold - 1}: "
        f"{summary.beneficiary_counts_recovered:,}; volumes behind 1..{threshold - 1} patients: "
        f"{summary.volumes_recovered:,}",
        f"Secondary cells: {summary.secondary_cells:,}; pinned to one value (withholding wasted, not a failure): "
        f"{summary.pinned_secondary:,}",
        *_standardised_lines(result.standardised),
    ]
    if summary.by_indicator:
        lines += ["", "By indicator (recovered / narrowed small cells, pinned secondary cells):"]
        lines += [f"  {group:<14} {recovered:>6,} {narrowed:>6,} {pinned:>6,}"
                  for group, recovered, narrowed, pinned in summary.by_indicator]
        lines += ["By geo level:"]
        lines += [f"  {group:<18} {recovered:>6,} {narrowed:>6,} {pinned:>6,}"
                  for group, recovered, narrowed, pinned in summary.by_level]
    if summary.failures:
        lines += ["", f"First {len(summary.failures)} failures (table, year, unit, band: quantity, interval, truth):"]
        lines += [f"  {f.status:<9} {f.indicator_code} {f.year} {f.geo_level} {f.geo_code} {f.age_band}: "
                  f"{f.quantity} in {_interval(f.lower, f.upper)}"
                  + (f", true {f.true_value}" if f.true_value is not None else "")
                  for f in summary.failures]
    lines += ["", "Share withheld:", _share_line(summary.share_all, 18), "By geo level:"]
    lines += [_share_line(share, 18) for share in summary.shares_by_level]
    lines += ["By indicator:"]
    lines += [_share_line(share, 18) for share in summary.shares_by_indicator]
    lines += ["", _flag_note(secondary_not_small, read_small_flags)]
    if result.errors:
        lines += ["", f"ERRORS ({len(result.errors)}):"] + [f"  {error}" for error in result.errors]
    lines += ["", "RESULT: " + ("FAIL" if result.exit_code else "PASS")]
    return "\n".join(lines)
