"""Sufficient statistics of indicators: small, exact, summable records.

One record holds what an estimate needs from a group of respondents (or activity reports): counts, sums and sums
of squares. Records of the same kind **add up**: the record of a group is the sum of the records of any partition
of it, whatever the order (``+`` is associative and commutative, ``Kind()`` is the zero, ``-`` takes a
contribution back out, for a corrected or withdrawn submission). That is what lets facts be kept per
(indicator, establishment, campaign, wave, breakdown), updated one submission at a time, and summed for any
higher level; and a rebuild from scratch gives exactly the record kept incrementally.

Exactness. Counts are ``int``. Sums of values are ``decimal.Decimal`` computed in a context with unlimited
precision that traps any rounding (:data:`EXACT`): the values come from answers and activity data as ints or
Decimals with finite expansions, and sums and products of those are exact. Floats never enter a record
(a float given to :func:`number` is read through its shortest decimal text, as the expression evaluator does).
Estimates (:mod:`.estimate`) convert to ``fractions.Fraction`` for their divisions and only then to ``float``.

Serialisation. :meth:`to_dict` gives JSON values: ints as JSON integers, Decimals as their exact decimal text
without trailing zeros (``"12.5"``), or as integers when whole; every record carries its ``kind``.
:func:`stats_from_dict` reads any record back (``from_dict(to_dict(s)) == s``); a wrong or missing field raises
``ValueError`` naming it.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, ClassVar, Final, Self, TypeVar

__all__ = [
    "EXACT",
    "STATS_CLASSES",
    "CountStats",
    "EvolutionStats",
    "MeanStats",
    "ProportionStats",
    "RatioStats",
    "Stats",
    "decimal_text",
    "number",
    "read_decimal",
    "stats_from_dict",
    "total",
]

# Unlimited precision, and any rounding is an error: additions, subtractions and multiplications of finite
# Decimals are exact in it. Never divide in this context (a division such as 1/3 would try to fill MAX_PREC digits).
EXACT: Final = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero],
)
ZERO: Final = Decimal(0)
# Decimal text as stored answers and records hold it: ``12``, ``-3``, ``12.5``, ``.5``, and the exponent form
# ``str(Decimal)`` gives for very small or large values (``1E-7``).
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")


def number(value: object) -> int | Decimal | None:
    """A value as a number for the statistics, or None when it is not one.

    ``bool`` is 0 or 1 (a condition used as a value), ``int`` and finite ``Decimal`` stay, a finite ``float`` is
    read through its shortest decimal text (``0.1`` → ``Decimal('0.1')``), and a string of decimal digits
    (``"12.5"``, ``" -3 "``, as stored answers hold decimals and scale choices) is read exactly. Anything else
    (``''``, ``'dk'``, text, dates, lists, NaN, infinities) is None.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_TEXT.fullmatch(text):
            return int(text) if text.lstrip("+-").isdigit() else Decimal(text)
    return None


def decimal_text(value: Decimal) -> int | str:
    """The exact JSON form of a Decimal: an int when whole, else its plain decimal text without trailing zeros."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite number: {value}")
    if not any(digits):
        return 0
    digit_list = list(digits)
    while exponent < 0 and len(digit_list) > 1 and digit_list[-1] == 0:
        digit_list.pop()
        exponent += 1
    text = "".join(map(str, digit_list)) or "0"
    if exponent >= 0:
        whole = int(text + "0" * exponent)
        return -whole if sign else whole
    places = -exponent
    text = text.rjust(places + 1, "0")
    return f"{'-' if sign else ''}{text[:-places]}.{text[-places:]}"


def read_decimal(value: object, name: str = "value") -> Decimal:
    """A Decimal from its JSON form (an int, or a string of decimal digits); raises ``ValueError`` otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise ValueError(f"{name}: expected an integer or a string of decimal digits, got {value!r}")


def _read_int(value: object, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"{name}: expected an integer, got {value!r}")


def _add(left: int | Decimal, right: int | Decimal) -> int | Decimal:
    if isinstance(left, int) and isinstance(right, int):
        return left + right
    return EXACT.add(left, right)


def _subtract(left: int | Decimal, right: int | Decimal) -> int | Decimal:
    if isinstance(left, int) and isinstance(right, int):
        return left - right
    return EXACT.subtract(left, right)


def square(value: int | Decimal) -> int | Decimal:
    """``value²``, exactly."""
    if isinstance(value, int):
        return value * value
    return EXACT.multiply(value, value)


def exact_sum(values: Iterable[int | Decimal]) -> Decimal:
    """The exact sum of numbers, as a Decimal."""
    result = ZERO
    for value in values:
        result = EXACT.add(result, value)
    return result


_S = TypeVar("_S", bound="_Summable")


@dataclass(frozen=True, slots=True)
class _Summable:
    """Field-wise addition and subtraction for records whose fields are all ``int`` or ``Decimal``.

    Subclasses declare their fields with defaults (0 or ``ZERO``), so that ``Kind()`` is the zero record."""

    kind: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type in ("int", int):
                if not isinstance(value, int) or isinstance(value, bool):
                    raise TypeError(f"{type(self).__name__}.{f.name} must be an int, got {value!r}")
            elif isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, f.name, Decimal(value))
            elif not isinstance(value, Decimal) or not value.is_finite():
                raise TypeError(f"{type(self).__name__}.{f.name} must be a finite Decimal, got {value!r}")

    def __add__(self, other: object) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return type(self)(*(_add(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)))

    def __radd__(self, other: object) -> Self:
        # So that the built-in sum() works without a start value: sum(records) starts at 0.
        if other == 0 and not isinstance(other, bool):
            return self
        return NotImplemented

    def __sub__(self, other: object) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return type(self)(*(_subtract(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)))

    def __neg__(self) -> Self:
        return type(self)() - self

    def is_zero(self) -> bool:
        """Whether every field is 0 (nothing was counted)."""
        return all(getattr(self, f.name) == 0 for f in fields(self))

    def to_dict(self) -> dict[str, Any]:
        """JSON values, exact: see the module docstring."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = decimal_text(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The record written by :meth:`to_dict`; raises ``ValueError`` for a wrong kind, a missing or unknown
        field, or a value of the wrong shape."""
        if data.get("kind") != cls.kind:
            raise ValueError(f"expected statistics of kind {cls.kind!r}, got {data.get('kind')!r}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - {"kind", *names})
        if unknown:
            raise ValueError(f"unknown field(s) for {cls.kind} statistics: {', '.join(unknown)}")
        values: list[int | Decimal] = []
        for f in fields(cls):
            if f.name not in data:
                raise ValueError(f"{cls.kind} statistics: missing field {f.name!r}")
            if f.type in ("int", int):
                values.append(_read_int(data[f.name], f.name))
            else:
                values.append(read_decimal(data[f.name], f.name))
        return cls(*values)


@dataclass(frozen=True, slots=True)
class ProportionStats(_Summable):
    """A proportion among respondents: ``numerator / n``.

    ``n``: respondents in the denominator (their answer known, not "don't know"); ``numerator``: those of them
    who meet the numerator's condition; ``dont_know``: respondents who answered "don't know" (or "prefer not to
    say") to what the indicator reads, excluded from ``n`` and counted here so that their share can be shown.
    Unanswered questions count nowhere.
    """

    kind: ClassVar[str] = "proportion"
    n: int = 0
    numerator: int = 0
    dont_know: int = 0


@dataclass(frozen=True, slots=True)
class MeanStats(_Summable):
    """A mean over respondents: ``total / n``, with ``sum_squares`` for the variance.

    ``n``: respondents with a value; ``total``: the sum of their values; ``sum_squares``: the sum of the squares
    of their values; ``dont_know``: respondents without a value because of a "don't know" answer.
    """

    kind: ClassVar[str] = "mean"
    n: int = 0
    total: Decimal = ZERO
    sum_squares: Decimal = ZERO
    dont_know: int = 0


@dataclass(frozen=True, slots=True)
class CountStats(_Summable):
    """A count: of respondents meeting a condition (answers), or the sum of a value over activity reports.

    ``total``: the count or the sum; ``n``: the submissions or reports that added to it (for answers,
    ``total == n``); ``dont_know``: respondents left out because of a "don't know" answer to the condition;
    ``missing``: activity reports in which the value could not be computed (an item left empty).
    """

    kind: ClassVar[str] = "count"
    total: Decimal = ZERO
    n: int = 0
    dont_know: int = 0
    missing: int = 0


@dataclass(frozen=True, slots=True)
class RatioStats(_Summable):
    """A ratio of activity data: ``numerator / denominator``, sums over reports.

    ``reports``: reports in which both expressions could be computed (they are the only ones summed);
    ``missing``: reports in which one could not (an item left empty). What the variance of a ratio needs across
    establishments (sums of squares and products of *establishment totals*) cannot be summed report by report:
    it is built from one record per establishment by :class:`socle.lib.measurement.cluster.ClusterSums`.
    """

    kind: ClassVar[str] = "ratio"
    numerator: Decimal = ZERO
    denominator: Decimal = ZERO
    reports: int = 0
    missing: int = 0


@dataclass(frozen=True, slots=True)
class EvolutionStats(_Summable):
    """A paired evolution: the same respondents at two waves.

    Over the ``pairs`` whose value is known at both waves: ``sum_from`` and ``sum_to`` (the values at each wave),
    ``sum_squares_change`` (the sum of the squared changes, change = value at ``to_wave`` - value at
    ``from_wave``), ``improved`` (changes beyond the indicator's ``improvement`` in its ``direction``).
    ``dont_know``: pairs in which a value is unknown because of a "don't know"; ``from_only`` and ``to_only``:
    respondents with a value at one wave only (not followed up yet, or no value at the other wave).
    """

    kind: ClassVar[str] = "evolution"
    pairs: int = 0
    sum_from: Decimal = ZERO
    sum_to: Decimal = ZERO
    sum_squares_change: Decimal = ZERO
    improved: int = 0
    dont_know: int = 0
    from_only: int = 0
    to_only: int = 0

    @property
    def sum_change(self) -> Decimal:
        """The sum of the changes over the pairs: ``sum_to - sum_from``."""
        return EXACT.subtract(self.sum_to, self.sum_from)


Stats = ProportionStats | MeanStats | CountStats | RatioStats | EvolutionStats

STATS_CLASSES: Final[Mapping[str, type[Stats]]] = {
    cls.kind: cls for cls in (ProportionStats, MeanStats, CountStats, RatioStats, EvolutionStats)
}


def stats_from_dict(data: Mapping[str, Any]) -> Stats:
    """Any record written by ``to_dict``, by its ``kind``."""
    cls = STATS_CLASSES.get(str(data.get("kind")))
    if cls is None:
        raise ValueError(f"unknown kind of statistics: {data.get('kind')!r}")
    return cls.from_dict(data)


def total(records: Iterable[_S], zero: _S) -> _S:
    """The sum of records of one kind, ``zero`` (``Kind()``) when there are none: field by field, building one
    record at the end (as ``zero + record + …`` would, without a record per step)."""
    cls = type(zero)
    names = [f.name for f in fields(zero)]
    sums: list[int | Decimal] = [getattr(zero, name) for name in names]
    for record in records:
        if type(record) is not cls:
            raise TypeError(f"cannot add a {type(record).__name__} to a {cls.__name__}")
        sums = [_add(left, getattr(record, name)) for left, name in zip(sums, names, strict=True)]
    return cls(*sums)
