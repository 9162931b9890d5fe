"""The reference's small-cell suppression (scripts/reference_suppression.py) on hand-made cell
tables, one rule of docs/protection.md ("Rows", "What the flags reveal", "The rules") per test,
threshold 5: a strong population cell has 5 or more beneficiaries and 3 or more above what the
rows below it prove, a strong variable cell 5 or more individuals and 3 or more
beneficiaries besides them. Then the vectorised code against a
plain-loop restatement of the same rules on random cell tables. No dbt: the whole module runs
in a few seconds.

A cell table here is what reference_indicators.indicator_cells gives: indicator_code, year, unit,
parent unit, age band, individuals, numerator, denominator. Units without their parent unit in
the table head their groups (a group needs its parent).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest

from atlas.reference.suppression import suppress

T = 5
YEAR = 2016
ARRONDISSEMENT = ("arrondissement", "11000")
REGISTRY = pd.DataFrame(
    [(f"{kind}_{variable}_{measure}", variable, measure)
     for kind in ("cube", "stat") for variable in ("ALL", "C1", "C2", "C3", "C4", "P1", "P2", "P3", "V", "W")
     for measure in ("patients", "volume")],
    columns=["indicator_code", "source_variable", "measure"])
RELATIONS = pd.DataFrame(
    [("imaging_categories", "ALL", "C1"), ("imaging_categories", "ALL", "C2"), ("imaging_categories", "ALL", "C3"),
     ("imaging_categories", "ALL", "C4"), ("imaging_categories", "ALL", "CBCT"),
     ("provider_groups", "ALL", "P1"), ("provider_groups", "ALL", "P2"), ("provider_groups", "ALL", "P3")],
    columns=["relation", "parent_variable", "child_variable"])

Row = dict[str, Any]


def cells_of(code: str, level: str, geo: str, parent: tuple[str, str] | None, individuals: int, beneficiaries: int,
             band: str = "total", volume: int | None = None, year: int = YEAR) -> Row:
    """One indicator cell; the numerator of a volume code is `volume` (by default twice the
    individuals)."""
    numerator = individuals if code.endswith("patients") else (2 * individuals if volume is None else volume)
    return {"indicator_code": code, "year": year, "geo_level": level, "geo_code": geo,
            "parent_geo_level": parent[0] if parent else None, "parent_geo_code": parent[1] if parent else None,
            "age_band": band, "individuals": individuals, "numerator": numerator, "denominator": beneficiaries}


def flags_of(cells: pd.DataFrame, threshold: int = T) -> list[str | None]:
    """suppression_flag of each cell, None where published."""
    result = suppress(cells, REGISTRY, RELATIONS, threshold, progress=lambda message: None)
    return [None if pd.isna(flag) else str(flag) for flag in result["suppression_flag"]]


def run(rows: list[Row], threshold: int = T) -> dict[tuple[str, str, str], str | None]:
    """suppression_flag per (indicator code, geo code, band)."""
    return {(row["indicator_code"], row["geo_code"], row["age_band"]): flag
            for row, flag in zip(rows, flags_of(pd.DataFrame(rows), threshold))}


def arrondissement(code: str, parent_individuals: int, parent_beneficiaries: int,
                   children: dict[str, tuple[int, int]]) -> list[Row]:
    """Arrondissement 11000 and its communes: {commune: (individuals, beneficiaries)}."""
    return [cells_of(code, *ARRONDISSEMENT, None, parent_individuals, parent_beneficiaries)] + [
        cells_of(code, "commune", commune, ARRONDISSEMENT, individuals, beneficiaries)
        for commune, (individuals, beneficiaries) in children.items()]


# ---------------------------------------------------------------------------------------------
# The rules, one by one
# ---------------------------------------------------------------------------------------------

def test_rule_b_small_member_gets_two_strong_partners_in_every_table() -> None:
    """Population pattern: commune 11001 has 3 beneficiaries (primary). The arrondissement's
    group has a withheld member needing partners and no strong one (b): the published strong
    child with the smallest measure (11002, 8) is withheld; still fewer than two strong: 11003
    (9) too.
    The population cell is shared: both indicators, of two variables, withhold the same cells.
    11001 is small and its parent published: small_cell."""
    children = {"11001": (0, 3), "11002": (0, 8), "11003": (0, 9), "11004": (0, 10)}
    rows = arrondissement("cube_V_patients", 0, 30, children) + arrondissement("cube_W_patients", 0, 30, children)
    flags = run(rows)
    for code in ("cube_V_patients", "cube_W_patients"):
        assert flags[(code, "11001", "total")] == "small_cell"
        assert flags[(code, "11002", "total")] == "secondary"
        assert flags[(code, "11003", "total")] == "secondary"
        assert flags[(code, "11004", "total")] is None
        assert flags[(code, "11000", "total")] is None


def test_rule_a_small_remainder_needs_no_partner() -> None:
    """The country's 20 beneficiaries are its regions' 8 + 9 and 3 without a known domicile.
    Nothing is withheld but the remainder is small (a): the region with the smallest measure
    (02000) is withheld. It was withheld for (a) only: it needs no partners, so (b) does not
    expose the group and 03000 stays published. In V's pattern 02000 starts withheld (5
    individuals of 8: strong, not small), needing no partners either. The country stays
    published."""
    country = ("country", "BE")
    rows = [cells_of("stat_V_patients", *country, None, 10, 20),
            cells_of("stat_V_patients", "region", "02000", country, 5, 8),
            cells_of("stat_V_patients", "region", "03000", country, 5, 9)]
    flags = run(rows)
    assert flags[("stat_V_patients", "02000", "total")] == "secondary"
    assert flags[("stat_V_patients", "03000", "total")] is None
    assert flags[("stat_V_patients", "BE", "total")] is None


def test_variable_cell_starts_withheld_and_patients_bounded_by_beneficiaries() -> None:
    """Population: 11001 (3 beneficiaries) is small, so 11004 (10) and 11002 (12) are withheld
    (b). In V's pattern they start withheld: 11001 (0 individuals), 11002 (8 of 12: strong) and
    11004 (9 of 10: not strong, it cannot move up by 3), none of them small: none needs
    partners there, so V's group is not exposed and 11003 (10 of 15) stays published. W (no
    individual anywhere) is not exposed either."""
    v = {"11001": (0, 3), "11002": (8, 12), "11003": (10, 15), "11004": (9, 10)}
    w = {commune: (0, beneficiaries) for commune, (_, beneficiaries) in v.items()}
    rows = (arrondissement("cube_V_patients", 27, 40, v) + arrondissement("cube_V_volume", 27, 40, v)
            + arrondissement("cube_W_patients", 0, 40, w))
    flags = run(rows)
    for code in ("cube_V_patients", "cube_V_volume", "cube_W_patients"):
        assert flags[(code, "11001", "total")] == "small_cell"
        assert flags[(code, "11002", "total")] == "secondary"
        assert flags[(code, "11004", "total")] == "secondary"
        assert flags[(code, "11000", "total")] is None
    for code in ("cube_V_patients", "cube_V_volume", "cube_W_patients"):
        assert flags[(code, "11003", "total")] is None


def test_flag_small_cell_on_small_individuals() -> None:
    """A cell with small individuals, its beneficiaries strong and its parent published, is
    flagged small_cell, in its patients and volume tables; its two strong partners secondary."""
    children = {"11001": (2, 20), "11002": (8, 20), "11003": (9, 20)}
    flags = run(arrondissement("cube_V_patients", 19, 60, children) + arrondissement("cube_V_volume", 19, 60, children))
    for code in ("cube_V_patients", "cube_V_volume"):
        assert flags[(code, "11001", "total")] == "small_cell"
        assert flags[(code, "11002", "total")] == "secondary"
        assert flags[(code, "11003", "total")] == "secondary"
        assert flags[(code, "11000", "total")] is None


def test_flag_secondary_inside_a_withheld_parent() -> None:
    """11001 (2) is small; 11002 (18 of 20) is not strong, so the parent (20 of 40) is withheld;
    then one strong member withheld and no candidate left: nothing more. 11001 lies inside a
    withheld cell: 'secondary', though small."""
    flags = run(arrondissement("cube_V_patients", 20, 40, {"11001": (2, 20), "11002": (18, 20)}))
    assert flags[("cube_V_patients", "11001", "total")] == "secondary"
    assert flags[("cube_V_patients", "11000", "total")] == "secondary"
    assert flags[("cube_V_patients", "11002", "total")] is None


def test_no_group_without_its_parent() -> None:
    """Communes whose arrondissement is not in the pattern form no group: a small commune
    is withheld alone."""
    rows = [cells_of("cube_V_patients", "commune", "11001", ARRONDISSEMENT, 2, 20),
            cells_of("cube_V_patients", "commune", "11002", ARRONDISSEMENT, 9, 20)]
    flags = run(rows)
    assert flags[("cube_V_patients", "11001", "total")] == "small_cell"
    assert flags[("cube_V_patients", "11002", "total")] is None


def test_threshold_one_withholds_nothing() -> None:
    rows = arrondissement("cube_V_patients", 3, 4, {"11001": (1, 1), "11002": (2, 3)})
    assert set(run(rows, threshold=1).values()) == {None}


# ---------------------------------------------------------------------------------------------
# Rows bounding a cell, partners needing partners, the flag per pattern
# ---------------------------------------------------------------------------------------------

def sectors(commune: str, beneficiaries: dict[str, int], code: str = "stat_V_patients") -> list[Row]:
    """Statistical sectors of a commune, no individual: {sector: beneficiaries}."""
    return [cells_of(code, "statistical_sector", sector, ("commune", commune), 0, count)
            for sector, count in beneficiaries.items()]


def test_population_strength_bounded_by_the_rows_a_cell_heads() -> None:
    """Population: 11001 (3) and the four sectors of 11002 (1, 1, 2, 2) are small. 11002 has
    6 beneficiaries over 4 rows: only 2 above them, so it is not strong (it cannot move down
    by 3). Round 1: the arrondissement's group (b) skips 11002 and withholds 11003 (8); the
    sector group (b), with no strong child, withholds its parent 11002 (needing partners).
    Round 2: the arrondissement's group has one strong member withheld (11003; 11002 is not
    strong): 11004 (12) too. Had 11002 been strong, 11002 and 11003 would have sufficed."""
    rows = arrondissement("stat_V_patients", 0, 29, {"11001": (0, 3), "11002": (0, 6), "11003": (0, 8),
                                                     "11004": (0, 12)})
    rows += sectors("11002", {"S1": 1, "S2": 1, "S3": 2, "S4": 2})
    flags = {geo: flag for (_, geo, _), flag in run(rows).items()}
    assert flags == {"11000": None, "11001": "small_cell", "11002": "secondary", "11003": "secondary",
                     "11004": "secondary", "S1": "secondary", "S2": "secondary", "S3": "secondary",
                     "S4": "secondary"}


def test_flag_small_population_cell_over_rows() -> None:
    """Population: 11001 (3 beneficiaries) over two sectors (1 and 2) is at least 2 to an
    outsider: more than "1 to 4", so 'secondary', though its parent is published (its
    partners: 11002 and 11003). Over one sector (3), it flags 'small_cell'. The sectors lie
    inside withheld 11001: 'secondary'. In a variable pattern rows bound nothing: 11001 with 3
    individuals (20 beneficiaries) over two sectors flags 'small_cell'."""
    communes = {"11001": (0, 3), "11002": (0, 10), "11003": (0, 12)}
    two = run(arrondissement("stat_V_patients", 0, 25, communes) + sectors("11001", {"S1": 1, "S2": 2}))
    assert two[("stat_V_patients", "11001", "total")] == "secondary"
    assert two[("stat_V_patients", "S1", "total")] == "secondary"
    assert two[("stat_V_patients", "S2", "total")] == "secondary"
    assert two[("stat_V_patients", "11002", "total")] == "secondary"
    assert two[("stat_V_patients", "11003", "total")] == "secondary"
    one = run(arrondissement("stat_V_patients", 0, 25, communes) + sectors("11001", {"S1": 3}))
    assert one[("stat_V_patients", "11001", "total")] == "small_cell"
    assert one[("stat_V_patients", "S1", "total")] == "secondary"
    variable = run(arrondissement("stat_V_patients", 20, 60, {"11001": (3, 20), "11002": (8, 20), "11003": (9, 20)})
                   + sectors("11001", {"S1": 10, "S2": 10}))
    assert variable[("stat_V_patients", "11001", "total")] == "small_cell"
    assert variable[("stat_V_patients", "11002", "total")] == "secondary"
    assert variable[("stat_V_patients", "11003", "total")] == "secondary"
    assert variable[("stat_V_patients", "S1", "total")] is None


def test_flag_small_population_cell_over_a_chain_of_single_rows() -> None:
    """Population: arrondissement 11000 (3 beneficiaries) heads one row, commune 11001 (3), which
    heads two sectors (1 and 2). The one row holds at least 2, so 11000 does too: more than
    "1 to 4", so 'secondary', though nothing above it is withheld. With one sector below 11001,
    the chain proves 1 and 11000 flags 'small_cell'."""
    chain = run(arrondissement("stat_V_patients", 0, 3, {"11001": (0, 3)}) + sectors("11001", {"S1": 1, "S2": 2}))
    assert set(chain.values()) == {"secondary"}
    single = run(arrondissement("stat_V_patients", 0, 3, {"11001": (0, 3)}) + sectors("11001", {"S1": 3}))
    assert single[("stat_V_patients", "11000", "total")] == "small_cell"
    assert single[("stat_V_patients", "11001", "total")] == "secondary"


def test_flag_small_in_both_patterns_needs_both() -> None:
    """11001 has 3 beneficiaries and 2 individuals: small in both patterns. Population: its
    partners 11002 and 11003 (20 each) are withheld, the arrondissement published. V's pattern:
    11001 needs partners, 11002 (18 of 20) and 11003 (0) are not strong, so the arrondissement
    (20 of 43) is withheld. The population pattern may flag 11001, V's may not (its parent is
    withheld): 'secondary'."""
    flags = run(arrondissement("cube_V_patients", 20, 43, {"11001": (2, 3), "11002": (18, 20), "11003": (0, 20)}))
    assert set(flags.values()) == {"secondary"}


def test_strong_cell_becomes_a_partner_and_needs_partners() -> None:
    """Population: the country's 78 beneficiaries are its regions' 25 + 20 + 30 and 3 without
    a known domicile (a): 03000 (20) is withheld, needing no partners. V's pattern: 03000
    (10 of 20) starts withheld; 02000 (2) is small and needs partners. Round 1: the country's
    group (b), one strong member withheld, withholds 04000 (12); 03000, strong and withheld in
    a group where 02000 needs partners, is now their partner and needs partners. Round 2:
    03000's age group (b) withholds band 0-9 (5 of 8; 10-19 has 5 of 12, more beneficiaries).
    Without 03000 becoming a partner its bands would stay published."""
    country = ("country", "BE")
    rows = [cells_of("cube_V_patients", *country, None, 24, 78),
            cells_of("cube_V_patients", "region", "02000", country, 2, 25),
            cells_of("cube_V_patients", "region", "03000", country, 10, 20),
            cells_of("cube_V_patients", "region", "04000", country, 12, 30),
            cells_of("cube_V_patients", "region", "03000", country, 5, 8, "0-9"),
            cells_of("cube_V_patients", "region", "03000", country, 5, 12, "10-19")]
    flags = run(rows)
    assert flags == {("cube_V_patients", "BE", "total"): None,
                     ("cube_V_patients", "02000", "total"): "small_cell",
                     ("cube_V_patients", "03000", "total"): "secondary",
                     ("cube_V_patients", "04000", "total"): "secondary",
                     ("cube_V_patients", "03000", "0-9"): "secondary",
                     ("cube_V_patients", "03000", "10-19"): None}


# ---------------------------------------------------------------------------------------------
# One variable cell in every table that counts the variable
# ---------------------------------------------------------------------------------------------

def test_cube_and_stat_share_the_variable_cell() -> None:
    """Commune 11001 (8 individuals, 100 beneficiaries) has sectors S1 (3 individuals) and S2
    (0), and 5 individuals without a known sector, in stat_ only. S1 is small; its group (b)
    has no strong child published, so the commune itself is withheld: in stat_ and in cube_
    (its 'total' is the same variable cell). There, the commune's age group has one strong
    member withheld (b): band 10-19 (8 of 60) is withheld too, in cube_ only. The sector group
    stays exposed with no candidate. S1 lies inside its withheld commune: 'secondary'."""
    commune = ("commune", "11001")
    rows = [cells_of(code, *commune, ARRONDISSEMENT, 8, 100) for code in ("stat_V_patients", "stat_V_volume")]
    rows += [cells_of(code, "statistical_sector", sector, commune, individuals, 30)
             for code in ("stat_V_patients", "stat_V_volume") for sector, individuals in (("S1", 3), ("S2", 0))]
    rows += [cells_of("cube_V_patients", *commune, ARRONDISSEMENT, individuals, beneficiaries, band)
             for band, individuals, beneficiaries in (("total", 8, 100), ("0-9", 0, 40), ("10-19", 8, 60))]
    flags = run(rows)
    assert flags[("stat_V_patients", "S1", "total")] == "secondary"
    assert flags[("stat_V_volume", "S1", "total")] == "secondary"
    assert flags[("stat_V_patients", "S2", "total")] is None
    for code in ("stat_V_patients", "stat_V_volume", "cube_V_patients"):
        assert flags[(code, "11001", "total")] == "secondary"
    assert flags[("cube_V_patients", "11001", "10-19")] == "secondary"
    assert flags[("cube_V_patients", "11001", "0-9")] is None


# ---------------------------------------------------------------------------------------------
# Variable relations: imaging categories and provider groups (remainder in volume)
# ---------------------------------------------------------------------------------------------

def national(variable: str, individuals: int, volume: int,
             kinds: tuple[str, ...] = ("patients", "volume")) -> list[Row]:
    """The country's cells of one variable, 100 beneficiaries (no population group)."""
    return [cells_of(f"stat_{variable}_{kind}", "country", "BE", None, individuals, 100, volume=volume)
            for kind in kinds]


def test_categories_small_cone_beam_remainder() -> None:
    """All imaging: 50 exams; the categories C1 (20) and C2 (27): 3 exams of cone-beam CT (no
    table) remain, a small remainder in volume (a). The category with the smallest individuals
    (C1, 6) is withheld; withheld for (a) only, it needs no partner: C2 and all imaging stay
    published. The provider groups (P1 + P2 = 50 exams) are another group, not exposed."""
    rows = (national("ALL", 10, 50) + national("C1", 6, 20) + national("C2", 7, 27)
            + national("P1", 6, 25) + national("P2", 8, 25))
    flags = run(rows)
    for kind in ("patients", "volume"):
        assert flags[(f"stat_C1_{kind}", "BE", "total")] == "secondary"
        for variable in ("ALL", "C2", "P1", "P2"):
            assert flags[(f"stat_{variable}_{kind}", "BE", "total")] is None


def test_remainder_is_in_volume_not_individuals() -> None:
    """Individuals 16 against 6 + 7 (a difference of 3, but a patient may be in two
    categories); volume 50 against 20 + 30: remainder 0. Not exposed."""
    flags = run(national("ALL", 16, 50) + national("C1", 6, 20) + national("C2", 7, 30))
    assert set(flags.values()) == {None}


def test_provider_group_small_member() -> None:
    """P1 has 3 individuals (primary): the provider group (b) withholds P3 (8), then P2 (9);
    the categories' group (C1 + C2 = all imaging's volume) is not touched."""
    rows = (national("ALL", 20, 40) + national("C1", 6, 20) + national("C2", 7, 20)
            + national("P1", 3, 10) + national("P2", 9, 15) + national("P3", 8, 15))
    flags = run(rows)
    assert flags[("stat_P1_patients", "BE", "total")] == "small_cell"
    assert flags[("stat_P2_volume", "BE", "total")] == "secondary"
    assert flags[("stat_P3_volume", "BE", "total")] == "secondary"
    for variable in ("ALL", "C1", "C2"):
        assert flags[(f"stat_{variable}_volume", "BE", "total")] is None


def test_partner_needs_partners_in_its_other_groups() -> None:
    """P1 (3) small, P2 (9) the only strong child: P2, then all imaging (12) are withheld in the
    provider group; all imaging then needs a second strong member in the categories' group:
    C1 (6). P1 lies inside withheld all imaging: 'secondary'."""
    rows = (national("ALL", 12, 40) + national("C1", 6, 20) + national("C2", 7, 20)
            + national("P1", 3, 10) + national("P2", 9, 30))
    flags = run(rows)
    assert flags[("stat_P1_patients", "BE", "total")] == "secondary"
    for variable in ("P2", "ALL", "C1"):
        assert flags[(f"stat_{variable}_volume", "BE", "total")] == "secondary"
    assert flags[("stat_C2_volume", "BE", "total")] is None


def test_relation_candidates_tie_on_the_variable() -> None:
    """C4 is small (3 individuals); C1, C2 and C3 have 6 individuals and the same beneficiaries
    (same unit): the cell key's last part, the variable, breaks the tie: C1, then C2 are
    withheld; with two strong members withheld, C3 stays published."""
    rows = (national("ALL", 21, 65) + national("C1", 6, 20) + national("C2", 6, 20) + national("C3", 6, 20)
            + national("C4", 3, 5))
    flags = run(rows)
    assert flags[("stat_C4_volume", "BE", "total")] == "small_cell"
    assert flags[("stat_C1_volume", "BE", "total")] == "secondary"
    assert flags[("stat_C2_volume", "BE", "total")] == "secondary"
    assert flags[("stat_C3_volume", "BE", "total")] is None


# ---------------------------------------------------------------------------------------------
# The candidate order
# ---------------------------------------------------------------------------------------------

def test_candidate_smallest_measure_then_fewer_beneficiaries_then_key() -> None:
    """11001 is small (4). Strong children: 11006 (6, 40 beneficiaries), 11002..11005 (7 each;
    20, 30, 20, 20 beneficiaries). First the smallest measure: 11006; then among the 7s fewer
    beneficiaries leaves 11002, 11004 and 11005, and the cell key (geo_code) picks 11002."""
    children = {"11001": (4, 20), "11002": (7, 20), "11003": (7, 30), "11004": (7, 20), "11005": (7, 20),
                "11006": (6, 40)}
    flags = run(arrondissement("cube_V_patients", 38, 150, children))
    assert flags[("cube_V_patients", "11001", "total")] == "small_cell"
    assert [commune for commune in children
            if flags[("cube_V_patients", commune, "total")] == "secondary"] == ["11002", "11006"]


def test_candidate_key_orders_the_age_bands() -> None:
    """In an age group the children share the unit: the band (as text) breaks the tie."""
    rows = [cells_of("cube_V_patients", *ARRONDISSEMENT, None, individuals, 50, band)
            for band, individuals in (("total", 23), ("0-9", 2), ("30-39", 7), ("20-29", 7), ("10-19", 7))]
    flags = run(rows)
    assert flags[("cube_V_patients", "11000", "10-19")] == "secondary"
    assert flags[("cube_V_patients", "11000", "20-29")] == "secondary"
    assert flags[("cube_V_patients", "11000", "30-39")] is None


def test_candidate_parent_when_no_child_is_strong() -> None:
    """11001 (2) and 11002 (4) are small, 11003 has no individual: no strong child, so the
    published parent (6) is withheld; then no candidate is left."""
    flags = run(arrondissement("cube_V_patients", 6, 30, {"11001": (2, 10), "11002": (4, 10), "11003": (0, 10)}))
    assert flags[("cube_V_patients", "11000", "total")] == "secondary"
    assert flags[("cube_V_patients", "11001", "total")] == "secondary"
    assert flags[("cube_V_patients", "11003", "total")] is None


def test_candidate_nothing_when_no_strong_child_and_parent_withheld() -> None:
    """The parent (3) and 11001 (3) are small; 11002 and 11003 have no individual: no strong
    child and the parent withheld: nothing more is withheld (no zero child any more)."""
    flags = run(arrondissement("cube_V_patients", 3, 30, {"11001": (3, 8), "11002": (0, 12), "11003": (0, 10)}))
    assert flags[("cube_V_patients", "11000", "total")] == "small_cell"
    assert flags[("cube_V_patients", "11001", "total")] == "secondary"
    assert flags[("cube_V_patients", "11002", "total")] is None
    assert flags[("cube_V_patients", "11003", "total")] is None


def test_age_and_geography_groups_together() -> None:
    """Bands 0-9 (2 individuals) of 11001 and 11002 and of the arrondissement (4) are small;
    the communes' 10-19 (13 of 15) are not strong. Round 1: each commune's age group withholds
    its total, the arrondissement's its 10-19 (26 of 30). Round 2: the arrondissement's age
    group (one strong withheld) its total. The communes' totals and the arrondissement's make
    the geography group safe; the other exposed groups have no candidate. Every small cell
    lies inside a withheld one: all 'secondary'."""
    rows = arrondissement("cube_V_patients", 30, 60, {"11001": (15, 30), "11002": (15, 30)})
    for commune in ("11001", "11002"):
        rows += [cells_of("cube_V_patients", "commune", commune, ARRONDISSEMENT, individuals, 15, band)
                 for band, individuals in (("0-9", 2), ("10-19", 13))]
    rows += [cells_of("cube_V_patients", *ARRONDISSEMENT, None, individuals, 30, band)
             for band, individuals in (("0-9", 4), ("10-19", 26))]
    flags = run(rows)
    for geo in ("11000", "11001", "11002"):
        assert flags[("cube_V_patients", geo, "total")] == "secondary"
        assert flags[("cube_V_patients", geo, "0-9")] == "secondary"
    assert flags[("cube_V_patients", "11000", "10-19")] == "secondary"
    assert flags[("cube_V_patients", "11001", "10-19")] is None
    assert flags[("cube_V_patients", "11002", "10-19")] is None


# ---------------------------------------------------------------------------------------------
# Against a plain-loop restatement of the rules, on random cell tables
# ---------------------------------------------------------------------------------------------

def naive_suppress(cells: pd.DataFrame, threshold: int) -> list[str | None]:
    """docs/protection.md "The rules", one cell and one group at a time."""
    variable_of = dict(zip(REGISTRY["indicator_code"], REGISTRY["source_variable"]))
    measure_of = dict(zip(REGISTRY["indicator_code"], REGISTRY["measure"]))
    small = range(1, threshold)
    rows = cells.to_dict("records")
    population: dict[tuple[Any, ...], dict[str, Any]] = {}
    variables: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        unit = (row["year"], row["geo_level"], row["geo_code"], row["age_band"])
        parent = (row["parent_geo_level"], row["parent_geo_code"]) if row["parent_geo_level"] else None
        population[("", *unit)] = {"measure": row["denominator"], "beneficiaries": row["denominator"],
                                   "volume": None, "parent": parent}
        cell = variables.setdefault((variable_of[row["indicator_code"]], *unit), {
            "measure": row["individuals"], "beneficiaries": row["denominator"], "volume": None, "parent": parent})
        if measure_of[row["indicator_code"]] == "volume":
            cell["volume"] = row["numerator"]

    def groups(pattern: dict[tuple[Any, ...], dict[str, Any]], relations: bool) -> list[tuple[Any, list[Any], Any]]:
        found: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for key, cell in pattern.items():
            variable, year, _, geo, band = key
            parents = []
            if cell["parent"]:
                parents.append(("geo", (variable, year, *cell["parent"], band)))
            if band != "total":
                parents.append(("age", (variable, year, key[2], geo, "total")))
            if relations:
                parents += [(relation["relation"], (relation["parent_variable"], *key[1:]))
                            for relation in RELATIONS.to_dict("records") if relation["child_variable"] == variable]
            for kind, parent in parents:
                if parent in pattern:
                    found.setdefault((kind, parent), []).append(key)
        result = []
        for (kind, parent), children in found.items():
            field = "measure" if kind in ("geo", "age") else "volume"
            remainder = (pattern[parent][field] - sum(pattern[child][field] for child in children)
                         if pattern[parent][field] is not None else None)
            result.append((parent, children, remainder))
        return result

    def settle(pattern: dict[tuple[Any, ...], dict[str, Any]], relations: bool,
               withheld: set[Any]) -> tuple[set[Any], set[Any], set[Any]]:
        """(withheld cells, cells with a withheld parent, cells the rows below prove 2 or more)
        at the end."""
        all_groups = groups(pattern, relations)
        proved = {key: 1 for key in pattern}
        raised = True
        while raised:
            raised = False
            for parent, children, _ in all_groups:
                children_hold = sum(proved[child] for child in children)
                if children_hold > proved[parent]:
                    proved[parent], raised = children_hold, True

        def strong(key: Any) -> bool:
            cell = pattern[key]
            room = cell["beneficiaries"] - cell["measure"] if relations else cell["measure"] - proved[key]
            return bool(cell["measure"] >= threshold and room >= threshold - 2)

        needs = {key for key in withheld if pattern[key]["measure"] in small}
        while True:
            new_withheld, new_needs = set(withheld), set(needs)
            for parent, children, remainder in all_groups:
                held = [member for member in [parent, *children] if member in withheld]
                needing = any(member in needs for member in held)
                rule_b = needing and sum(strong(member) for member in held) < 2
                if needing:
                    new_needs |= {member for member in held if strong(member)}
                if not (rule_b or (not held and remainder in small)):
                    continue
                candidates = [child for child in children if child not in withheld and strong(child)]
                chosen = (min(candidates, key=lambda c: (pattern[c]["measure"], pattern[c]["beneficiaries"],
                                                         c[3], c[4], c[0]))
                          if candidates else parent if parent not in withheld else None)
                if chosen is not None:
                    new_withheld.add(chosen)
                    if rule_b:
                        new_needs.add(chosen)
            if new_withheld == withheld and new_needs == needs:
                return (withheld, {child for parent, children, _ in all_groups if parent in withheld
                                   for child in children}, {key for key, bound in proved.items() if bound > 1})
            withheld, needs = new_withheld, new_needs

    population_withheld, population_covered, population_over_rows = settle(
        population, False, {key for key, cell in population.items() if cell["measure"] in small})
    variable_withheld, variable_covered, _ = settle(
        variables, True, {key for key, cell in variables.items()
                          if cell["measure"] in small or ("", *key[1:]) in population_withheld})
    flags: list[str | None] = []
    for row in rows:
        unit = (row["year"], row["geo_level"], row["geo_code"], row["age_band"])
        population_key, variable = ("", *unit), (variable_of[row["indicator_code"]], *unit)
        if population_key in population_withheld or variable in variable_withheld:
            small_in = [row["denominator"] in small, row["individuals"] in small]
            may_flag = [population_key not in population_covered and population_key not in population_over_rows,
                        variable not in variable_covered]
            small_cell = any(small_in) and all(may for is_small, may in zip(small_in, may_flag) if is_small)
            flags.append("small_cell" if small_cell else "secondary")
        else:
            flags.append(None)
    return flags


def random_cells(seed: int) -> pd.DataFrame:
    """Country, two regions, two or three communes each, zero to two sectors each, two years,
    bands 0-9, 10-19 and total; cube_ codes (bands, down to communes) and stat_ codes (total,
    down to sectors) of ALL, C1, C2, P1, P2 and V; small random counts, not adding up (the
    rules do not need them to)."""
    rng = np.random.default_rng(seed)
    units: list[tuple[str, str, tuple[str, str] | None]] = [("country", "BE", None)]
    for region in ("02000", "03000"):
        units.append(("region", region, ("country", "BE")))
        for number in range(int(rng.integers(2, 4))):
            commune = f"{region[:2]}00{number}"
            units.append(("commune", commune, ("region", region)))
            units += [("statistical_sector", f"{commune}S{sector}", ("commune", commune))
                      for sector in range(int(rng.integers(0, 3)))]
    rows = []
    for year, (level, geo, parent) in itertools.product((2015, 2016), units):
        for band in (("total",) if level == "statistical_sector" else ("total", "0-9", "10-19")):
            beneficiaries = int(rng.integers(1, 60))
            for variable in ("ALL", "C1", "C2", "P1", "P2", "V"):
                individuals, volume = int(rng.integers(0, 30)), int(rng.integers(0, 80))
                kinds = ["stat"] if band == "total" else []
                kinds += ["cube"] if level != "statistical_sector" else []
                rows += [cells_of(f"{kind}_{variable}_{measure}", level, geo, parent, individuals, beneficiaries,
                                  band, volume, year)
                         for kind in kinds for measure in ("patients", "volume")]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(12))
def test_matches_plain_loops_on_random_cells(seed: int) -> None:
    cells = random_cells(seed)
    flags = flags_of(cells)
    expected = naive_suppress(cells, T)
    different = [(row, flag, wanted) for row, flag, wanted in zip(cells.to_dict("records"), flags, expected)
                 if flag != wanted]
    assert not different, f"{len(different)} differing flags, e.g. {different[:3]}"
    assert "secondary" in flags
