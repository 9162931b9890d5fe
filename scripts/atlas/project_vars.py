"""The dbt vars of dbt_project.yml, for the Python that must apply the same thresholds and rules as
the models (the plausibility gate, the reference implementation): one definition, read here,
instead of a copy that could drift from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]  # no stubs in requirements.txt

from atlas.paths import PROJECT_DIR

PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"


def project_vars(*names: str, project_file: Path = PROJECT_FILE) -> dict[str, Any]:
    """{name: value} of the named vars; ValueError naming every one the file lacks (a default
    here would hide a var renamed in the project)."""
    with project_file.open(encoding="utf-8") as handle:
        variables = (yaml.safe_load(handle) or {}).get("vars") or {}
    missing = [name for name in names if name not in variables]
    if missing:
        raise ValueError(f"{project_file}: vars {', '.join(missing)} are missing")
    return {name: variables[name] for name in names}
