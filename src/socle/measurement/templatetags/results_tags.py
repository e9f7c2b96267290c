"""Figures as a reader sees them: values with their unit, intervals, changes (localised decimals)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()

NBSP = "\u00a0"


def _digits(unit: str) -> int:
    return 1 if unit == "%" else 2


@register.filter
def figure(value: object, unit: str = "") -> str:
    """``52,3 %``; an em dash when there is no value."""
    if not isinstance(value, int | float | Decimal):
        return "—"  # None, or a missing attribute in a template (an empty string)
    whole = unit != "%" and float(value).is_integer()
    shown = floatformat(value, 0 if whole else _digits(unit))
    return f"{shown}{NBSP}{unit}" if unit else str(shown)


@register.filter
def interval(estimate: object, unit: str = "") -> str:
    """``45,1 - 60,2`` (an en dash between) (the estimate's interval, in the value's unit), or an em dash."""
    found = getattr(estimate, "interval", None)
    if found is None:
        return "—"
    digits = _digits(unit)
    return f"{floatformat(found.low, digits)} – {floatformat(found.high, digits)}"


@register.filter
def signed(value: object, unit: str = "") -> str:
    """A change with its sign: ``+4,2``; an em dash when there is none. Percentages are in points."""
    if not isinstance(value, int | float | Decimal):
        return "—"
    shown = floatformat(abs(value), _digits(unit))
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    points = _("pts")  # percentage points
    suffix = f"{NBSP}{points}" if unit == "%" else (f"{NBSP}{unit}" if unit else "")
    return f"{sign}{shown}{suffix}"


@register.filter
def percent(share: object) -> str:
    """A share in [0, 1] as ``12 %``."""
    if not isinstance(share, int | float):
        return "—"
    return f"{floatformat(share * 100, 0)}{NBSP}%"
