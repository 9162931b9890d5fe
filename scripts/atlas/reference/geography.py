"""Step 4, the geography (docs/method.md): where each used beneficiary-year counts (its unit
at every level, from its domicile) and in which age band; and every unit's names and parent."""

from __future__ import annotations

import pandas as pd

from atlas.reference.project import COUNTRY_CODE, Seeds

# No seed holds the country's own names; the published tables name it so.
COUNTRY_NAME_FR, COUNTRY_NAME_NL = "Belgique", "België"
# From the largest to the smallest unit; each level's parent is the one before it.
GEO_LEVELS = ("country", "region", "province", "arrondissement", "commune", "statistical_sector")


def locate_beneficiaries(beneficiaries: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    """One row per used beneficiary-year with its age band, sex and geography at every level.

    Domicile (pages: "domicile au 31 décembre ... Si le domicile est inconnu à ce moment-là, on
    utilise le domicile au 30 juin"; docs/row_rules.md: a commune the geography seed does not know counts
    as unknown, a former code as the commune of geo_commune_predecessors that holds its territory):
    the 31 December commune if the seed knows it, else the 30 June one if known,
    else none (the person counts in the country rows only). The sector is the one reported with
    the chosen domicile, kept only when the sector seed places it in that commune."""
    used = beneficiaries[beneficiaries["reason"].isna()].copy()
    # A former REFNIS code (merged or renumbered since) is read as the commune holding its territory.
    successor = dict(zip(seeds.commune_predecessors["predecessor_code"], seeds.commune_predecessors["commune_code"]))
    for column in ("commune_dec31", "commune_jun30"):
        used[column] = used[column].map(lambda code: successor.get(code, code))
    known = set(seeds.communes["commune_code"])
    use_dec31 = used["commune_dec31"].isin(known)
    use_jun30 = ~use_dec31 & used["commune_jun30"].isin(known)
    used["commune_code"] = used["commune_dec31"].where(use_dec31, used["commune_jun30"].where(use_jun30))
    reported_sector = used["sector_dec31"].where(use_dec31, used["sector_jun30"].where(use_jun30))
    sector_in_commune = pd.MultiIndex.from_arrays([reported_sector, used["commune_code"]]).isin(
        pd.MultiIndex.from_frame(seeds.sectors[["sector_code", "commune_code"]]))
    used["statistical_sector"] = reported_sector.where(sector_in_commune)
    # Used rows with a geography issue (docs/row_rules.md, rules unknown_commune, unknown_sector): the
    # commune the rule looks at first (31 December, else 30 June) is not in the seed; or a
    # sector was reported with the chosen domicile but is not one of its commune.
    looked_at = used["commune_dec31"].fillna(used["commune_jun30"])
    issue = pd.Series(None, index=used.index, dtype=object)
    issue[used["commune_code"].notna() & reported_sector.notna() & ~sector_in_commune] = "unknown_sector"
    issue[looked_at.notna() & ~looked_at.isin(known)] = "unknown_commune"  # the first reason that applies
    used["geography_issue"] = issue

    located = used.merge(seeds.communes[["commune_code", "arrondissement_code", "province_code", "region_code"]],
                         on="commune_code", how="left")
    located = located.rename(columns={"commune_code": "commune", "arrondissement_code": "arrondissement",
                                      "province_code": "province", "region_code": "region"})
    located["country"] = COUNTRY_CODE

    # Age on 31 December of the reference year (pages: "l'âge des bénéficiaires au 31 décembre").
    age = (located["year"] - located["birth_year"]).astype(int)
    bands = seeds.age_bands
    located["age_band"] = pd.cut(age, bins=[int(a) - 1 for a in bands["age_from"]] + [int(bands["age_to"].iloc[-1])],
                                 labels=list(bands["age_band"]), ordered=False).astype(object)
    # Sex (M or F, the row rules quarantine any other) makes the strata of the standardised figures.
    return located[["person_id", "year", "age_band", "sex", *GEO_LEVELS, "geography_issue"]].reset_index(drop=True)


def geo_units(seeds: Seeds) -> pd.DataFrame:
    """Every unit of every level: names and parent unit. Brussels has no province: its province
    rows carry the region code 04000 (docs/method.md)."""
    def units(level: str, table: pd.DataFrame, code: str, fr: str, nl: str, parent_level: str | None,
              parent_code: str | None) -> pd.DataFrame:
        return pd.DataFrame({
            "geo_level": level, "geo_code": table[code], "geo_name": table[fr], "geo_name_nl": table[nl],
            "parent_geo_level": parent_level, "parent_geo_code": table[parent_code] if parent_code else None,
        })
    country = pd.DataFrame({"geo_code": [COUNTRY_CODE], "fr": [COUNTRY_NAME_FR], "nl": [COUNTRY_NAME_NL]})
    return pd.concat([
        units("country", country, "geo_code", "fr", "nl", None, None),
        units("region", seeds.regions.assign(country=COUNTRY_CODE), "region_code", "region_name_fr",
              "region_name_nl", "country", "country"),
        units("province", seeds.provinces, "province_code", "province_name_fr", "province_name_nl",
              "region", "region_code"),
        units("arrondissement", seeds.arrondissements, "arrondissement_code", "arrondissement_name_fr",
              "arrondissement_name_nl", "province", "province_code"),
        units("commune", seeds.communes, "commune_code", "commune_name_fr", "commune_name_nl",
              "arrondissement", "arrondissement_code"),
        # Sectors have one name (the seed has no Dutch one): it serves both columns.
        units("statistical_sector", seeds.sectors, "sector_code", "sector_name", "sector_name",
              "commune", "commune_code"),
    ], ignore_index=True)
