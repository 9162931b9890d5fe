"""The deliberate bad rows: a few rows of each kind the row rules must quarantine or flag
(docs/row_rules.md), so that every synthetic extract exercises the build's quarantine and flags.

Each kind owns its own interval of one draw, so no row carries two defects and a duplicated
beneficiary is an exact copy. --no-defects gives every interval width zero.
"""

from __future__ import annotations

from enum import IntEnum

from atlas.synthetic.config import Config
from atlas.synthetic.draws import SALT

# Each kind of defect at this rate, of the persons of a year or of the claim lines.
PERSON_DEFECT_RATE = 0.0002
LINE_DEFECT_RATE = 0.0001
LINE_DEFECT_FROM = 0.5  # defects use edit_draw from here up, clear of corrections and duplicates


class PersonDefect(IntEnum):
    """A kind of bad beneficiary row; its value places its interval of the draw (and so the output)."""

    NO_BIRTH_YEAR = 0
    UNKNOWN_COMMUNE = 1
    DELIVERED_TWICE = 2
    UNKNOWN_SECTOR = 3


class LineDefect(IntEnum):
    """A kind of bad claim line; its value places its interval of the edit draw (and so the output)."""

    NO_PERSON = 0
    ZERO_QUANTITY = 1
    SEVEN_DIGIT_CODE = 2
    UNKNOWN_PERSON = 3
    CORRECTION_WITHOUT_ORIGINAL = 4


def kind_interval(draw: str, kind: int, rate: float, start: float = 0.0) -> str:
    """SQL condition true when `draw` falls in the interval of defect `kind`: the kinds lie side
    by side from `start`, each `rate` wide (zero wide without defects)."""
    low = start + kind * rate
    return f"({draw} >= {low} and {draw} < {low + rate})"


def person_defect(kind: PersonDefect, config: Config, year: int) -> str:
    """SQL condition on the persons table, true for the persons whose row of `year` has defect `kind`."""
    draw = f"unif(person_index, {SALT['person_defect']}, {year})"
    return kind_interval(draw, kind, PERSON_DEFECT_RATE if config.defects else 0.0)


def line_defect(kind: LineDefect, config: Config) -> str:
    """SQL condition on claim lines with their `edit_draw`, true for the lines with defect `kind`."""
    return kind_interval("edit_draw", kind, LINE_DEFECT_RATE if config.defects else 0.0, LINE_DEFECT_FROM)


def defective_beneficiary_columns(config: Config, year: int) -> dict[str, str]:
    """{beneficiaries column: SQL expression over the persons table} for the columns a defect alters.

    The rows delivered twice are not here: they are whole extra rows (PersonDefect.DELIVERED_TWICE).
    """
    def unknown_code(kind: PersonDefect, column: str, code_in_no_seed: str) -> str:
        # only a known domicile is replaced: a missing one is another row rule's case
        return (f"case when {person_defect(kind, config, year)} and {column} is not null "
                f"then {code_in_no_seed} else {column} end")

    return {
        "birth_year": f"case when {person_defect(PersonDefect.NO_BIRTH_YEAR, config, year)} "
                      f"then null else birth_year end",
        "commune_dec31": unknown_code(PersonDefect.UNKNOWN_COMMUNE, "commune_dec31", "'99999'"),
        "sector_dec31": unknown_code(PersonDefect.UNKNOWN_SECTOR, "sector_dec31", "'99999ZZ9-'"),
    }


def defective_claim_columns(config: Config) -> dict[str, str]:
    """{claims column: SQL expression over claim lines with their edit_draw} for the columns a defect alters."""
    def defect(kind: LineDefect) -> str:
        return line_defect(kind, config)

    return {
        "person_id": f"case when {defect(LineDefect.NO_PERSON)} then null "
                     f"when {defect(LineDefect.UNKNOWN_PERSON)} then 'Z' || person_id else person_id end",
        "nomenclature_code": f"case when {defect(LineDefect.SEVEN_DIGIT_CODE)} "
                             f"then nomenclature_code || '0' else nomenclature_code end",
        # a negated quantity cancels a line that was never billed
        "quantity": f"case when {defect(LineDefect.ZERO_QUANTITY)} then 0 "
                    f"when {defect(LineDefect.CORRECTION_WITHOUT_ORIGINAL)} then -quantity else quantity end",
    }
