"""Interval propagation to a fixed point over every relation at once (vectorised numpy).

Each quantity has an interval [lower, upper] (upper may be infinite). Every round narrows each
quantity of each equality group from the others' intervals, each inequality pair from its
partner, applies what the `small_cell` flags say, and rounds to integers (counts are whole).
Every interval stays sound at every round, so stopping at the round limit only loses strength.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import numpy.typing as npt

from .relations import FloatArray, IntArray, Relations

BoolArray = npt.NDArray[np.bool_]
# Tolerance before rounding a bound to an integer: sums of counts are exact in float64.
ROUNDING_SLACK = 1e-6


@dataclass(frozen=True)
class SmallCellFlags:
    """The small_cell rows' quantities: the individuals (patients of the table's variable) and
    the beneficiaries. One of them is 1 to t - 1, hence individuals <= t - 1 always. Where the
    rows below a cell prove 2 or more beneficiaries (beneficiaries_proved_by_rows), the
    population pattern never flags it (docs/protection.md), so the flag speaks of its
    individuals: its beneficiaries are t or more."""

    individuals: IntArray
    beneficiaries: IntArray
    threshold: int
    beneficiaries_proved_by_rows: FloatArray | None = None


@dataclass(frozen=True)
class NotSmallFlags:
    """The secondary rows' quantities, when the outsider reads the flag as "not small":
    beneficiaries >= t, individuals 0 or >= t."""

    individuals: IntArray
    beneficiaries: IntArray
    threshold: int


@dataclass
class Intervals:
    lower: FloatArray
    upper: FloatArray
    rounds: int = 0
    converged: bool = False
    contradictions: int = 0


class _GroupSums:
    """The equality terms restricted to groups with something to derive, sorted by quantity so
    that per-quantity maxima and minima are one reduceat each."""

    def __init__(self, relations: Relations, unknown: BoolArray) -> None:
        useful = np.zeros(relations.constraints, dtype=bool)
        useful[relations.term_constraint[unknown[relations.term_qid]]] = True
        keep = useful[relations.term_constraint]
        order = np.argsort(relations.term_qid[keep], kind="stable")
        self.constraint = relations.term_constraint[keep][order]
        self.qid = relations.term_qid[keep][order]
        self.positive = relations.term_coefficient[keep][order] > 0
        self.groups = relations.constraints
        self.targets, self.starts = np.unique(self.qid, return_index=True)

    def _sum(self, contributions: FloatArray) -> tuple[FloatArray, BoolArray]:
        """Per term: the sum of the other terms' contributions (infinite if any other is)."""
        infinite = np.isinf(contributions)
        finite = np.where(infinite, 0.0, contributions)
        totals = np.asarray(np.bincount(self.constraint, weights=finite, minlength=self.groups), dtype=np.float64)
        infinities = np.bincount(self.constraint, weights=infinite, minlength=self.groups)
        others = totals[self.constraint] - finite
        others_infinite = infinities[self.constraint] - infinite > 0
        return others, others_infinite

    def narrow(self, lower: FloatArray, upper: FloatArray) -> tuple[FloatArray, FloatArray]:
        """New bounds for the quantities in `targets`: from c*x + others = 0."""
        low, high = lower[self.qid], upper[self.qid]
        # The contribution c*x of each term: its least and its greatest value.
        least = np.where(self.positive, low, -high)
        greatest = np.where(self.positive, high, -low)
        others_least, least_infinite = self._sum(least)
        others_greatest, greatest_infinite = self._sum(greatest)
        # c*x = -others, so c*x lies in [-others_greatest, -others_least].
        with np.errstate(invalid="ignore"):
            term_lower = np.where(self.positive,
                                  np.where(greatest_infinite, -np.inf, -others_greatest),
                                  np.where(least_infinite, -np.inf, others_least))
            term_upper = np.where(self.positive,
                                  np.where(least_infinite, np.inf, -others_least),
                                  np.where(greatest_infinite, np.inf, others_greatest))
        return (np.maximum.reduceat(term_lower, self.starts), np.minimum.reduceat(term_upper, self.starts))


def _apply_flags(lower: FloatArray, upper: FloatArray, small: SmallCellFlags,
                 not_small: NotSmallFlags | None) -> None:
    t = float(small.threshold)
    individuals, beneficiaries = small.individuals, small.beneficiaries
    if small.beneficiaries_proved_by_rows is not None:
        np.maximum.at(lower, beneficiaries[small.beneficiaries_proved_by_rows >= 2], t)
    # Either the individuals or the beneficiaries are 1..t-1, and individuals <= beneficiaries.
    np.minimum.at(upper, individuals, t - 1)
    known_large = lower[beneficiaries] >= t
    np.maximum.at(lower, individuals[known_large], 1.0)
    not_small_individuals = (lower[individuals] >= t) | (upper[individuals] < 1)
    np.minimum.at(upper, beneficiaries[not_small_individuals], t - 1)
    if not_small is None:
        return
    np.maximum.at(lower, not_small.beneficiaries, float(not_small.threshold))
    persons = not_small.individuals
    np.maximum.at(lower, persons[lower[persons] >= 1], float(not_small.threshold))
    np.minimum.at(upper, persons[upper[persons] < not_small.threshold], 0.0)


def propagate(relations: Relations, lower: FloatArray, upper: FloatArray, small: SmallCellFlags,
              not_small: NotSmallFlags | None = None, max_rounds: int = 500,
              progress: Callable[[str], None] | None = None) -> Intervals:
    """Narrow [lower, upper] to a fixed point (or max_rounds); the inputs are not changed."""
    lower, upper = lower.copy(), upper.copy()
    _apply_flags(lower, upper, small, not_small)
    groups = _GroupSums(relations, lower < upper)
    le_low, le_high = relations.le_low, relations.le_high
    started = time.monotonic()
    result = Intervals(lower, upper)
    for round_number in range(1, max_rounds + 1):
        before_lower, before_upper = lower.copy(), upper.copy()
        if len(groups.targets):
            new_lower, new_upper = groups.narrow(lower, upper)
            lower[groups.targets] = np.maximum(lower[groups.targets], new_lower)
            upper[groups.targets] = np.minimum(upper[groups.targets], new_upper)
        np.minimum.at(upper, le_low, upper[le_high])
        np.maximum.at(lower, le_high, lower[le_low])
        _apply_flags(lower, upper, small, not_small)
        np.ceil(lower - ROUNDING_SLACK, out=lower)
        finite = np.isfinite(upper)
        upper[finite] = np.floor(upper[finite] + ROUNDING_SLACK)
        result.rounds = round_number
        changed = int(np.count_nonzero((lower != before_lower) | (upper != before_upper)))
        if progress is not None and (round_number % 10 == 0 or changed == 0):
            progress(f"propagation round {round_number}: {changed:,} bounds narrowed "
                     f"({time.monotonic() - started:.1f} s)")
        if changed == 0:
            result.converged = True
            break
    result.contradictions = int(np.count_nonzero(lower > upper))
    return result
