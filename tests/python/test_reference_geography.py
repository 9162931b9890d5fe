"""The reference's domicile (atlas.reference.geography) reads a former REFNIS code as the commune
that holds its territory, as int_beneficiary_years_located does (its unit test
located_domicile_31_december_else_30_june_else_national_only); and the seed of former codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas.reference.geography import locate_beneficiaries
from atlas.reference.project import load_seeds


def beneficiary(person_id: str, commune_dec31: str | None, commune_jun30: str | None) -> dict[str, object]:
    return {"person_id": person_id, "year": 2018, "birth_year": 1980, "sex": "F", "reason": np.nan,
            "commune_dec31": commune_dec31, "sector_dec31": np.nan, "commune_jun30": commune_jun30,
            "sector_jun30": np.nan}


def test_former_codes_count_in_the_commune_that_holds_them() -> None:
    beneficiaries = pd.DataFrame([
        beneficiary("knesselare", "44029", None),      # merged into Aalter (44084) on 2019-01-01
        beneficiary("mouscron", None, "54007"),         # renumbered 57096 on 2019-01-01
        beneficiary("borsbeek", "11007", "11002"),     # merged into Antwerp (11002) on 2025-01-01
        beneficiary("unknown", "99999", None),
    ])
    located = locate_beneficiaries(beneficiaries, load_seeds()).set_index("person_id")
    assert located.loc["knesselare", ["commune", "arrondissement"]].tolist() == ["44084", "44000"]
    assert pd.isna(located.loc["knesselare", "geography_issue"])
    assert located.loc["mouscron", ["commune", "arrondissement", "province"]].tolist() == ["57096", "57000", "50000"]
    assert located.loc["borsbeek", "commune"] == "11002"
    assert pd.isna(located.loc["unknown", "commune"]) and located.loc["unknown", "geography_issue"] == "unknown_commune"


def test_every_former_code_is_gone_and_its_successor_is_a_commune_of_2025() -> None:
    seeds = load_seeds()
    predecessors, communes = seeds.commune_predecessors, set(seeds.communes["commune_code"])
    assert predecessors["predecessor_code"].is_unique
    assert not set(predecessors["predecessor_code"]) & communes
    assert set(predecessors["commune_code"]) <= communes
    # 589 communes until 2018, 581 from 2019, 565 from 2025 (Statbel). A wave of n former codes into
    # m communes removes n - m communes, plus one per commune that kept its code (Antwerp, 11002, in
    # 2025: its own code is no former code).
    merged = predecessors[predecessors["change"] == "merged"]
    for changed_on, kept_codes, removed in (("2019-01-01", 0, 8), ("2025-01-01", 1, 16)):
        wave = merged[merged["changed_on"] == changed_on]
        assert len(wave) + kept_codes - wave["commune_code"].nunique() == removed, changed_on
