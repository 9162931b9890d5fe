"""dbt's saved parse (`<target>/partial_parse.msgpack`) forgotten when a macro changed.

dbt parses a model again when its own file changes or a macro it calls by name does, but not when
a macro it reaches through `adapter.dispatch()` does (dbt-core's known limits of partial parsing).
The per-year models take their materialization and pre-hook from such a macro (`per_year_model`):
after an upgrade of the project, dbt would go on building them as the old macros configured them.
So the run command keeps a digest of `macros/` beside the saved parse and deletes the parse when
the digest changes; dbt then parses everything once (about 5 s) and saves a new one.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from atlas.paths import PROJECT_DIR, named_file_bytes

SAVED_PARSE = "partial_parse.msgpack"
MACROS_DIGEST = "atlas_macros.sha256"


def target_dir(env: dict[str, str]) -> Path:
    """Where dbt keeps its parse: $DBT_TARGET_PATH (relative to the project) or target/."""
    return PROJECT_DIR / env.get("DBT_TARGET_PATH", "target")


def macros_digest(macros_dir: Path = PROJECT_DIR / "macros") -> str:
    digest = hashlib.sha256()
    for chunk in named_file_bytes(macros_dir, relative_to=macros_dir):
        digest.update(chunk)
    return digest.hexdigest()


def forget_if_macros_changed(target: Path, macros_dir: Path = PROJECT_DIR / "macros") -> bool:
    """Delete target's saved parse unless it was made with the macros as they are; True if deleted."""
    current = macros_digest(macros_dir)
    digest_file = target / MACROS_DIGEST
    if digest_file.is_file() and digest_file.read_text(encoding="utf-8") == current:
        return False
    saved_parse = target / SAVED_PARSE
    forgotten = saved_parse.is_file()
    saved_parse.unlink(missing_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    # Written under another name and moved into place: runs on other outputs share target/.
    written = digest_file.with_name(f"{MACROS_DIGEST}.{os.getpid()}")
    written.write_text(current, encoding="utf-8")
    written.replace(digest_file)
    return forgotten
