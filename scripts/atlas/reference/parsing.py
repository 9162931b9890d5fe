"""Raw values read as the row rules (docs/row_rules.md) read them: text trimmed (a blank is missing), codes
upper-cased or zero-padded, integers and dates parsed from typed columns or text, with why a
value is missing (absent, or not a value of its type: the rules quarantine the two apart)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
# A date, or a timestamp whose date part is taken; with a time zone, the date in Brussels.
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
ZONED_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
DAY_FIRST_DATE_TEXT = r"^\d{1,2}/\d{1,2}/\d{4}$"
BELGIAN_TIME_ZONE = "Europe/Brussels"


def on_distinct(values: pd.Series, function: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """function(values), computed once per distinct value (missing included) and spread back
    over the rows: a code column repeats a few hundred values over millions of lines, and
    Python string functions cost per call."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    result = function(pd.Series(distinct, dtype=values.dtype))
    return result.iloc[codes].set_axis(values.index)


def clean_text(values: pd.Series, upper: bool = False) -> pd.Series:
    """Text trimmed, a blank is missing (docs/row_rules.md: "text is trimmed (blank means missing)");
    upper-cased for sex, codes and ids ("mh_a" and "MH_A" are one practice)."""
    def clean(distinct: pd.Series) -> pd.Series:
        text = distinct.astype("str").str.strip()
        text = text.str.upper() if upper else text
        return text.mask(text == "")
    return on_distinct(values, clean)


def pad_code(text: pd.Series, width: int) -> pd.Series:
    """Mend a leading zero a spreadsheet dropped: an all-digit code shorter than its width is
    padded with zeros. Longer or non-digit codes are left as they are (never cut)."""
    def pad(distinct: pd.Series) -> pd.Series:
        short_digits = distinct.str.fullmatch(r"\d+", na=False) & (distinct.str.len() < width)
        return distinct.mask(short_digits, distinct.str.zfill(width))
    return on_distinct(text, pad)


def matches(text: pd.Series, pattern: str) -> pd.Series:
    """Whether each text matches the pattern entirely (missing text does not)."""
    return on_distinct(text, lambda distinct: distinct.str.fullmatch(pattern, na=False))


@dataclass(frozen=True)
class Parsed:
    """A parsed column: the values (missing where absent or invalid) and why they are missing."""

    values: pd.Series
    missing: pd.Series  # nothing there
    invalid: pd.Series  # something there that is not a value of the type


def parse_integer(raw: pd.Series) -> Parsed:
    """Integers from typed columns (Parquet) or text (CSV): "2016" is one, "2016.5" or "x" not."""
    if pd.api.types.is_numeric_dtype(raw.dtype):
        numbers = pd.to_numeric(raw, errors="coerce")
        missing = numbers.isna()
        invalid = ~missing & (numbers != np.floor(numbers))
        values = numbers.where(~invalid)
    else:
        text = clean_text(raw)
        missing = text.isna()
        integer = matches(text, INTEGER_TEXT.pattern)
        invalid = ~missing & ~integer
        values = pd.to_numeric(text.where(integer), errors="coerce")
    return Parsed(values.astype("Int64"), missing, invalid)


def brussels_day(distinct: pd.Series) -> pd.Series:
    """The calendar day in Belgium of date-times with a time zone (text)."""
    instants = pd.to_datetime(distinct, utc=True, errors="coerce", format="ISO8601")
    return instants.dt.tz_convert(BELGIAN_TIME_ZONE).dt.tz_localize(None).dt.floor("D")


def parse_date(raw: pd.Series, day_first: bool = False) -> Parsed:
    """Dates from typed columns (Parquet date or timestamp: the day is kept, in Belgium for a
    timestamp with a time zone), ISO text, or DD/MM/YYYY text when the extract is written so."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        values = raw.dt.tz_convert(BELGIAN_TIME_ZONE).dt.tz_localize(None).dt.floor("D")
        missing = values.isna()
        invalid = pd.Series(False, index=raw.index)
    elif pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = pd.to_datetime(raw).dt.floor("D")
        missing = values.isna()
        invalid = pd.Series(False, index=raw.index)
    else:
        # Python date objects (from an object column) are first written as ISO text.
        text = clean_text(raw.map(lambda v: v.isoformat() if hasattr(v, "isoformat") and not pd.isna(v) else v))
        missing = text.isna()
        looks_like_date = matches(text, DATE_TEXT)
        # errors="coerce": 2016-02-30 has the shape of a date but is none.
        values = on_distinct(text.where(looks_like_date), lambda distinct: pd.to_datetime(
            distinct.str.slice(0, 10), format="%Y-%m-%d", errors="coerce"))
        zoned = matches(text, ZONED_DATE_TEXT)
        if zoned.any():
            values = values.mask(zoned, on_distinct(text.where(zoned), brussels_day))
        if day_first:
            written_day_first = matches(text, DAY_FIRST_DATE_TEXT)
            values = values.mask(written_day_first, on_distinct(text.where(written_day_first), lambda distinct:
                                                                  pd.to_datetime(distinct, format="%d/%m/%Y",
                                                                                 errors="coerce")))
        invalid = ~missing & values.isna()
    return Parsed(values.astype("datetime64[s]"), missing, invalid)
