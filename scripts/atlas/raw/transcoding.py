"""UTF-8 copies of a CSV extract delivered in Windows-1252 (docs/raw_data.md).

Windows-1252 is what Excel on a Belgian desktop writes ("CSV (separated by ;)"). DuckDB reads
UTF-8 and Latin-1 but not Windows-1252, whose characters 0x80-0x9F (the euro sign, typographic
quotes) Latin-1 lacks. So an extract that uses them is read from UTF-8 copies, written beside the
working database under the same file names; the build maps their names back to the delivered
files (macros/delivered_file_name.sql), so quarantine and reconciliation name what was
delivered. Latin-1 text decodes alike as Windows-1252 wherever it has none of those bytes,
which is why the whole extract is copied, not the files that use them alone.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path
from typing import Iterable

WINDOWS_1252 = "windows-1252"
CHUNK = 1 << 24


def undefined_byte(path: Path) -> int | None:
    """Offset of the first byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), or None."""
    offset = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            found = [block.find(byte) for byte in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")]
            hits = [position for position in found if position >= 0]
            if hits:
                return offset + min(hits)
            offset += len(block)
    return None


def write_utf8_copies(paths: Iterable[Path], work_dir: Path) -> dict[Path, Path]:
    """Each file decoded as Windows-1252 and written as UTF-8 into work_dir, under its own name.
    Returns delivered path -> copy. work_dir is emptied first: it holds one extract at a time."""
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    copies = {}
    for path in paths:
        copy = work_dir / path.name
        # A single-byte code: any chunk boundary is a character boundary.
        decoder = codecs.getincrementaldecoder(WINDOWS_1252)()
        with path.open("rb") as source, copy.open("w", encoding="utf-8", newline="") as target:
            for block in iter(lambda: source.read(CHUNK), b""):
                target.write(decoder.decode(block))
            target.write(decoder.decode(b"", final=True))
        copies[path] = copy
    return copies
