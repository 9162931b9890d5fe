"""Small-cell suppression of the reference implementation (step 8 of reference_indicators.py).

Written from docs/protection.md ("What an outsider knows": "Rows" and "What the flags reveal";
"The rules"), not from the SQL. The suppression is decided on patterns, not per indicator
table, so that a cell has one status wherever it appears:

- the population pattern: one cell per (year, unit, age band) over every indicator cell,
  measured by its beneficiaries (the denominator of every table);
- one variable pattern per registry `source_variable`: one cell per (variable, year, unit, age
  band) over the cells of the indicators counting that variable (cube_ and stat_, patients and
  volume), measured by its individuals (the patients of the variable), carrying its volume for
  the remainders of the variable relations (seeds/variable_relations.csv).

Each pattern is settled in rounds: primary cells first (withheld, and needing partners), then
every group (a parent cell and its children: geography, age, and in the variable patterns the
variable relations) is judged on the state before the round, and each exposed group withholds
one more member, until a round changes neither which cells are withheld nor which need
partners. A strong member can move by t - 2 either way: for beneficiaries, above the rows they
head; for patients, below the beneficiaries. An indicator cell is withheld when its population
cell or its variable cell is; its flag says 'small_cell' only where every pattern in which it
is small may flag it. Where the page leaves a choice open, the comment at that step names the
reading taken. Every step is vectorised (numpy over row numbers): a million cells settle in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

# The all-ages band (reference_indicators.TOTAL_BAND; the age_bands seed has no row for it).
TOTAL_BAND = "total"
# A pattern cell: the variable ('' in the population pattern), the year, the unit and the band.
PATTERN_KEY = ["variable", "year", "geo_level", "geo_code", "age_band"]
UNIT_KEY = ["year", "geo_level", "geo_code", "age_band"]
# The kinds of group ("Groups" table of the page); each parent heads at most one group per kind.
GROUP_KINDS = ("geography", "age", "relation")

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


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


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------

def cell_key_rank(pattern: pd.DataFrame) -> IntArray:
    """Each pattern row's rank in the order of "the cell key: geo code, age band, variable",
    each compared as text (byte order, as SQL's `order by` on varchar)."""
    def text_rank(column: str) -> IntArray:
        return np.asarray(pd.factorize(pattern[column].astype(str), sort=True)[0], dtype=np.int64)

    order = np.lexsort((text_rank("variable"), text_rank("age_band"), text_rank("geo_code")))
    rank = np.empty(len(pattern), dtype=np.int64)
    rank[order] = np.arange(len(pattern), dtype=np.int64)
    return rank


def rows_headed(groups: Groups, rows: int) -> IntArray:
    """Per pattern row, the most children it heads in one of its groups (0 where it heads
    none). Page, "Rows": a cell over n rows holds at least n beneficiaries."""
    children = np.bincount(groups.group[~groups.is_parent], minlength=len(groups.parent)).astype(np.int64)
    most = np.zeros(rows, dtype=np.int64)
    np.maximum.at(most, groups.parent, children)
    return most


def strong_cells(pattern: pd.DataFrame, groups: Groups, threshold: int, population: bool) -> BoolArray:
    """Page: a strong member "can move by t - 2 either way without an outsider noticing": a
    measure of t or more (1 + (t - 2) < t, so moving down it stays unsmall), and t - 2 or
    more of room on its bounded side: beneficiaries above the most rows they head in one group
    (the rows bound them below), patients below the cell's beneficiaries (patients <=
    beneficiaries bounds them above)."""
    measure = pattern["measure"].to_numpy(dtype=np.int64)
    if population:
        room = measure - rows_headed(groups, len(pattern))
    else:
        room = pattern["beneficiaries"].to_numpy(dtype=np.int64) - measure
    return np.asarray((measure >= threshold) & (room >= threshold - 2), dtype=bool)


def candidate_order(pattern: pd.DataFrame, groups: Groups, strong: BoolArray) -> IntArray:
    """The candidate members (indices into groups' member arrays) sorted by group, then in the
    order an exposed group gives them up; a round takes, per exposed group, the first one still
    published. Page: "the published strong child with the smallest measure (ties: fewer
    beneficiaries, then the cell key: geo code, age band, variable); if no child qualifies, the
    parent if it is published; else nothing". Strength never changes, so the order is fixed."""
    strong_child = ~groups.is_parent & strong[groups.row]
    members = np.flatnonzero(strong_child | groups.is_parent)
    row = groups.row[members]
    measure = np.where(strong_child[members], pattern["measure"].to_numpy(dtype=np.int64)[row], 0)
    beneficiaries = pattern["beneficiaries"].to_numpy(dtype=np.int64)[row]
    order = np.lexsort((cell_key_rank(pattern)[row], beneficiaries, measure, groups.is_parent[members],
                        groups.group[members]))
    return np.asarray(members[order], dtype=np.int64)


def settle(pattern: pd.DataFrame, groups: Groups, withheld: BoolArray, needs: BoolArray,
           strong: BoolArray) -> tuple[BoolArray, int]:
    """The withheld cells of a pattern after the secondary rounds, from the cells withheld and
    needing partners at the start, and the number of rounds that changed something.

    Each round judges every group on the state before it (page, "Secondary suppression"):
    exposed when (a) no member is withheld and the remainder is small, or (b) a withheld member
    needs partners and fewer than two strong members are withheld. Each exposed group withholds
    its first published candidate; all exposed groups settle at once. After the round, a cell
    needs partners when it did, when a (b) group chose it, or when it was withheld and strong
    before the round in a group where a withheld member needed partners (a cell chosen for (a)
    only needs none). A group may stay exposed with no candidate left ("else nothing"): the
    loop ends when a round changes neither which cells are withheld nor which need partners."""
    order = candidate_order(pattern, groups, strong)
    candidate_row, candidate_group = groups.row[order], groups.group[order]
    count = len(groups.small_remainder)

    def per_group(flag: BoolArray) -> IntArray:
        return np.bincount(groups.group, weights=flag.astype(np.float64), minlength=count).astype(np.int64)

    rounds = 0
    while True:
        held = withheld[groups.row]
        needing = per_group(held & needs[groups.row]) > 0
        rule_b = needing & (per_group(held & strong[groups.row]) < 2)
        exposed = ((per_group(held) == 0) & groups.small_remainder) | rule_b
        open_candidates = np.flatnonzero(exposed[candidate_group] & ~withheld[candidate_row])
        group = candidate_group[open_candidates]
        first = open_candidates[np.r_[True, group[1:] != group[:-1]]] if len(group) else open_candidates
        partner = np.zeros(len(withheld), dtype=bool)
        partner[groups.row[needing[groups.group] & held & strong[groups.row]]] = True
        new_withheld = withheld.copy()
        new_withheld[candidate_row[first]] = True
        new_needs = needs | partner
        new_needs[candidate_row[first][rule_b[candidate_group[first]]]] = True
        if (new_withheld == withheld).all() and (new_needs == needs).all():
            return withheld, rounds
        withheld, needs = new_withheld, new_needs
        rounds += 1


def parent_withheld(groups: Groups, withheld: BoolArray, rows: int) -> BoolArray:
    """Per pattern row, whether a parent of it (the parent of a group it is a child of) is
    withheld."""
    child = ~groups.is_parent
    held = withheld[groups.parent[groups.group[child]]].astype(np.float64)
    return np.asarray(np.bincount(groups.row[child], weights=held, minlength=rows) > 0, dtype=bool)


# ---------------------------------------------------------------------------------------------
# The indicator cells
# ---------------------------------------------------------------------------------------------

def suppress(cells: pd.DataFrame, registry: pd.DataFrame, relations: pd.DataFrame, threshold: int,
             progress: Callable[[str], None] = print) -> pd.DataFrame:
    """The indicator cells with suppression_flag (None where published).

    The population pattern settles first: "a cell withheld in the population pattern starts
    withheld in every variable pattern" is read as its final state being the variable patterns'
    start; such a cell needs no partners there unless its individuals are small ("a cell
    withheld only because the population pattern withholds it ... needs none until it becomes
    a partner"). The variable patterns then settle together, in one loop of rounds: the
    variable relations join IMAG_ALL_N's pattern to its categories' and provider groups' (the
    round count of independent patterns is the largest of theirs either way).

    A cell is withheld when its population cell or its variable cell is. Flag (page, "The
    rules"): 'small_cell' when it is small in at least one pattern (its beneficiaries in the
    population pattern, its individuals in its variable pattern) and every pattern in which it
    is small may flag it: no parent of it is withheld there (final state; a cell inside a
    withheld sum says nothing of its size, else two flags on one sum would pin both) and, in
    the population pattern, it heads at most one row in each of its groups (two rows below a
    small total bound it to 2 or more); otherwise 'secondary'."""
    patterns = build_patterns(cells, registry)
    population = patterns.population
    population_groups = find_groups(population, relations.iloc[:0], threshold)
    population_small = is_small(population["measure"], threshold)
    population_withheld, population_rounds = settle(
        population, population_groups, population_small, population_small,
        strong_cells(population, population_groups, threshold, population=True))

    variables = patterns.variables
    variable_groups = find_groups(variables, relations, threshold)
    variable_small = is_small(variables["measure"], threshold)
    start = variable_small | population_withheld[patterns.population_of_variable]
    variable_withheld, variable_rounds = settle(variables, variable_groups, start, variable_small,
                                                strong_cells(variables, variable_groups, threshold, population=False))

    withheld = population_withheld[patterns.population_row] | variable_withheld[patterns.variable_row]
    population_may = (~parent_withheld(population_groups, population_withheld, len(population))
                      & (rows_headed(population_groups, len(population)) <= 1))
    variable_may = ~parent_withheld(variable_groups, variable_withheld, len(variables))
    small_in = population_small[patterns.population_row], variable_small[patterns.variable_row]
    may_flag = (population_may[patterns.population_row], variable_may[patterns.variable_row])
    small = (small_in[0] | small_in[1]) & (~small_in[0] | may_flag[0]) & (~small_in[1] | may_flag[1])
    flag = np.full(len(cells), None, dtype=object)
    flag[withheld & small] = "small_cell"
    flag[withheld & ~small] = "secondary"
    progress(f"suppression: population pattern {int(population_withheld.sum()):,} of {len(population):,} cells "
             f"withheld ({population_rounds} round(s)), variable patterns {int(variable_withheld.sum()):,} of "
             f"{len(variables):,} ({variable_rounds} round(s)); {int((flag == 'small_cell').sum()):,} small "
             f"and {int((flag == 'secondary').sum()):,} secondary indicator cells")
    return cells.assign(suppression_flag=flag)
