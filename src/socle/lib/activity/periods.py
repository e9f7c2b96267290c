"""Periods of activity data: a calendar year, a quarter or a month.

A period is written ``2026`` (a year), ``2026-Q1`` (a quarter; ``2026-T1``, French *trimestre*, is read too)
or ``2026-03`` (a month; ``2026-3`` is read too). :func:`parse_period` reads these leniently (case, spaces,
``2026 Q1``, ``2026/03``) and always gives the canonical code back (:attr:`Period.code`); anything else raises
:class:`PeriodError` with a sentence that says what to write instead.

Years run from :data:`MIN_YEAR` to :data:`MAX_YEAR`. Periods of different kinds may overlap (the year 2026
contains its quarters and months): each is a period of its own, and whoever aggregates chooses which to use.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "KINDS",
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodError",
    "parse_period",
    "periods_in_year",
]

PeriodKind = Literal["year", "quarter", "month"]
KINDS: Final[tuple[PeriodKind, ...]] = ("year", "quarter", "month")
MIN_YEAR: Final = 1990
MAX_YEAR: Final = 2100

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*([QT])\s*(\d{1,2})", re.IGNORECASE)
_QUARTER_FIRST = re.compile(r"([QT])\s*(\d{1,2})\s*[-/ ]?\s*(\d{4})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})\s*[-/]\s*(\d{1,2})")
_HOW = "write a year (2026), a quarter (2026-Q1) or a month (2026-03)"


class PeriodError(ValueError):
    """The text is not a period; the message says what to write, ``code`` says why for translations:
    ``empty``, ``shape`` (not a period at all), ``year`` (out of range), ``quarter``, ``month``, ``kind``."""

    def __init__(self, message: str, code: str = "shape") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Period:
    """One period: ``number`` is 0 for a year, 1 to 4 for a quarter, 1 to 12 for a month."""

    kind: PeriodKind
    year: int
    number: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PeriodError(f"unknown kind of period {self.kind!r}: year, quarter or month", "kind")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}", "year")
        highest = {"year": 0, "quarter": 4, "month": 12}[self.kind]
        lowest = 0 if self.kind == "year" else 1
        if not lowest <= self.number <= highest:
            raise PeriodError(
                {"year": "a year has no number", "quarter": "a quarter is Q1 to Q4", "month": "a month is 01 to 12"}[
                    self.kind
                ],
                "kind" if self.kind == "year" else self.kind,
            )

    @property
    def code(self) -> str:
        """The canonical text: ``2026``, ``2026-Q1``, ``2026-03``."""
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def first_month(self) -> int:
        return {"year": 1, "quarter": 3 * self.number - 2, "month": self.number}[self.kind]

    @property
    def last_month(self) -> int:
        return {"year": 12, "quarter": 3 * self.number, "month": self.number}[self.kind]

    @property
    def start(self) -> datetime.date:
        """The first day of the period."""
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the period (included)."""
        month = self.last_month
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies wholly inside this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    def sort_key(self) -> tuple[datetime.date, int]:
        """Chronological, the longer period first when two start on the same day (2026, 2026-Q1, 2026-01…)."""
        return (self.start, -self.days)

    def __str__(self) -> str:
        return self.code


def parse_period(text: str) -> Period:
    """Reads ``2026``, ``2026-Q1`` or ``2026-03`` (leniently); raises :class:`PeriodError` saying what to write."""
    cleaned = " ".join(str(text).replace("\u00a0", " ").replace("\u202f", " ").split())
    if not cleaned:
        raise PeriodError(f"the period is empty: {_HOW}", "empty")
    if match := _YEAR.fullmatch(cleaned):
        return Period("year", _checked_year(int(match.group(1)), cleaned))
    if match := _QUARTER.fullmatch(cleaned):
        year, number = int(match.group(1)), int(match.group(3))
    elif match := _QUARTER_FIRST.fullmatch(cleaned):
        year, number = int(match.group(3)), int(match.group(2))
    else:
        match = None
    if match is not None:
        if not 1 <= number <= 4:
            raise PeriodError(f"{cleaned!r}: a quarter is Q1 to Q4", "quarter")
        return Period("quarter", _checked_year(year, cleaned), number)
    if match := _MONTH.fullmatch(cleaned):
        year, number = int(match.group(1)), int(match.group(2))
        if not 1 <= number <= 12:
            raise PeriodError(f"{cleaned!r}: a month is 01 to 12", "month")
        return Period("month", _checked_year(year, cleaned), number)
    raise PeriodError(f"{cleaned!r} is not a period: {_HOW}")


def _checked_year(year: int, text: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{text!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}", "year")
    return year


def periods_in_year(year: int, kind: PeriodKind) -> list[Period]:
    """The periods of one kind in a calendar year, in order: the year itself, its 4 quarters or its 12 months."""
    if kind == "year":
        return [Period("year", year)]
    if kind == "quarter":
        return [Period("quarter", year, number) for number in range(1, 5)]
    return [Period("month", year, number) for number in range(1, 13)]
