"""The problems found by `socle.lib.activity`, in the person's language.

The pure library says what is wrong with a reason code and an English sentence; these are the same sentences as
translatable strings, by code. A failed check keeps the framework's own message, already in the language asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from socle.lib.activity.imports import RowError
from socle.lib.activity.values import Problem

VALUE_MESSAGES: Mapping[str, Promise] = {
    "not_an_integer": _("Write a whole number with digits only, for example 12."),
    "negative": _("Write 0 or more: this count cannot be negative."),
    "not_a_number": _("Write a number, for example 12.5 (with a point or a comma)."),
    "too_large": _("This number is too large: write at most %(maximum)s."),
    "too_many_decimals": _("Write at most %(decimals)s decimals."),
    "unknown_item": _("This is not an activity item of the framework."),
    "nothing_given": _("Enter at least one value."),
}

PERIOD_MESSAGES: Mapping[str, Promise] = {
    "empty": _("Write the period: a year (2026), a quarter (2026-Q1) or a month (2026-03)."),
    "shape": _("This is not a period: write a year (2026), a quarter (2026-Q1) or a month (2026-03)."),
    "year": _("The year of this period is out of range: check it."),
    "quarter": _("A quarter is Q1 to Q4, for example 2026-Q1."),
    "month": _("A month is 01 to 12, for example 2026-03."),
    "kind": _("This is not a period: write a year (2026), a quarter (2026-Q1) or a month (2026-03)."),
}

ROW_MESSAGES: Mapping[str, Promise] = {
    "missing_column": _("The column %(column)s is missing: add it (leave its cells empty where there is no value)."),
    "unknown_column": _(
        "This column is not an activity item of the framework: rename it to one of %(codes)s, or remove it."
    ),
    "duplicate_column": _("This column appears twice: keep one."),
    "empty_file": _("The file has no header row: download the template and fill it in."),
    "no_rows": _("The file has no data row."),
    "establishment_missing": _("Write the establishment's FINESS number."),
    "bad_finess": _("This is not a FINESS number: it has 9 characters, the last one a check digit."),
    "unknown_establishment": _("No establishment of your organisation has this FINESS number."),
    "period_missing": _("Write the period: a year (2026), a quarter (2026-Q1) or a month (2026-03)."),
    "future_period": _("This period has not started yet: activity data is entered once the period has begun."),
    "duplicate_row": _("This establishment and period are already on row %(row)s: keep one row."),
    "extra_cells": _(
        "This row has more cells than the header has columns: a number written with a decimal comma in a "
        "comma-separated file? Put such numbers in quotes, or separate the columns with semicolons."
    ),
}


def _format(template: Promise, params: Mapping[str, Any]) -> str:
    return str(template) % params if params else str(template)


def problem_message(problem: Problem) -> str:
    """A problem of a report, in the active language."""
    if problem.kind == "check":
        return problem.message
    template = VALUE_MESSAGES.get(problem.reason)
    return _format(template, problem.params) if template is not None else problem.message


def row_message(error: RowError) -> str:
    """A problem of an imported file, in the active language."""
    if error.code == "check":
        return error.reason
    if error.code == "bad_period":
        template = PERIOD_MESSAGES.get(str(error.params.get("why", "shape")))
        return str(template) if template is not None else error.reason
    template = VALUE_MESSAGES.get(error.code) or ROW_MESSAGES.get(error.code)
    return _format(template, error.params) if template is not None else error.reason
