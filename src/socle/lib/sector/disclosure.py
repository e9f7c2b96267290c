"""Disclosure control for everything that leaves an organisation (METHODS.md §4): sector pages, benchmarks shown
to members, the API, CSV and PDF exports all pass their tables through :func:`protect` and publish only what its
decisions allow (:func:`published`), after :func:`assert_protected` has checked the result.

The organisation-internal masking (``socle.lib.measurement.masking``, threshold 5, one breakdown at a time) stays
for an organisation's own pages; this module is the stricter, general one.

**Tables.** A table maps keys of ``k`` coordinates (for example ``(region, type)``) to :class:`Cell`. The
coordinate :data:`TOTAL` (``""``) along a dimension is the margin over that dimension; ``("", "")`` is the
whole-table total. A *line* fixes every coordinate but one: its *margin* has :data:`TOTAL` in the free
coordinate, its *members* are the cells of the table that differ from the margin only there (cells missing from
the table are empty). Respondents, numerators and each establishment's contributions add up along every line
(checked: a table that does not add up is refused). :func:`with_margins` builds the margins of a table of interior
cells.

**Primary suppression** (:func:`primary`), for every cell with respondents, margins included:

- ``frequency``: fewer than ``min_respondents`` (11) respondents, the threshold for data on natural persons;
- ``establishments``: fewer than ``min_establishments`` (3) contributing establishments;
- ``dominance``: one establishment supplies more than ``dominance`` (85 %) of the respondents (85 % exactly passes);
- ``attribute``: a proportion where everyone gave the same answer (numerator 0 or equal to the respondents) in a
  cell of at most ``attribute_max`` respondents. *Small* is taken as under 30 respondents (``attribute_max = 29``):
  30 is the effective sample below which an estimate is not published at all (Statistics Canada's rule, ``F`` in
  ``socle.lib.measurement.estimate``), so a unanimous answer from fewer people tells about persons rather than a
  group; a unanimous answer from 30 or more is a published group result.

**Status.** ``x`` masked (confidential); otherwise the estimate's reliability flag: ``ok``, ``E`` (fragile,
published with a warning), ``F`` (unreliable: its estimate is not published, but its count is, since the cell
passes every disclosure rule). ``-`` is a cell with no respondents (a structural zero): nothing to publish, shown as
empty, and it protects nothing (an attacker knows it is 0).

**Secondary suppression** (:func:`protect`), in two stages iterated to a fixed point:

1. *Lines.* In every line, the masked cells (margin included) are none or at least two; and when the line's
   margin is published, the masked members taken together (their respondents, contributions and numerators
   summed: the group "margin minus the cells shown") pass the primary rules themselves. A line that breaks this
   gets one more mask, chosen among its published cells with respondents, cheapest first: interior cells before
   margins (fewer ``TOTAL`` coordinates first, the whole-table total last); then the cell that leaves fewest other
   lines with a single mask (it closes a line already holding one mask rather than opening a new one: the
   classic rectangle of four cells in two dimensions); then ``F`` cells (their estimate is not published anyway);
   then fewest respondents; then the key (stable).
2. *Audit.* :func:`audit` computes, by integer linear programming over the additive constraints and every
   published number, the interval each masked value could take. Any masked cell that is not protected (below)
   gets one more mask in one of its lines: the cheapest candidate (same order) that protects it on its own, else
   the cheapest; then stage 1 again. This ends (each round masks one more cell; a table with everything masked is
   protected), and :func:`protect`'s result always passes :func:`audit`.

**The attacker** of :func:`audit` knows every published cell's respondents and numerator *exactly* (rounding to 5
and an ``F`` cell's hidden estimate are not counted as protection), that empty cells are 0, that every masked cell
has at least one respondent, the additive constraints, and that numerators lie between 0 and the respondents. It
solves integer programs (``scipy.optimize.milp``), so in three dimensions too its bounds are the exact integer ones,
not the looser continuous relaxation.

**Protection criterion** (protection intervals, as the INSEE manual on protecting tables and τ-Argus define them):
a masked cell is protected when

- its respondents' interval is not a single point, and reaches at least its *required upper bound*: for a
  ``frequency`` cell ``min_respondents`` (the attacker cannot prove that the cell is small); for a ``dominance``
  cell the size at which its largest contribution would fall to ``dominance`` (``ceil(largest / 0.85)``: the
  attacker cannot prove that one establishment dominates); otherwise its own value (not a point is enough);
- for proportions, neither its numerator nor the others (respondents minus numerator) can be pinned to a single
  value, unless a published cell that contains it (one of its margins) already shows that value to be 0 for
  everyone (when a published region of 40 people all answered "no", every cell of that region did, and masking
  cannot hide it: that group disclosure is allowed by the rules).

Counts in open data are rounded to 5 (:func:`round_count`), each independently, so published totals need not
equal the sum of the rounded cells.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp  # type: ignore[import-untyped]

from socle.lib.measurement.estimate import Estimate

__all__ = [
    "EMPTY",
    "MASKED",
    "REASONS",
    "STATUSES",
    "TOTAL",
    "Cell",
    "Decision",
    "DisclosureError",
    "DisclosureRules",
    "Exposure",
    "Key",
    "Shown",
    "assert_protected",
    "audit",
    "primary",
    "problems",
    "protect",
    "published",
    "published_value",
    "round_count",
    "with_margins",
]

TOTAL: Final = ""  # the coordinate of a margin along a dimension
MASKED: Final = "x"
EMPTY: Final = "-"
STATUSES: Final = ("ok", "E", "F", MASKED, EMPTY)
REASONS: Final = ("frequency", "establishments", "dominance", "attribute", "secondary")
_FLAG_STATUS: Final = {"": "ok", "E": "E", "F": "F"}

Key = tuple[str, ...]


class DisclosureError(ValueError):
    """A table or a set of decisions that must not be published, with every problem found."""


@dataclass(frozen=True)
class DisclosureRules:
    """The thresholds of METHODS.md §4. ``attribute_max``: the largest cell in which a unanimous answer is masked
    (see the module docstring). ``rounding_base``: counts in open data are rounded to a multiple of it."""

    min_respondents: int = 11
    min_establishments: int = 3
    dominance: float = 0.85
    attribute_max: int = 29
    rounding_base: int = 5

    def __post_init__(self) -> None:
        if self.min_respondents < 1:
            raise ValueError(f"min_respondents must be at least 1, got {self.min_respondents!r}")
        if self.min_establishments < 1:
            raise ValueError(f"min_establishments must be at least 1, got {self.min_establishments!r}")
        if not 0 < self.dominance <= 1:
            raise ValueError(f"dominance must be in (0, 1], got {self.dominance!r}")
        if self.attribute_max < 0:
            raise ValueError(f"attribute_max must be 0 or more, got {self.attribute_max!r}")
        if self.rounding_base < 1:
            raise ValueError(f"rounding_base must be at least 1, got {self.rounding_base!r}")


@dataclass(frozen=True)
class Cell:
    """What stands behind one number of a table.

    ``respondents``: the n behind it; ``contributions``: establishment key -> its respondents in this cell (they sum
    to ``respondents``; establishments with 0 may be left out); ``numerator``: for a proportion, the respondents in
    the numerator (None for other kinds); ``flag``: the estimate's reliability flag (``""``, ``"E"``, ``"F"``).
    """

    respondents: int
    contributions: Mapping[str, int] = field(default_factory=dict)
    numerator: int | None = None
    flag: str = ""

    def __post_init__(self) -> None:
        if self.respondents < 0:
            raise ValueError(f"respondents must be 0 or more, got {self.respondents!r}")
        if any(n < 0 for n in self.contributions.values()):
            raise ValueError(f"contributions must be 0 or more, got {dict(self.contributions)!r}")
        if sum(self.contributions.values()) != self.respondents:
            raise ValueError(
                f"contributions sum to {sum(self.contributions.values())}, not to respondents={self.respondents}"
            )
        if self.numerator is not None and not 0 <= self.numerator <= self.respondents:
            raise ValueError(f"numerator must be within 0..respondents={self.respondents}, got {self.numerator!r}")
        if self.flag not in _FLAG_STATUS:
            raise ValueError(f"flag must be one of '', 'E', 'F', got {self.flag!r}")

    @property
    def establishments(self) -> int:
        """Establishments contributing at least one respondent."""
        return sum(1 for n in self.contributions.values() if n > 0)

    @property
    def largest(self) -> int:
        """The largest single establishment's contribution."""
        return max(self.contributions.values(), default=0)


def _combined(cells: Iterable[Cell]) -> Cell:
    """The cells taken as one (respondents, contributions and numerators summed; flag "")."""
    cells = list(cells)
    contributions: dict[str, int] = {}
    for cell in cells:
        for establishment, n in cell.contributions.items():
            contributions[establishment] = contributions.get(establishment, 0) + n
    numerators = [cell.numerator for cell in cells]
    numerator = None if any(m is None for m in numerators) else sum(m for m in numerators if m is not None)
    return Cell(sum(cell.respondents for cell in cells), contributions, numerator)


@dataclass(frozen=True)
class Decision:
    """A cell's status (one of :data:`STATUSES`) and why it is masked (primary reasons, or ``("secondary",)``)."""

    status: str
    reasons: tuple[str, ...] = ()

    @property
    def masked(self) -> bool:
        return self.status == MASKED

    @property
    def published(self) -> bool:
        """Its respondents (and, unless ``F``, its estimate) may be shown."""
        return self.status in ("ok", "E", "F")


# --- Primary suppression ----------------------------------------------------------------------------------------


def _primary_reasons(cell: Cell, rules: DisclosureRules) -> tuple[str, ...]:
    if cell.respondents == 0:
        return ()
    reasons = []
    if cell.respondents < rules.min_respondents:
        reasons.append("frequency")
    if cell.establishments < rules.min_establishments:
        reasons.append("establishments")
    if Fraction(cell.largest, cell.respondents) > Fraction(repr(rules.dominance)):
        reasons.append("dominance")
    if (
        cell.numerator is not None
        and cell.numerator in (0, cell.respondents)
        and cell.respondents <= rules.attribute_max
    ):
        reasons.append("attribute")
    return tuple(reasons)


def primary(cell: Cell, rules: DisclosureRules | None = None) -> Decision:
    """The cell's decision by the primary rules alone (see the module docstring): ``-`` when it has no
    respondents, ``x`` with the rules it breaks, else its reliability status."""
    rules = rules or DisclosureRules()
    if cell.respondents == 0:
        return Decision(EMPTY)
    reasons = _primary_reasons(cell, rules)
    if reasons:
        return Decision(MASKED, reasons)
    return Decision(_FLAG_STATUS[cell.flag])


# --- Tables -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    margin: Key
    members: tuple[Key, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.margin, *self.members)


def _dimension(table: Mapping[Key, Cell]) -> int:
    sizes = {len(key) for key in table}
    if len(sizes) > 1:
        raise ValueError(f"keys of one table must have the same number of coordinates, got {sorted(sizes)}")
    return sizes.pop() if sizes else 0


def _lines(table: Mapping[Key, Cell]) -> list[_Line]:
    """Every line of the table whose margin and at least one member are in it, in a stable order; checks that
    respondents, numerators and contributions add up along each."""
    dimensions = _dimension(table)
    groups: dict[tuple[int, Key], list[Key]] = {}
    for key in table:
        for d in range(dimensions):
            if key[d] != TOTAL:
                margin = (*key[:d], TOTAL, *key[d + 1 :])
                groups.setdefault((d, margin), []).append(key)
    lines = []
    for (d, margin), members in sorted(groups.items()):
        if margin not in table:
            continue
        line = _Line(margin, tuple(sorted(members)))
        total = table[margin]
        summed = _combined(table[key] for key in line.members)
        if summed.respondents != total.respondents:
            raise ValueError(
                f"the cells of line {margin!r} (dimension {d}) hold {summed.respondents} respondents, "
                f"their margin {total.respondents}"
            )
        if (total.numerator is None) != (summed.numerator is None) or (
            total.numerator is not None and summed.numerator != total.numerator
        ):
            raise ValueError(
                f"the numerators of line {margin!r} (dimension {d}) add up to {summed.numerator}, "
                f"their margin says {total.numerator}"
            )
        mine = {e: n for e, n in total.contributions.items() if n}
        theirs = {e: n for e, n in summed.contributions.items() if n}
        if mine != theirs:
            raise ValueError(f"the contributions of line {margin!r} (dimension {d}) do not add up to the margin's")
        lines.append(line)
    return lines


def with_margins(interior: Mapping[Key, Cell]) -> dict[Key, Cell]:
    """The table with every margin added (each combination of coordinates replaced by :data:`TOTAL`, the
    whole-table total included), each the sum of the interior cells it covers (flag ``""``: set margins' flags
    from their own estimates). The interior keys must not contain :data:`TOTAL`."""
    dimensions = _dimension(interior)
    if any(TOTAL in key for key in interior):
        raise ValueError("interior keys must not contain the TOTAL coordinate")
    covered: dict[Key, list[Cell]] = {}
    for key, cell in interior.items():
        for mask in itertools.product((False, True), repeat=dimensions):
            target = tuple(TOTAL if hide else coordinate for coordinate, hide in zip(key, mask, strict=True))
            covered.setdefault(target, []).append(cell)
    return {key: (interior[key] if key in interior else _combined(cells)) for key, cells in sorted(covered.items())}


def _proportions(table: Mapping[Key, Cell]) -> bool:
    kinds = {cell.numerator is None for cell in table.values() if cell.respondents}
    if len(kinds) > 1:
        raise ValueError("either every cell with respondents has a numerator (a proportion) or none has")
    return kinds == {False}


def _ancestors(key: Key) -> list[Key]:
    """The margins that contain a cell (some of its coordinates replaced by TOTAL)."""
    own = [d for d, coordinate in enumerate(key) if coordinate != TOTAL]
    result = []
    for size in range(1, len(own) + 1):
        for hidden in itertools.combinations(own, size):
            result.append(tuple(TOTAL if d in hidden else c for d, c in enumerate(key)))
    return result


# --- Audit ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    """What an attacker can learn of one masked cell: the intervals of its ``respondents``, and for proportions of
    its ``numerator`` and ``others`` (respondents - numerator); ``math.inf`` when unbounded. ``required``: the
    upper bound its respondents' interval must reach; ``problems`` says what fails (empty when ``protected``)."""

    respondents: tuple[float, float]
    numerator: tuple[float, float] | None
    others: tuple[float, float] | None
    required: int
    problems: tuple[str, ...]

    @property
    def protected(self) -> bool:
        return not self.problems


def _required(cell: Cell, reasons: tuple[str, ...], rules: DisclosureRules) -> int:
    required = cell.respondents
    if "frequency" in reasons:
        required = max(required, rules.min_respondents)
    if "dominance" in reasons:
        required = max(required, math.ceil(Fraction(cell.largest) / Fraction(repr(rules.dominance))))
    return required


class _Attack:
    """The attacker's integer program for one set of masked cells.

    Proportions: two non-negative integer variables per masked cell, its numerator ``m`` and the others ``o``
    (respondents = m + o >= 1), each additive along lines. Other kinds: one, its respondents (>= 1).
    """

    def __init__(self, table: Mapping[Key, Cell], lines: list[_Line], masked: set[Key], proportions: bool):
        self.table = table
        self.proportions = proportions
        self.keys = sorted(masked)
        self.index = {key: i for i, key in enumerate(self.keys)}
        parts = 2 if proportions else 1
        size = parts * len(self.keys)
        self.size = size
        self.ceiling = 10 * sum(cell.respondents for cell in table.values()) + 1000
        rows: list[np.ndarray] = []
        rhs: list[float] = []
        for line in lines:
            if not any(key in masked for key in line.keys):
                continue
            for part in range(parts):
                row = np.zeros(size)
                constant = 0
                for key in line.keys:
                    sign = -1 if key == line.margin else 1
                    if key in masked:
                        row[parts * self.index[key] + part] += sign
                    else:
                        constant += sign * self.known(table[key], part)
                rows.append(row)
                rhs.append(-constant)
        self.equalities = (np.array(rows), np.array(rhs)) if rows else None
        self.at_least_one = None
        if proportions and self.keys:
            at_least_one = np.zeros((len(self.keys), size))
            for i in range(len(self.keys)):
                at_least_one[i, 2 * i] = at_least_one[i, 2 * i + 1] = 1
            self.at_least_one = at_least_one
        low = 0 if proportions else 1
        self.bounds = (np.full(size, low), np.full(size, self.ceiling))
        self.points: list[np.ndarray] = []  # integer points the programs have found: each a table the attacker
        # cannot rule out

    def known(self, cell: Cell, part: int) -> int:
        if not self.proportions:
            return cell.respondents
        numerator = cell.numerator or 0
        return numerator if part == 0 else cell.respondents - numerator

    def _optimum(self, objective: np.ndarray) -> float:
        """The least value of ``objective`` over integer points. The continuous relaxation is solved first
        (``linprog``): when its optimum is an integer point (always in two dimensions, whose constraints are
        those of a transportation problem), it is the integer optimum; otherwise ``milp`` solves it exactly."""
        low, high = self.bounds
        equalities = self.equalities
        relaxed = linprog(
            objective,
            A_ub=None if self.at_least_one is None else -self.at_least_one,
            b_ub=None if self.at_least_one is None else -np.ones(len(self.keys)),
            A_eq=None if equalities is None else equalities[0],
            b_eq=None if equalities is None else equalities[1],
            bounds=np.column_stack((low, high)),
            method="highs",
        )
        if relaxed.status == 0 and np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
            self.points.append(np.round(relaxed.x))
            return float(round(relaxed.fun))
        constraints = []
        if equalities is not None:
            constraints.append(LinearConstraint(equalities[0], equalities[1], equalities[1]))
        if self.at_least_one is not None:
            constraints.append(LinearConstraint(self.at_least_one, 1, np.inf))
        result = milp(objective, integrality=np.ones(self.size), bounds=Bounds(low, high), constraints=constraints)
        if result.status != 0 or result.fun is None:
            raise RuntimeError(f"the attacker's program failed: {result.message}")
        self.points.append(np.round(result.x))
        return float(round(result.fun))

    def bound(self, key: Key, parts: tuple[int, ...], *, upper: bool) -> float:
        """The least (or greatest) value of the sum of ``parts`` of the cell (``math.inf`` when unbounded)."""
        objective = np.zeros(self.size)
        width = 2 if self.proportions else 1
        for part in parts:
            objective[width * self.index[key] + part] = -1 if upper else 1
        value = self._optimum(objective)
        if not upper:
            return value
        return math.inf if -value >= self.ceiling else -value

    def interval(self, key: Key, parts: tuple[int, ...]) -> tuple[float, float]:
        return self.bound(key, parts, upper=False), self.bound(key, parts, upper=True)

    def other_value(self, key: Key, part: int, value: int) -> float | None:
        """A value of one part of the cell other than ``value`` in an integer point found so far, or None: with
        the true table (also feasible), it proves that the part cannot be rebuilt exactly."""
        column = (2 if self.proportions else 1) * self.index[key] + part
        for point in self.points:
            if point[column] != value:
                return float(point[column])
        return None


def _exposure(
    attack: _Attack,
    key: Key,
    decision: Decision,
    rules: DisclosureRules,
    decisions: Mapping[Key, Decision],
    *,
    quick: bool = False,
) -> Exposure:
    """``quick``: stop at the first problem, and skip the bounds that cannot change the verdict: the true value is
    feasible, so an interval whose upper bound is above it is not a point, and neither is a numerator (or others)
    that differs from it in an integer point an earlier program found; its intervals are then partial, for
    :func:`protect`'s and :func:`problems`'s own use."""
    table = attack.table
    cell = table[key]
    problems: list[str] = []
    required = _required(cell, decision.reasons, rules)

    def interval(parts: tuple[int, ...], value: int, *, witnessed: bool = False) -> tuple[float, float]:
        """``witnessed``: only whether it is a point matters (a numerator's or the others'), so a value seen in
        an earlier integer point is enough."""
        if not quick:
            return attack.interval(key, parts)
        if witnessed and (seen := attack.other_value(key, parts[0], value)) is not None:
            return min(float(value), seen), max(float(value), seen)
        high = attack.bound(key, parts, upper=True)
        low = float(value) if high > value else attack.bound(key, parts, upper=False)
        return low, high

    respondents = interval((0, 1) if attack.proportions else (0,), cell.respondents)
    if respondents[0] == respondents[1]:
        problems.append(f"respondents can be rebuilt exactly ({respondents[0]:g})")
    elif respondents[1] < required:
        problems.append(f"respondents are at most {respondents[1]:g}, under the required {required}")
    numerator = others = None
    if attack.proportions and not (quick and problems):
        published_ancestors = [
            table[a] for a in _ancestors(key) if a in table and decisions.get(a, Decision(MASKED)).published
        ]
        for name, part in (("numerator", 0), ("others", 1)):
            value = attack.known(cell, part)
            bounds = interval((part,), value, witnessed=True)
            if name == "numerator":
                numerator = bounds
            else:
                others = bounds
            if bounds[0] != bounds[1]:
                continue
            implied = bounds[0] == 0 and any(attack.known(a, part) == 0 for a in published_ancestors)
            if not implied:
                problems.append(f"{name} can be rebuilt exactly ({bounds[0]:g})")
                if quick:
                    break
    return Exposure(respondents, numerator, others, required, tuple(problems))


def audit(
    table: Mapping[Key, Cell],
    decisions: Mapping[Key, Decision],
    rules: DisclosureRules | None = None,
    *,
    quick: bool = False,
) -> dict[Key, Exposure]:
    """For each masked cell, what the attacker of the module docstring can learn of it, and whether that meets
    the protection criterion (:attr:`Exposure.protected`).

    ``quick``: the same verdict for every cell, in far fewer integer programs (:func:`_exposure`): a bound is
    solved only when it can decide the verdict, and a cell's first problem is its only one; its intervals are then
    partial (a bound may be the cell's own value). :func:`problems` uses it."""
    rules = rules or DisclosureRules()
    lines = _lines(table)
    proportions = _proportions(table)
    masked = {key for key, decision in decisions.items() if decision.masked and key in table}
    attack = _Attack(table, lines, masked, proportions)
    return {key: _exposure(attack, key, decisions[key], rules, decisions, quick=quick) for key in attack.keys}


# --- Secondary suppression --------------------------------------------------------------------------------------


def _line_broken(line: _Line, table: Mapping[Key, Cell], masked: set[Key], rules: DisclosureRules) -> bool:
    hidden = [key for key in line.keys if key in masked]
    if not hidden:
        return False
    if len(hidden) < 2:
        return True
    if line.margin in masked:
        return False
    return bool(_primary_reasons(_combined(table[key] for key in hidden), rules))


def protect(table: Mapping[Key, Cell], rules: DisclosureRules | None = None) -> dict[Key, Decision]:
    """Every cell's decision: primary suppression, then secondary suppression until no masked value can be
    rebuilt or narrowed below its protection (see the module docstring). Raises ValueError when the table does
    not add up along its lines."""
    rules = rules or DisclosureRules()
    lines = _lines(table)
    proportions = _proportions(table)
    decisions = {key: primary(cell, rules) for key, cell in sorted(table.items())}
    masked = {key for key, decision in decisions.items() if decision.masked}
    lines_of: dict[Key, list[int]] = {key: [] for key in table}
    for i, line in enumerate(lines):
        for key in line.keys:
            lines_of[key].append(i)

    def candidates(keys: Iterable[Key]) -> list[Key]:
        def cost(key: Key) -> tuple[int, int, int, int, Key]:
            opens = closes = 0
            for i in lines_of[key]:
                count = sum(1 for k in lines[i].keys if k in masked)
                opens += count == 0
                closes += count == 1
            flag = 0 if decisions[key].status == "F" else 1
            return (key.count(TOTAL), opens - closes, flag, table[key].respondents, key)

        pool = {key for key in keys if key not in masked and table[key].respondents > 0}
        return sorted(pool, key=cost)

    def mask(key: Key) -> None:
        masked.add(key)
        decisions[key] = Decision(MASKED, ("secondary",))

    def close_lines() -> None:
        while True:
            broken = next((line for line in lines if _line_broken(line, table, masked, rules)), None)
            if broken is None:
                return
            choice = candidates(broken.keys)
            if not choice:  # cannot happen: a published margin passes the rules its members add up to
                raise RuntimeError(f"no cell left to mask in line {broken.margin!r}")
            mask(choice[0])

    close_lines()
    # Masking more only widens what the attacker cannot tell: a cell found protected stays protected.
    verified: set[Key] = set()
    while True:
        attack = _Attack(table, lines, masked, proportions)
        exposed = None
        for key in attack.keys:
            if key in verified:
                continue
            if not _exposure(attack, key, decisions[key], rules, decisions, quick=True).protected:
                exposed = key
                break
            verified.add(key)
        if exposed is None:
            return decisions
        near = candidates(k for i in lines_of[exposed] for k in lines[i].keys) or candidates(table)
        if not near:
            raise RuntimeError(f"cell {exposed!r} cannot be protected")
        chosen = near[0]
        for candidate in near:
            trial = _Attack(table, lines, masked | {candidate}, proportions)
            tentative = {**decisions, candidate: Decision(MASKED, ("secondary",))}
            if _exposure(trial, exposed, decisions[exposed], rules, tentative, quick=True).protected:
                chosen = candidate
                break
        mask(chosen)
        close_lines()


def problems(
    table: Mapping[Key, Cell], decisions: Mapping[Key, Decision], rules: DisclosureRules | None = None
) -> list[str]:
    """Everything wrong with publishing ``table`` under ``decisions``: a cell without a decision or with an
    unknown status, an empty cell not marked ``-``, a published cell that breaks a primary rule, a masked cell not
    protected (:func:`audit`, quick: the first problem of each such cell). Empty when it may be published."""
    rules = rules or DisclosureRules()
    found = []
    for key, cell in sorted(table.items()):
        decision = decisions.get(key)
        if decision is None or decision.status not in STATUSES:
            found.append(f"{key!r}: no valid decision ({decision!r})")
            continue
        if cell.respondents == 0 and decision.status != EMPTY:
            found.append(f"{key!r}: empty but status {decision.status!r}")
        if cell.respondents and decision.status == EMPTY:
            found.append(f"{key!r}: has respondents but status '-'")
        if decision.published and (reasons := _primary_reasons(cell, rules)):
            found.append(f"{key!r}: published but breaks {', '.join(reasons)}")
    if found:
        return found
    for key, exposure in audit(table, decisions, rules, quick=True).items():
        found.extend(f"{key!r}: {problem}" for problem in exposure.problems)
    return found


def assert_protected(
    table: Mapping[Key, Cell], decisions: Mapping[Key, Decision], rules: DisclosureRules | None = None
) -> None:
    """Raise :class:`DisclosureError` listing :func:`problems` unless there are none: the check to run before
    anything is published."""
    found = problems(table, decisions, rules)
    if found:
        raise DisclosureError("; ".join(found))


# --- What may be shown ------------------------------------------------------------------------------------------


def round_count(n: int, base: int = 5) -> int:
    """``n`` rounded to the nearest multiple of ``base`` (halves up, for an even base): counts in open data."""
    if n < 0:
        raise ValueError(f"a count is 0 or more, got {n!r}")
    if base < 1:
        raise ValueError(f"base must be at least 1, got {base!r}")
    return (n + base // 2) // base * base


@dataclass(frozen=True)
class Shown:
    """What a way out may show of one cell: its ``status``; ``value`` and its interval (``low``, ``high``) only
    for ``ok`` and ``E``; ``respondents`` rounded to the rules' base for ``ok``, ``E`` and ``F``; nothing else."""

    status: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    respondents: int | None = None


def published(estimate: Estimate, decision: Decision, rules: DisclosureRules | None = None) -> Shown:
    """The part of ``estimate`` that ``decision`` allows to show (see :class:`Shown`)."""
    rules = rules or DisclosureRules()
    if decision.status not in STATUSES:
        raise ValueError(f"unknown status {decision.status!r}")
    if decision.status == EMPTY:
        return Shown(EMPTY, respondents=0)
    if not decision.published:
        return Shown(decision.status)
    respondents = round_count(estimate.n, rules.rounding_base)
    if decision.status == "F" or estimate.value is None:
        return Shown(decision.status, respondents=respondents)
    interval = estimate.interval
    return Shown(
        decision.status,
        estimate.value,
        None if interval is None else interval.low,
        None if interval is None else interval.high,
        respondents,
    )


def published_value(estimate: Estimate, decision: Decision) -> float | None:
    """The estimate's value when it may be shown (``ok`` or ``E``), else None (``x``, ``F``, ``-``)."""
    return estimate.value if decision.status in ("ok", "E") else None
