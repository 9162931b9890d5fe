"""Guess why many rows were quarantined for one reason, from the raw text the quarantine kept.

The plausibility gate (scripts/atlas/pipeline/plausibility_gate.py) stops a run when a reason dominates; a
share alone says what happened, not why. A convention of the delivery (a date or decimal
format, ids keyed differently in the two files, a file delivered twice) shows in the values
themselves, so a sample of them usually names the cause. Only shapes and a few examples of
dates, codes and numbers are shown, never a person_id.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import duckdb

SAMPLE_ROWS = 500

# reason -> (quarantine table, year column, columns holding the text as delivered)
_TEXT_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("claims", "invalid_service_date"): ("service_date_text",),
    ("claims", "invalid_nomenclature_code"): ("nomenclature_code_text",),
    ("claims", "invalid_quantity"): ("quantity_text",),
    ("beneficiaries", "invalid_year"): ("year_text",),
    ("beneficiaries", "invalid_birth_year"): ("birth_year_text",),
    ("beneficiaries", "invalid_sex"): ("sex",),
    ("beneficiaries", "invalid_death_date"): ("death_date_text",),
    ("beneficiaries", "unknown_commune"): ("commune_dec31", "commune_jun30"),
    ("beneficiaries", "unknown_sector"): ("sector_dec31", "sector_jun30"),
}
_TABLES = {"claims": ("quarantined_claims", "service_year"), "beneficiaries": ("quarantined_beneficiaries", "year")}

_FIXED_HINTS = {
    "missing_person_id": "person_id is empty: a column mapped wrongly, or an export that dropped it",
    "missing_birth_year": "birth_year is empty: a column mapped wrongly, or an export that dropped it",
    "service_year_not_delivered": "the population file for that year is missing from the extract",
    "unmatched_correction": "corrections whose original lines are not in the extract: a claims file "
                            "of an earlier period missing?",
}
_COPY_REASONS = ("duplicate_claim_line", "duplicate_beneficiary_row", "conflicting_beneficiary_rows")

_DATE_SHAPES: tuple[tuple[str, str], ...] = (
    (r"\d{1,2}/\d{1,2}/\d{4}", "DD/MM/YYYY"),
    (r"\d{1,2}-\d{1,2}-\d{4}", "DD-MM-YYYY"),
    (r"\d{1,2}\.\d{1,2}\.\d{4}", "DD.MM.YYYY"),
    (r"\d{4}/\d{1,2}/\d{1,2}", "YYYY/MM/DD"),
    (r"(19|20)\d{2}(0[1-9]|1[0-2])\d{2}", "YYYYMMDD without separators"),
    (r"[1-6]\d{4}(\.\d+)?", "spreadsheet serial day numbers (days since 1899-12-30), not dates"),
    (r"\d{4}-\d{1,2}-\d{1,2}", "ISO dates, but impossible days (e.g. 31 April)"),
)
_NUMBER_SHAPES: tuple[tuple[str, str], ...] = (
    (r"-?\d+,\d+", "numbers with a decimal comma"),
    (r"-?\d{1,3}([ .,\u00a0]\d{3})+", "numbers with thousands separators"),
    (r"-?\d+\.\d+", "decimal numbers, not integers"),
    (r"0+", "zero"),
)


def _shape_of(values: Sequence[str], shapes: Sequence[tuple[str, str]]) -> str | None:
    """The shape most of the values have, if one shape covers at least 80% of them."""
    counts: Counter[str] = Counter()
    for value in values:
        for pattern, label in shapes:
            if re.fullmatch(pattern, value):
                counts[label] += 1
                break
    if not counts:
        return None
    label, count = counts.most_common(1)[0]
    if count < 0.8 * len(values):
        return None
    # A second field above 12 can only be a day: month first, the American order.
    if label == "DD/MM/YYYY" and any(re.fullmatch(r"\d{1,2}/(1[3-9]|[23]\d)/\d{4}", v) for v in values):
        return "MM/DD/YYYY"
    return label


def _examples(values: Sequence[str], count: int = 3) -> str:
    return ", ".join(repr(value) for value, _ in Counter(values).most_common(count))


def describe_values(reason: str, values: Sequence[str]) -> str:
    """What the delivered text looks like, e.g. "the values look like DD/MM/YYYY (e.g. '31/12/2023')"."""
    present = [value for value in values if value]
    if not present:
        return "the values are empty"
    shape = None
    if reason.endswith("_date"):
        shape = _shape_of(present, _DATE_SHAPES)
    elif reason in ("invalid_quantity", "invalid_year", "invalid_birth_year"):
        shape = _shape_of(present, _NUMBER_SHAPES)
    elif reason == "invalid_sex" and set(present) <= {"1", "2", "0", "9"}:
        shape = "digits (1/2: a numeric sex code), not M/F"
    elif reason == "invalid_sex" and set(present) <= {"H", "V", "M", "F", "W"}:
        shape = "letters of another language (H/V, W) beside M/F"
    elif reason == "invalid_nomenclature_code" and all(re.fullmatch(r"\d{7,}", v) for v in present):
        shape = "codes longer than 6 digits (a pseudo-code or a suffix appended?)"
    elif reason in ("unknown_commune", "unknown_sector"):
        return (f"codes the geography seeds do not know (e.g. {_examples(present)}): a REFNIS version "
                "newer or older than seeds/geo_communes.csv (the 2019 and 2025 mergers)?")
    if shape is None:
        return f"the values are e.g. {_examples(present)}"
    return f"the values look like {shape} (e.g. {_examples(present)})"


def _id_shape(ids: Sequence[str]) -> str:
    lengths = sorted({len(value) for value in ids})
    span = f"{lengths[0]}" if len(lengths) == 1 else f"{lengths[0]}-{lengths[-1]}"
    if all(value.isdigit() for value in ids):
        kind = "digits only" + (", some with leading zeros" if any(v.startswith("0") for v in ids) else "")
    elif all(value.isalnum() for value in ids):
        kind = "letters and digits"
    else:
        kind = "with punctuation"
    return f"{span} characters, {kind}"


def person_id_mismatch(connection: duckdb.DuckDBPyConnection, year: int | None) -> str:
    """Why claims do not find their person: compare the ids of the two files (shapes only)."""
    claim_ids = [value for (value,) in connection.execute(
        "select person_id from quarantined_claims where reason_code = 'person_not_in_population'"
        " and service_year is not distinct from ? and person_id is not null limit ?", [year, SAMPLE_ROWS]
    ).fetchall()]
    if not connection.execute(
        "select 1 from duckdb_tables() where table_name = 'int_beneficiary_rows_checked'").fetchall():
        # A Spark build loads the marts alone (docs/spark.md): the population's ids stayed in Spark.
        return ("compare the person_id of the two files: the population's ids are in the Spark build's "
                "int_beneficiary_rows_checked")
    person_ids = [value for (value,) in connection.execute(
        "select person_id from int_beneficiary_rows_checked where person_id is not null limit ?", [SAMPLE_ROWS]
    ).fetchall()]
    if not claim_ids or not person_ids:
        return "the population file for that year is empty or quarantined"
    for label, expression in (("leading zeros", "ltrim(person_id, '0')"), ("letter case", "lower(person_id)"),
                              ("spaces or dashes", "regexp_replace(person_id, '[\\s-]', '', 'g')")):
        (matches,) = connection.execute(
            f"select count(*) from (select distinct {expression} as id from quarantined_claims"
            f" where reason_code = 'person_not_in_population' and service_year is not distinct from ?) as c"
            f" where c.id in (select {expression} from int_beneficiary_rows_checked)", [year]
        ).fetchall()[0]
        if matches:
            return (f"person_id differs between the two files only by {label} ({matches:,} ids match once it "
                    f"is ignored): claims ids {_id_shape(claim_ids)}, population ids {_id_shape(person_ids)}")
    if _id_shape(claim_ids) != _id_shape(person_ids):
        return (f"person_id has another form in each file (claims: {_id_shape(claim_ids)}; population: "
                f"{_id_shape(person_ids)}): pseudonymised with different keys, or a number stored as text?")
    return "the ids look alike but do not meet: pseudonymised with different keys, or the files of different years?"


def files_of(connection: duckdb.DuckDBPyConnection, source: str, reason: str, year: int | None) -> str:
    table, year_column = _TABLES[source]
    rows = connection.execute(
        f"select regexp_extract(source_file, '[^/\\\\]+$'), count(*) from {table}"
        f" where reason_code = ? and {year_column} is not distinct from ? group by 1 order by 2 desc limit 4",
        [reason, year],
    ).fetchall()
    return ", ".join(f"{name} ({count:,})" for name, count in rows)


def likely_cause(connection: duckdb.DuckDBPyConnection, source: str, reason: str, year: int | None) -> str:
    """One clause on the likely cause of many rows of source (and year) quarantined for reason."""
    if reason in _FIXED_HINTS:
        return _FIXED_HINTS[reason]
    if reason == "person_not_in_population":
        return person_id_mismatch(connection, year)
    if reason in _COPY_REASONS:
        return f"rows delivered twice: the same file twice, or overlapping files? (in {files_of(connection, source, reason, year)})"
    columns = _TEXT_COLUMNS.get((source, reason))
    if columns is None:
        return f"see {_TABLES[source][0]} in the working database"
    table, year_column = _TABLES[source]
    values = [str(value) for column in columns for (value,) in connection.execute(
        f"select {column} from {table} where reason_code = ? and {year_column} is not distinct from ? limit ?",
        [reason, year, SAMPLE_ROWS],
    ).fetchall() if value is not None]
    return describe_values(reason, values)
