"""What the structural check of a raw extract found, and the dbt vars it hands the build so that
the build reads the extract as the check detected it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from atlas.raw.contract import raw_contract
from atlas.raw.conventions import DMY_DATE, ISO_DATE, CsvDialect
from atlas.raw.files import SOURCES


@dataclass
class CheckResult:
    """What the check found: errors stop the run; notices and what was detected are printed."""

    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    detected: list[str] = field(default_factory=list)
    file_format: str = "parquet"
    dialect: CsvDialect = CsvDialect(",", "utf-8", False)
    day_first: bool = False
    # source -> file -> rows delivered, as counted here
    file_rows: dict[str, dict[str, int]] = field(default_factory=lambda: {source: {} for source in SOURCES})
    # Where the build reads the extract when it is not the raw directory itself: UTF-8 copies
    # of a Windows-1252 extract (raw_transcoding.py), delivered path -> copy.
    read_dir: Path | None = None
    raw_dir: Path | None = None
    copies: dict[Path, Path] = field(default_factory=dict)
    # file -> the years its rows fall in (service years for claims), for the yearly update
    file_years: dict[str, list[int]] = field(default_factory=dict)
    # source -> year -> rows, for building a long history in steps
    year_rows: dict[str, dict[int, int]] = field(default_factory=lambda: {source: {} for source in SOURCES})
    # source -> column -> the types the column has across the source's Parquet files
    column_types: dict[str, dict[str, set[str]]] = field(default_factory=lambda: {source: {} for source in SOURCES})

    def typed_columns(self) -> dict[str, list[str]]:
        """Per source, the columns every file already delivers in the contract's own type (DATE,
        INTEGER): the build takes them as they are instead of parsing their text, which at full
        scale is most of the cost of reading the claims."""
        if self.file_format != "parquet":
            return {source: [] for source in SOURCES}
        contract_type = {"date": "DATE", "integer": "INTEGER"}
        return {source: sorted(name for name, kind in raw_contract()[source].items()
                               if kind in contract_type
                               and self.column_types[source].get(name) == {contract_type[kind]})
                for source in SOURCES}

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def read_dialect(self) -> CsvDialect:
        """The dialect of the files the build reads: UTF-8 where they are copies."""
        if self.read_dir is None:
            return self.dialect
        return CsvDialect(self.dialect.delimiter, "utf-8", False)

    def read_path(self, path: Path) -> Path:
        return self.copies.get(path, path)

    def convention_vars(self) -> dict[str, str]:
        """The dbt vars that make the build read the extract as detected (from the copies, naming
        the delivered files, where there are copies)."""
        copies = ({"raw_read_dir": str(self.read_dir), "raw_delivered_dir": str(self.raw_dir)}
                  if self.read_dir is not None else {})
        return {"csv_delimiter": self.read_dialect.delimiter, "csv_encoding": self.read_dialect.encoding or "utf-8",
                "raw_date_format": DMY_DATE if self.day_first else ISO_DATE, **copies}

    def dbt_vars(self) -> dict[str, object]:
        """convention_vars and the rows delivered per file, which the reconciliation compares
        with the rows the build read."""
        delivered = [{"source_name": source, "source_file": path, "rows": rows}
                     for source, files in self.file_rows.items() for path, rows in sorted(files.items())]
        return {**self.convention_vars(), "raw_file_rows": delivered, "raw_typed_columns": self.typed_columns()}
