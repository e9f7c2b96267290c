"""Reads for the activity pages: the grid of establishments by periods, a report's history, labels and numbers.

One query for the reports of a page, never one per cell.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from socle.activity.access import current_reports
from socle.activity.models import ActivityReport
from socle.frameworks.models import Framework
from socle.lib.activity.periods import KINDS, Period, PeriodKind, periods_in_year
from socle.lib.activity.values import ActivityForm, Item, Number, changed_items, from_json, text_in
from socle.network.access import establishments_of
from socle.network.models import Establishment, Organisation


def language() -> str:
    return (get_language() or "fr")[:2]


def show_number(value: Number | None) -> str:
    """A value as people read it: ``3,5`` in French, ``1 250`` with the locale's grouping; ``—`` when absent."""
    if value is None:
        return "—"
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def input_text(value: Number | None) -> str:
    """A value as the form shows it to be edited: no grouping, the locale's decimal separator."""
    if value is None:
        return ""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",") if language() == "fr" else text


def period_label(period: Period) -> str:
    """``2026``, ``T1 2026`` / ``Q1 2026``, ``mars 2026`` / ``March 2026``."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "quarter":
        return _("Q%(number)d %(year)d") % {"number": period.number, "year": period.year}
    return formats.date_format(period.start, "F Y")


def item_label(item: Item | None, code: str) -> str:
    return text_in(item.label, language()) if item else code


def default_year(organisation: Organisation, framework: Framework, today: datetime.date) -> int:
    """The year of the latest period reported, else last year (activity is reported after the period)."""
    latest = (
        current_reports(organisation.pk)
        .filter(framework=framework)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    return latest.year if latest else today.year - 1


def default_kind(organisation: Organisation, framework: Framework, year: int) -> PeriodKind:
    """The shortest kind of period reported that year, else the year."""
    kinds = set(
        current_reports(organisation.pk)
        .filter(framework=framework, period_start__year=year)
        .values_list("period_kind", flat=True)
        .distinct()
    )
    for kind in ("month", "quarter"):
        if kind in kinds:
            return kind  # type: ignore[return-value]
    return "year"


@dataclass
class Cell:
    period: Period
    label: str
    report: ActivityReport | None
    started: bool


@dataclass
class GridRow:
    establishment: Establishment
    cells: list[Cell]

    @property
    def entered(self) -> int:
        return sum(1 for cell in self.cells if cell.report is not None)


@dataclass
class ValuesRow:
    establishment: Establishment
    period: Period
    label: str
    report: ActivityReport
    shown: list[str]


@dataclass
class Overview:
    periods: list[Period]
    headers: list[str]
    rows: list[GridRow]
    values: list[ValuesRow]
    items: tuple[Item, ...]
    expected: int = 0  # cells of periods already started
    entered: int = 0
    kinds: tuple[str, ...] = field(default=KINDS)


def overview(
    organisation: Organisation,
    framework: Framework,
    form: ActivityForm,
    *,
    year: int,
    kind: PeriodKind,
    today: datetime.date,
) -> Overview:
    periods = periods_in_year(year, kind)
    codes = [p.code for p in periods]
    labels = {p.code: period_label(p) for p in periods}
    establishments = list(establishments_of(organisation).order_by("name", "pk"))
    reports = {
        (r.establishment_id, r.period): r
        for r in current_reports(organisation.pk)
        .filter(framework=framework, period__in=codes)
        .select_related("entered_by")
    }
    rows: list[GridRow] = []
    values: list[ValuesRow] = []
    expected = entered = 0
    for establishment in establishments:
        cells = []
        for period in periods:
            report = reports.get((establishment.pk, period.code))
            started = period.start <= today
            cells.append(Cell(period, labels[period.code], report, started))
            expected += started
            entered += report is not None
            if report is not None:
                numbers = report.numbers
                values.append(
                    ValuesRow(
                        establishment,
                        period,
                        labels[period.code],
                        report,
                        [show_number(numbers.get(i.code)) for i in form.items],
                    )
                )
        rows.append(GridRow(establishment, cells))
    return Overview(periods, [labels[c] for c in codes], rows, values, form.items, expected, entered)


@dataclass
class Change:
    code: str
    label: str
    before: str
    after: str


@dataclass
class Revision:
    report: ActivityReport
    changes: list[Change]
    values: list[tuple[str, str, str]]  # (code, label, shown value) of every item given


def history(revisions: QuerySet[ActivityReport], form: ActivityForm) -> list[Revision]:
    """Every revision, newest first, with what it changed from the one before."""
    ordered = list(revisions.select_related("entered_by", "framework_version").order_by("revision"))
    out: list[Revision] = []
    previous: dict[str, Any] = {}
    order = {code: position for position, code in enumerate(form.codes)}
    for report in ordered:
        numbers = from_json(report.values)
        before = from_json(previous)
        codes = sorted(changed_items(previous, report.values), key=lambda c: (order.get(c, len(order)), c))
        changes = (
            [
                Change(c, item_label(form.item(c), c), show_number(before.get(c)), show_number(numbers.get(c)))
                for c in codes
            ]
            if report.revision > 1
            else []
        )
        given = sorted(numbers, key=lambda c: (order.get(c, len(order)), c))
        out.append(
            Revision(report, changes, [(c, item_label(form.item(c), c), show_number(numbers[c])) for c in given])
        )
        previous = report.values
    out.reverse()
    return out
