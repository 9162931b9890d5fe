"""SQL text built from names and values: quoting, and the order-free checksum of a relation."""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def checksum_sql(relation: str) -> str:
    """SQL giving the checksum of a relation's rows, independent of their order."""
    return (f"select coalesce(cast(bit_xor(md5_number(cast(r as varchar))) as varchar), '0') "
            f"from {relation} as r")
