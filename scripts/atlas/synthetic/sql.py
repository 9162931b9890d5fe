"""SQL text for the model's parameters: the generator writes them into its queries as literals."""

from __future__ import annotations

from typing import Sequence


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def values_sql(rows: Sequence[tuple[object, ...]]) -> str:
    """A VALUES list from model parameters (numbers and fixed names only, never data rows)."""
    def literal(value: object) -> str:
        return sql_string(value) if isinstance(value, str) else repr(value)
    return "values " + ", ".join("(" + ", ".join(literal(value) for value in row) + ")" for row in rows)


def region_case(column: str, values: dict[str, float], default: float) -> str:
    """A SQL case expression mapping a region code column to a model parameter."""
    branches = " ".join(f"when {sql_string(code)} then {value!r}" for code, value in values.items())
    return f"(case {column} {branches} else {default!r} end)"
