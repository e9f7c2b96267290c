"""Which of an organisation's figures its public impact page may show (METHODS.md §4), decided number by number.

An impact page is outside the organisation that collected the answers, so every figure drawn from answers passes
:func:`socle.lib.sector.disclosure.primary` before it is shown, with the public rules (:data:`PUBLIC_RULES`):

- ``frequency``: at least 11 respondents behind the figure;
- ``attribute``: a proportion where everyone gave the same answer (0 % or 100 %) is masked under 30 respondents;
- the establishment rules (3 establishments, 85 % dominance) are not applied: they protect an establishment from
  the eyes of others, and here the organisation publishes its own establishments' figures itself.

A figure stands alone on the page (no margin, no breakdown), so there is no secondary suppression to do: nothing
on the page adds up to a masked value. The status of a shown figure is its reliability flag: ``ok``, or ``E``
(shown, marked "fragile"); ``F`` (effective n under 30, or a coefficient of variation over 33.3 %) shows the
number of answers but no value; ``x`` shows neither.

Activity figures (people supported, nights…) are counts an establishment reports, not answers; a count of people
from 1 to 10 is still not shown (:func:`public_count`), lest it point at a few persons. A rate of activity (exits
to housing among exits) whose denominator counts people passes the same primary rules as a proportion, its
denominator standing for the respondents (:func:`public_rate`): no rate of fewer than 11 exits, no 0 % or 100 % of
fewer than 30.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from socle.lib.measurement.estimate import Estimate
from socle.lib.sector.disclosure import EMPTY, MASKED, Cell, DisclosureRules, primary

__all__ = ["PUBLIC_RULES", "SHOWN", "PublicCount", "PublicFigure", "public_count", "public_figure", "public_rate"]

PUBLIC_RULES: Final = DisclosureRules(min_establishments=1, dominance=1.0)
SHOWN: Final = ("ok", "E")  # statuses whose value is shown


@dataclass(frozen=True)
class PublicFigure:
    """One figure as the public may see it: ``value``, ``low`` and ``high`` only when ``status`` is ``ok`` or
    ``E``; ``n`` only when the figure passes the disclosure rules (``ok``, ``E``, ``F``)."""

    status: str
    reasons: tuple[str, ...] = ()
    value: float | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = None

    @property
    def shown(self) -> bool:
        return self.status in SHOWN

    @property
    def fragile(self) -> bool:
        return self.status == "E"


def public_figure(estimate: Estimate, numerator: int | None, rules: DisclosureRules = PUBLIC_RULES) -> PublicFigure:
    """The public form of an organisation's estimate. ``numerator``: for a proportion (or an evolution), the
    respondents (pairs) counted in it, so that a unanimous answer can be told; None for other kinds."""
    if estimate.n <= 0:
        return PublicFigure(EMPTY)
    if numerator is not None and not 0 <= numerator <= estimate.n:
        raise ValueError(f"numerator {numerator} is not within 0..n={estimate.n}")
    decision = primary(Cell(estimate.n, {"": estimate.n}, numerator, estimate.flag), rules)
    if decision.status == MASKED:
        return PublicFigure(MASKED, tuple(decision.reasons))
    if decision.status not in SHOWN or estimate.value is None:
        return PublicFigure("F", n=estimate.n)
    interval = estimate.interval
    return PublicFigure(
        decision.status,
        value=estimate.value,
        low=interval.low if interval else None,
        high=interval.high if interval else None,
        n=estimate.n,
    )


@dataclass(frozen=True)
class PublicCount:
    """An activity count as the public may see it: ``value`` None when it is a count of 1 to 10 people."""

    value: float | None
    below: int | None = None  # the threshold it is under, when hidden

    @property
    def shown(self) -> bool:
        return self.value is not None


def public_count(value: float | None, *, people: bool, rules: DisclosureRules = PUBLIC_RULES) -> PublicCount:
    """An activity figure for the public: a count of people between 1 and ``min_respondents - 1`` is hidden (said
    to be under the threshold); other figures (nights, staff, a count of 0 or more) are shown as they are."""
    if value is None:
        return PublicCount(None)
    if people and 0 < value < rules.min_respondents:
        return PublicCount(None, below=rules.min_respondents)
    return PublicCount(value)


def public_rate(
    value: float | None, numerator: Decimal, denominator: Decimal, rules: DisclosureRules = PUBLIC_RULES
) -> PublicCount:
    """An activity rate for the public. When both terms are whole numbers (counts of people), the rate is masked as
    a proportion would be (frequency, attribute); otherwise (nights over places…) it is shown as it is."""
    if value is None:
        return PublicCount(None)
    if denominator == denominator.to_integral_value() and numerator == numerator.to_integral_value():
        people, counted = int(denominator), int(numerator)
        if people <= 0 or not 0 <= counted <= people:
            return PublicCount(None)
        if primary(Cell(people, {"": people}, counted), rules).status == MASKED:
            return PublicCount(None)
    return PublicCount(value)
