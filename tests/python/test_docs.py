"""The README's documentation command (scripts/docs.sh: `dbt docs generate --static`): it succeeds on a
built database, and the manifest traces every indicator back to both raw sources and declares the
report's exposure on every indicator table, `indicators` and `indicator_values`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_DIR, registry_codes

SOURCES = {"source.atlas.ima.beneficiaries", "source.atlas.ima.claims"}
EXPOSURE = "exposure.atlas.indicator_report"


@pytest.fixture(scope="module")
def docs(synthetic_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The target directory written by scripts/docs.sh against the synthetic build."""
    raw_dir, shared_database = synthetic_build
    root = tmp_path_factory.mktemp("docs")
    # dbt opens its database for writing, which DuckDB refuses while another worker reads the
    # shared build: the docs are generated on a copy.
    database = root / "atlas.duckdb"
    shutil.copyfile(shared_database, database)
    target = root / "target"
    env = {**os.environ, "DBT_LOG_PATH": str(root / "logs")}
    started = time.monotonic()
    result = subprocess.run(["bash", str(PROJECT_DIR / "scripts" / "docs.sh"), "--database", str(database),
                             "--raw-dir", str(raw_dir), "--target-path", str(target)],
                            cwd=root, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    print(f"scripts/docs.sh took {time.monotonic() - started:.1f}s")
    assert f"open {target}/static_index.html" in result.stdout
    return target


def load(target: Path, name: str) -> Any:
    return json.loads((target / name).read_text(encoding="utf-8"))


def ancestors(parent_map: dict[str, list[str]], node: str) -> set[str]:
    """Every node reachable from node through the map (parents, or children given child_map)."""
    seen: set[str] = set()
    stack = [node]
    while stack:
        for parent in parent_map.get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def test_help() -> None:
    result = subprocess.run(["bash", str(PROJECT_DIR / "scripts" / "docs.sh"), "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "--database" in result.stdout and "static_index.html" in result.stdout


def test_static_site_is_written(docs: Path) -> None:
    for name in ("static_index.html", "index.html", "manifest.json", "catalog.json"):
        assert (docs / name).is_file(), name
    static = (docs / "static_index.html").read_text(encoding="utf-8")
    assert "model.atlas.cube_013_001" in static and EXPOSURE in static  # manifest embedded in the one file
    catalog = load(docs, "catalog.json")
    assert "model.atlas.stat_003_007" in catalog["nodes"]  # the catalog was read from the built database


def test_every_indicator_reaches_both_sources(docs: Path) -> None:
    manifest = load(docs, "manifest.json")
    assert set(manifest["sources"]) == SOURCES
    indicators = sorted(key for key, node in manifest["nodes"].items()
                        if node["resource_type"] == "model" and "indicator" in node["tags"])
    assert len(indicators) == len(registry_codes())
    for node in indicators:
        lineage = ancestors(manifest["parent_map"], node)
        assert SOURCES <= lineage, (node, sorted(lineage))
    # And downwards: each source feeds every indicator (the same walk on child_map).
    for source in SOURCES:
        assert set(indicators) <= ancestors(manifest["child_map"], source), source


def test_report_exposure_depends_on_every_indicator(docs: Path) -> None:
    manifest = load(docs, "manifest.json")
    exposure = manifest["exposures"][EXPOSURE]
    indicators = {key for key, node in manifest["nodes"].items()
                  if node["resource_type"] == "model" and "indicator" in node["tags"]}
    expected = indicators | {"model.atlas.indicators", "model.atlas.indicator_values"}
    assert set(exposure["depends_on"]["nodes"]) == expected
    assert exposure["type"] in ("dashboard", "analysis") and exposure["owner"]["name"]
    for node in expected:
        assert EXPOSURE in manifest["child_map"][node], node
    assert SOURCES <= ancestors(manifest["parent_map"], EXPOSURE)
