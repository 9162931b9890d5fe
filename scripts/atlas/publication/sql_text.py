"""SQL text built from names and values: quoting, and the order-free checksum of a relation."""

from typing import Mapping


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The checksum of the rows of a relation aliased r, independent of their order.
_CHECKSUM = "coalesce(cast(bit_xor(md5_number(cast(r as varchar))) as varchar), '0')"


def checksum_sql(relation: str) -> str:
    """SQL giving the checksum of a relation's rows, independent of their order."""
    return f"select {_CHECKSUM} from {relation} as r"


def counts_and_checksums_sql(relations: Mapping[str, str]) -> str:
    """SQL giving (name, row count, checksum) of every relation, in one query: one statement per
    table costs more than the tables themselves at the scale of a published file."""
    return " union all ".join(
        f"select {quote_literal(name)} as table_name, count(*) as row_count, {_CHECKSUM} as checksum"
        f" from {relation} as r" for name, relation in relations.items())
