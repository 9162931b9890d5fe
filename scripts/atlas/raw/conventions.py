"""The conventions a raw extract is written in, detected before the build (docs/raw_data.md).

A convention used in a whole column (dates written DD/MM/YYYY, sex coded 1/2, a decimal comma)
would otherwise quarantine every row and publish zeros. The accepted ones, which a Belgian
provider really uses, are detected here and named to the build: ';' as the CSV separator,
Latin-1 or Windows-1252 text (read from UTF-8 copies where it uses the euro sign or the
other characters Latin-1 lacks: raw_transcoding.py), a UTF-8 byte-order mark, DD/MM/YYYY dates. Anything else in a whole column is an error naming the
file, the column, a sample value and the expected form.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from atlas.raw.transcoding import WINDOWS_1252, undefined_byte

ISO_DATE = "YYYY-MM-DD"
DMY_DATE = "DD/MM/YYYY"
BELGIAN_TIME_ZONE = "Europe/Brussels"

INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,9}")
ISO_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
                           r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?")
DMY_DATE_TEXT = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")
# The same form as macros/parse_date.sql's zoned_date_time_pattern.
ZONED_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
                        r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)")

# Text columns whose values have a form, checked on a sample: column -> (pattern, expected form).
VALUE_FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    "year": (INTEGER_TEXT, "a whole number such as 2020"),
    "birth_year": (INTEGER_TEXT, "a whole number such as 1980"),
    "quantity": (INTEGER_TEXT, "a whole number such as 1 or -1"),
    "sex": (re.compile(r"[MFmf]"), "M or F"),
    "nomenclature_code": (re.compile(r"[0-9]{1,6}"), "a nomenclature code of 6 digits such as 458990"),
    "commune_dec31": (re.compile(r"[0-9]{1,5}"), "a REFNIS code of 5 digits such as 21004"),
    "commune_jun30": (re.compile(r"[0-9]{1,5}"), "a REFNIS code of 5 digits such as 21004"),
    # A spreadsheet's decimal cell ('459.0') would match no qualification range of the seed.
    "provider_profession": (re.compile(r"[0-9]{1,2}"), "a profession code such as 1"),
    "provider_qualification": (re.compile(r"[0-9]{1,4}"), "a qualification code of 3 digits such as 459"),
}
DATE_COLUMNS = ("death_date", "service_date")
SAMPLE_ROWS = 1000
# Fewer non-blank values than this (a death date or two) tell no convention: the row rules judge them.
MIN_VALUES_JUDGED = 10
SEPARATORS = {",": "','", ";": "';'", "\t": "a tab", "|": "'|'"}
ACCEPTED_SEPARATORS = (",", ";")
CHUNK = 1 << 24


@dataclass(frozen=True)
class CsvDialect:
    """How one CSV file is written. encoding is None for pure ASCII, which reads alike in both."""

    delimiter: str
    encoding: str | None
    byte_order_mark: bool


def scan_utf8(path: Path) -> tuple[int | None, bool]:
    """(offset of the first byte that is not UTF-8, or None; whether any byte is not ASCII), in
    one pass over the file: a CSV of the whole country is gigabytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, ascii_only = 0, True
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            ascii_only = ascii_only and block.isascii()
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return offset + error.start, False
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, False
    return None, not ascii_only


def first_byte_in(path: Path, pattern: re.Pattern[bytes]) -> int | None:
    offset = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            found = pattern.search(block)
            if found:
                return offset + found.start()
            offset += len(block)
    return None


def place_of(path: Path, offset: int, delimiter: str) -> str:
    """'line N, column NAME' of a byte offset, for the message."""
    with path.open("rb") as handle:
        head = handle.read(offset + 1)
    lines = head.split(b"\n")
    header = lines[0].removeprefix(codecs.BOM_UTF8).decode("latin-1").strip().split(delimiter)
    field_index = lines[-1].count(delimiter.encode())
    column = header[field_index].strip().strip('"') if field_index < len(header) else f"field {field_index + 1}"
    return f"line {len(lines)}, column '{column}'"


def header_delimiter(header: str, required: list[str]) -> str:
    """The separator that splits the header into the most required column names."""
    def found(separator: str) -> int:
        names = {name.strip().strip('"').lower() for name in header.split(separator)}
        return sum(name in names for name in required)
    return max(SEPARATORS, key=lambda separator: (found(separator), separator == ","))


def detect_dialect(path: Path, required: list[str]) -> CsvDialect | str:
    """The file's separator, encoding and byte-order mark, or an error naming what cannot be read."""
    with path.open("rb") as handle:
        start = handle.read(1 << 16)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return f"{path}: UTF-16 text (Excel's 'Unicode text'): save it as CSV UTF-8, or CSV with ';'"
    bom = start.startswith(codecs.BOM_UTF8)
    header = start.split(b"\n")[0].removeprefix(codecs.BOM_UTF8).decode("latin-1")
    delimiter = header_delimiter(header, required)
    if delimiter not in ACCEPTED_SEPARATORS:
        return (f"{path}: fields separated by {SEPARATORS[delimiter]}; the build reads CSV separated by ',' "
                "or ';': save it as CSV")
    undecodable, non_ascii = scan_utf8(path)
    if undecodable is None:
        return CsvDialect(delimiter, "utf-8" if non_ascii else None, bom)
    if bom:
        where = place_of(path, undecodable, delimiter)
        return (f"{path}: starts with a UTF-8 byte-order mark but is not UTF-8 ({where}):"
                " save it again as CSV UTF-8")
    if first_byte_in(path, re.compile(rb"[\x80-\x9f]")) is None:
        return CsvDialect(delimiter, "latin-1", bom)
    undefined = undefined_byte(path)
    if undefined is not None:
        with path.open("rb") as handle:
            handle.seek(undefined)
            byte = handle.read(1)[0]
        return (f"{path}: neither UTF-8 nor Windows-1252 (byte {byte:#04x} at "
                f"{place_of(path, undefined, delimiter)}): save it as CSV UTF-8")
    return CsvDialect(delimiter, WINDOWS_1252, bom)


def extract_dialect(dialects: dict[Path, CsvDialect]) -> tuple[CsvDialect, list[str]]:
    """The one dialect every CSV file is read with (the build reads them together), and errors
    naming the files that disagree. A pure-ASCII file reads alike in any encoding."""
    errors = []
    for aspect in ("delimiter", "encoding"):
        seen: dict[str, Path] = {}
        for path, dialect in sorted(dialects.items()):
            value = getattr(dialect, aspect)
            # Latin-1 text is Windows-1252 text that uses none of 0x80-0x9F: one extract.
            value = "latin-1" if value == WINDOWS_1252 else value
            if value is not None and seen and value not in seen:
                other_value, other_path = next(iter(seen.items()))
                errors.append(f"{path}: {aspect.replace('delimiter', 'separator')} {value!r}, but "
                              f"{other_path.name} has {other_value!r}: "
                              "write every CSV file of the extract alike")
            if value is not None:
                seen.setdefault(value, path)
    delimiter = next((dialect.delimiter for dialect in dialects.values()), ",")
    encodings = {dialect.encoding for dialect in dialects.values() if dialect.encoding}
    encoding = WINDOWS_1252 if WINDOWS_1252 in encodings else next(iter(sorted(encodings)), "utf-8")
    return CsvDialect(delimiter, encoding, any(dialect.byte_order_mark for dialect in dialects.values())), errors


def date_form(value: str) -> str | None:
    """ISO_DATE or DMY_DATE when the text is a real date written so (31/02 is none), else None."""
    for pattern, form, layout in ((ISO_DATE_TEXT, ISO_DATE, "%Y-%m-%d"), (DMY_DATE_TEXT, DMY_DATE, "%d/%m/%Y")):
        if pattern.fullmatch(value):
            try:
                datetime.strptime(value[:10] if form == ISO_DATE else value, layout)
            except ValueError:
                return None
            return form
    return None


@dataclass
class ColumnForms:
    """What a sample of a file's text values showed: errors, notices, and the date form found."""

    errors: list[str]
    notices: list[str]
    day_first: bool = False


def check_values(path: Path, samples: dict[str, list[str]]) -> ColumnForms:
    """Check the sampled text of each typed column: most non-blank values must have the expected
    form, else the column is written in a convention the build does not read."""
    forms = ColumnForms(errors=[], notices=[])
    for column, values in samples.items():
        values = [value.strip() for value in values if value is not None and value.strip()]
        if len(values) < MIN_VALUES_JUDGED:
            continue
        if column in DATE_COLUMNS:
            forms_found = [date_form(value) for value in values]
            iso = [value for value, form in zip(values, forms_found) if form == ISO_DATE]
            dmy = [value for value, form in zip(values, forms_found) if form == DMY_DATE]
            matching = len(iso) + len(dmy)
            expected = f"a date written {ISO_DATE} or {DMY_DATE}"
            if len(dmy) > len(iso):
                forms.day_first = True
                forms.notices.append(f"{path}: column '{column}' has dates written {DMY_DATE} (e.g. '{dmy[0]}')")
            zoned = [value for value in iso if ZONED_TEXT.fullmatch(value)]
            if zoned:
                forms.notices.append(f"{path}: column '{column}' has date-times with a time zone (e.g. '{zoned[0]}'):"
                                     f" each becomes its calendar date in {BELGIAN_TIME_ZONE}")
        else:
            pattern, expected = VALUE_FORMS[column]
            matching = sum(bool(pattern.fullmatch(value)) for value in values)
        if matching * 2 <= len(values):
            sample = next(value for value in values if not (
                date_form(value) if column in DATE_COLUMNS else VALUE_FORMS[column][0].fullmatch(value)))
            forms.errors.append(
                f"{path}: column '{column}': {len(values) - matching} of the first {len(values)} values are not "
                f"{expected} (e.g. '{sample}'); every such row would be quarantined: deliver {expected}")
    return forms
