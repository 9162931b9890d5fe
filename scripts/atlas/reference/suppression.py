"""Step 8: small-cell suppression of the reference implementation.

Written from docs/protection.md ("What an outsider knows": "Rows" and "What the flags reveal";
"The rules"), not from the SQL. The suppression is decided on patterns, not per indicator
table, so that a cell has one status wherever it appears (suppression_patterns.py):

- the population pattern: one cell per (year, unit, age band) over every indicator cell,
  measured by its beneficiaries (the denominator of every table);
- one variable pattern per registry `source_variable`: one cell per (variable, year, unit, age
  band) over the cells of the indicators counting that variable (cube_ and stat_, patients and
  volume), measured by its individuals (the patients of the variable), carrying its volume for
  the remainders of the variable relations (seeds/variable_relations.csv).

Each pattern is settled in rounds (this module): primary cells first (withheld, and needing
partners), then every group (a parent cell and its children: geography, age, and in the
variable patterns the variable relations) is judged on the state before the round, and each
exposed group withholds one more member, until a round changes neither which cells are withheld
nor which need partners. A strong member can move by t - 2 either way: for beneficiaries, above
the rows they head; for patients, below the beneficiaries. An indicator cell is withheld when
its population cell or its variable cell is; its flag says 'small_cell' only where every
pattern in which it is small may flag it. Where the page leaves a choice open, the comment at
that step names the reading taken. Every step is vectorised (numpy over row numbers).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from atlas.reference.suppression_patterns import BoolArray, Groups, IntArray, build_patterns, find_groups, is_small


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


def rows_lower_bound(groups: Groups, rows: int) -> IntArray:
    """Per pattern row, the fewest beneficiaries the rows below it prove. Page, "Rows": every
    row holds at least one beneficiary, and "a cell over n rows ... holds at least n"; a total
    is at least the sum of its parts, so a parent holds at least the sum of its children's
    bounds in each of its groups, and the bound climbs chains of single rows (a region over one
    province over two communes holds at least 2). Raised to a fixed point."""
    bound = np.ones(rows, dtype=np.int64)
    child = ~groups.is_parent
    while True:
        children = np.bincount(groups.group[child], weights=bound[groups.row[child]].astype(np.float64),
                               minlength=len(groups.parent)).astype(np.int64)
        raised = bound.copy()
        np.maximum.at(raised, groups.parent, children)
        if (raised == bound).all():
            return bound
        bound = raised


def strong_cells(pattern: pd.DataFrame, groups: Groups, threshold: int, population: bool) -> BoolArray:
    """Page: a strong member "can move by t - 2 either way without an outsider noticing": a
    measure of t or more (1 + (t - 2) < t, so moving down it stays unsmall), and t - 2 or
    more of room on its bounded side: beneficiaries above what the rows below them prove
    (rows_lower_bound), patients below the cell's beneficiaries (patients <=
    beneficiaries bounds them above)."""
    measure = pattern["measure"].to_numpy(dtype=np.int64)
    if population:
        room = measure - rows_lower_bound(groups, len(pattern))
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
    """The indicator cells with suppression_flag (None where published), and whether the cell's
    population cell and its variable cell are withheld (population_withheld, variable_withheld).

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
    the population pattern, the rows below it prove no more than 1 (two rows below a small
    total, or below the one row it heads, bound it to 2 or more); otherwise 'secondary'."""
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
                      & (rows_lower_bound(population_groups, len(population)) <= 1))
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
    # The pattern states too: the standardised figures of a unit need every band of it published
    # in both patterns (docs/standardisation.md, rule 2), also for a variable without band cells.
    return cells.assign(suppression_flag=flag, population_withheld=population_withheld[patterns.population_row],
                        variable_withheld=variable_withheld[patterns.variable_row])
