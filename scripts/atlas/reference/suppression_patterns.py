"""What the small-cell suppression (suppression.py) works on, written from docs/protection.md
("The rules", "Groups"): the population and variable patterns of the indicator cells, and the
groups of each pattern (a parent cell and its children: geography, age, variable relations)
with whether each group's remainder is small. Row numbers in numpy arrays, so that the rounds
settle a million cells in seconds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from atlas.reference.cells import TOTAL_BAND

# A pattern cell: the variable ('' in the population pattern), the year, the unit and the band.
PATTERN_KEY = ["variable", "year", "geo_level", "geo_code", "age_band"]
UNIT_KEY = ["year", "geo_level", "geo_code", "age_band"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def is_small(count: npt.ArrayLike, threshold: int) -> BoolArray:
    """1 to threshold - 1: too few to publish (0 is no one, and is published)."""
    values = np.asarray(count, dtype=np.float64)
    return np.asarray((values >= 1) & (values <= threshold - 1), dtype=bool)


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Patterns:
    """The population and variable patterns of a set of indicator cells, and where each
    indicator cell lies in them (row numbers)."""

    population: pd.DataFrame  # PATTERN_KEY, parent unit, measure (= beneficiaries), volume
    variables: pd.DataFrame  # PATTERN_KEY, parent unit, measure (= individuals), beneficiaries, volume
    population_row: IntArray  # per indicator cell, its row in `population`
    variable_row: IntArray  # per indicator cell, its row in `variables`
    population_of_variable: IntArray  # per variable cell, its row in `population`


def pattern_rows(cells: pd.DataFrame, key: list[str]) -> tuple[IntArray, IntArray]:
    """(row of each cell in the pattern, first cell of each pattern row): one pattern row per
    distinct key, in key order."""
    row = np.asarray(cells.groupby(key, sort=True, dropna=False).ngroup(), dtype=np.int64)
    first = np.unique(row, return_index=True)[1].astype(np.int64)
    return row, first


def build_patterns(cells: pd.DataFrame, registry: pd.DataFrame) -> Patterns:
    """The patterns of the indicator cells (columns indicator_code, year, geo_level, geo_code,
    parent_geo_level, parent_geo_code, age_band, individuals, numerator, denominator), the
    registry giving each indicator code its `source_variable` and `measure`.

    The page: population cells are measured by their beneficiaries, "the same in all tables";
    variable cells by their individuals, the same in the patients and the volume table of the
    variable and in its cube_ and stat_ tables. Both are checked. The volume of a variable cell
    is the numerator of its volume tables (missing for a variable without one: MH_PATIENT; no
    relation uses such a variable)."""
    by_code = registry.set_index("indicator_code")
    cells = cells.assign(variable=cells["indicator_code"].map(by_code["source_variable"]),
                         measure_name=cells["indicator_code"].map(by_code["measure"]))
    assert cells["variable"].notna().all(), "an indicator code without a source variable in the registry"
    unit = ["parent_geo_level", "parent_geo_code"]

    population_row, first = pattern_rows(cells, UNIT_KEY)
    beneficiaries = cells["denominator"].to_numpy(dtype=np.int64)
    population = cells.iloc[first][[*UNIT_KEY, *unit]].reset_index(drop=True).assign(
        variable="", measure=beneficiaries[first], beneficiaries=beneficiaries[first], volume=np.nan)
    assert (population["beneficiaries"].to_numpy()[population_row] == beneficiaries).all(), \
        "a (year, unit, band) with two denominators"

    variable_row, first = pattern_rows(cells, PATTERN_KEY)
    individuals = cells["individuals"].to_numpy(dtype=np.int64)
    is_volume = (cells["measure_name"] == "volume").to_numpy()
    volume = np.full(len(first), np.nan)
    volume[variable_row[is_volume]] = cells["numerator"].to_numpy(dtype=np.float64)[is_volume]
    variables = cells.iloc[first][[*PATTERN_KEY, *unit]].reset_index(drop=True).assign(
        measure=individuals[first], beneficiaries=beneficiaries[first], volume=volume)
    assert (variables["measure"].to_numpy()[variable_row] == individuals).all(), \
        "a variable cell with two counts of individuals"
    return Patterns(population=population, variables=variables, population_row=population_row,
                    variable_row=variable_row, population_of_variable=population_row[first])


# ---------------------------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Groups:
    """The groups of one pattern: one row per member (group, pattern row, parent or child), and
    per group whether its remainder is small (docs/protection.md, "Groups")."""

    group: IntArray  # per member, its group
    row: IntArray  # per member, its pattern row
    is_parent: BoolArray  # per member
    small_remainder: BoolArray  # per group
    parent: IntArray  # per group, its parent's pattern row


def find_rows(pattern: pd.DataFrame, keys: list[pd.Series | str]) -> IntArray:
    """The pattern row of each key (variable, year, level, code, band), -1 where none."""
    index = pd.MultiIndex.from_frame(pattern[PATTERN_KEY])
    length = max(len(key) for key in keys if isinstance(key, pd.Series))
    arrays = [key.to_numpy() if isinstance(key, pd.Series) else np.full(length, key, dtype=object) for key in keys]
    return np.asarray(index.get_indexer(pd.MultiIndex.from_arrays(arrays)), dtype=np.int64)


def relation_links(pattern: pd.DataFrame, relations: pd.DataFrame) -> list[tuple[IntArray, IntArray]]:
    """(children, parents) row numbers of each variable relation of the seed: the parent
    variable's cell of the same (year, unit, band) as each cell of a child variable. The
    imaging categories and the provider groups are separate groups (two rows of the page's
    table), though both have IMAG_ALL_N as parent."""
    links = []
    for _, relation in relations.groupby("relation", sort=True):
        children = pattern[pattern["variable"].isin(relation["child_variable"])]
        parent_variable = children["variable"].map(relation.set_index("child_variable")["parent_variable"])
        parents = find_rows(pattern, [parent_variable, children["year"], children["geo_level"],
                                      children["geo_code"], children["age_band"]])
        links.append((children.index.to_numpy(dtype=np.int64), parents))
    return links


def find_groups(pattern: pd.DataFrame, relations: pd.DataFrame, threshold: int) -> Groups:
    """Every group of a pattern (rows numbered 0..n-1), each a parent cell and its children
    present in the pattern. "A group needs its parent and at least one child": a child whose
    parent cell is not in the pattern belongs to no group of that kind.

    - geography: a unit in a band, and the units whose parent unit it is, same band;
    - age: a unit's 'total', and its bands;
    - relations (variable patterns): IMAG_ALL_N in a (year, unit, band), and the category (or
      provider-group) variables' cells of the same (year, unit, band).

    The remainder is the parent's measure minus its children's, for every group (the page's
    table names it at the country and the commune only; elsewhere it is 0 by construction, and
    taking it everywhere needs no list of levels); for the variable relations it is in volume
    (page: "for the variable relations, in volume"). A child variable without cells (cone-beam
    CT, no table) is no member: its volume is in the remainder, as the page's table says."""
    has_parent = pattern["parent_geo_level"].notna()
    geo = pattern[has_parent]
    is_band = pattern["age_band"] != TOTAL_BAND
    banded = pattern[is_band]
    links = [
        (geo.index.to_numpy(dtype=np.int64),
         find_rows(pattern, [geo["variable"], geo["year"], geo["parent_geo_level"], geo["parent_geo_code"],
                             geo["age_band"]])),
        (banded.index.to_numpy(dtype=np.int64),
         find_rows(pattern, [banded["variable"], banded["year"], banded["geo_level"], banded["geo_code"],
                             TOTAL_BAND])),
    ]
    relation_kinds = relation_links(pattern, relations)
    kinds = np.concatenate([np.full(len(child), kind, dtype=np.int64)
                            for kind, (child, _) in enumerate([*links, *relation_kinds])])
    child = np.concatenate([child for child, _ in [*links, *relation_kinds]])
    parent = np.concatenate([parent for _, parent in [*links, *relation_kinds]])
    found = parent >= 0
    kinds, child, parent = kinds[found], child[found], parent[found]

    # One group per (kind, parent); the relation kinds are numbered after geography and age.
    group_of_child = np.unique(kinds * (len(pattern) + 1) + parent, return_inverse=True)[1].astype(np.int64)
    groups = int(group_of_child.max()) + 1 if len(group_of_child) else 0
    parent_of_group = np.zeros(groups, dtype=np.int64)
    parent_of_group[group_of_child] = parent
    is_relation = np.zeros(groups, dtype=bool)
    is_relation[group_of_child] = kinds >= len(links)

    measure = pattern["measure"].to_numpy(dtype=np.float64)
    volume = pattern["volume"].to_numpy(dtype=np.float64)
    in_measure = measure[parent_of_group] - np.bincount(group_of_child, measure[child], minlength=groups)
    in_volume = volume[parent_of_group] - np.bincount(group_of_child, volume[child], minlength=groups)
    remainder = np.where(is_relation, in_volume, in_measure)  # NaN (never small) where a volume is missing
    return Groups(
        group=np.concatenate([np.arange(groups, dtype=np.int64), group_of_child]),
        row=np.concatenate([parent_of_group, child]),
        is_parent=np.concatenate([np.ones(groups, dtype=bool), np.zeros(len(child), dtype=bool)]),
        small_remainder=is_small(remainder, threshold),
        parent=parent_of_group,
    )
