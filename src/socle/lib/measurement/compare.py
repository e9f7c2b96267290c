"""The difference between two estimates of one indicator, from two campaigns (continuous improvement).

``B - A`` with a normal interval: ``SE = √(SE_a² + SE_b²)``, ``B - A ± z·SE``, ``z`` the normal quantile at
``1 - alpha/2``. It treats the two estimates as **independent**. Two campaigns of one organisation may well ask
the same people (an entry campaign one year, the next year's campaign, people still supported): their answers
are then positively correlated, the true variance of the difference is ``SE_a² + SE_b² - 2·cov`` with
``cov > 0``, and the interval given here is wider than the exact one: conservative. A difference this interval
says is real (the interval excludes 0) is at least as real with correlated samples; some real differences go
unseen. For the change of the *same* people, use the paired evolution indicators instead.

Each ``SE`` is the standard error the estimate already carries (clustered by establishment across an
organisation, see :mod:`.cluster`), in the indicator's displayed unit (already multiplied by its factor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .estimate import CONFIDENCE, normal_quantile

__all__ = ["Difference", "difference", "is_real"]


@dataclass(frozen=True)
class Difference:
    """``value`` = B - A, its ``standard_error`` and interval ``low``-``high`` at ``level`` (None, None and
    None when a standard error is unknown: then only the difference is known)."""

    value: float
    standard_error: float | None
    low: float | None
    high: float | None
    level: float

    @property
    def excludes_zero(self) -> bool:
        """The interval lies wholly above or below 0: the change is unlikely to be chance alone."""
        return is_real(self)


def difference(
    value_a: float,
    se_a: float | None,
    value_b: float,
    se_b: float | None,
    *,
    level: float = CONFIDENCE,
) -> Difference:
    """B - A with its normal interval, assuming independent estimates (see the module's note)."""
    for name, number in (("value_a", value_a), ("value_b", value_b)):
        if not math.isfinite(number):
            raise ValueError(f"{name} must be a finite number, got {number!r}")
    delta = value_b - value_a
    if se_a is None or se_b is None:
        return Difference(delta, None, None, None, level)
    for name, error in (("se_a", se_a), ("se_b", se_b)):
        if not math.isfinite(error) or error < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {error!r}")
    standard_error = math.hypot(se_a, se_b)
    half = normal_quantile(level) * standard_error
    return Difference(delta, standard_error, delta - half, delta + half, level)


def is_real(diff: Difference) -> bool:
    """True when the interval is known and excludes 0 (strictly)."""
    if diff.low is None or diff.high is None:
        return False
    return diff.low > 0 or diff.high < 0
