"""Reading and checking a file of activity data: one row per establishment and period.

Framework-free. The file is a CSV (UTF-8 or Windows-1252, separated by semicolons, commas or tabs) or an Excel
workbook (``.xlsx``, first sheet), read by :func:`socle.lib.frame.read_table`. Its first non-empty row names the
columns:

- ``establishment`` (also ``etablissement``, ``finess``): the establishment's FINESS number, spaces and dots
  allowed. The caller passes the identifiers it accepts (its organisation's establishments) as a mapping from
  normalised identifier to the key it wants back;
- ``period`` (also ``periode``): ``2026``, ``2026-Q1`` or ``2026-03`` (:mod:`socle.lib.activity.periods`);
- one column per activity item, named by the item's code, **every item of the framework**: a value not known
  yet is an empty cell, never a missing column, so that a file made for an older version of the framework is
  noticed instead of silently emptying the new items;
- ``name`` (also ``nom``, ``establishment_name``, ``nom_etablissement``): optional, for the people who fill in
  the file, and ignored.

Any other column is an error (a misspelt item code must not be dropped silently), and so is a row with more
non-empty cells than the header has columns (typically ``20,5`` in a comma-separated file, which would otherwise
shift or lose a value). Column names are matched
without regard to case, accents or punctuation (``Période`` is ``period``).

Every row is checked as a report (:meth:`socle.lib.activity.values.ActivityForm.check`): every value and every
consistency check. A row whose item cells are all empty is skipped and counted (the downloadable template lists
every establishment with empty values). Two rows for the same establishment and period are an error on the
second one. A period that has not started on ``today`` is an error.

Every problem is a :class:`RowError` tied to the row as the spreadsheet shows it (the header is row 1 when it
is the first line; blank lines are counted, not reported), the column, the cell's text and a reason. Reasons
carry a ``code`` (:data:`ROW_MESSAGES` and :data:`socle.lib.activity.values.MESSAGES`) and ``params`` so that
the web layer can translate them; ``reason`` is the English sentence (for a failed check, the framework's
message in the chosen language).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from socle.lib.activity.periods import Period, PeriodError, parse_period
from socle.lib.activity.values import MESSAGES, ActivityForm, Number
from socle.lib.frame import FrameFileError, Table, read_table, simplify
from socle.lib.identifiers import IdentifierError, normalise, validate_finess

__all__ = [
    "ESTABLISHMENT_COLUMN",
    "NAME_COLUMN",
    "PERIOD_COLUMN",
    "ROW_MESSAGES",
    "ImportCheck",
    "ImportFileError",
    "ImportRow",
    "RowError",
    "check_file",
    "check_table",
    "template_header",
]

ESTABLISHMENT_COLUMN: Final = "establishment"
PERIOD_COLUMN: Final = "period"
NAME_COLUMN: Final = "name"
_ALIASES: Final[Mapping[str, str]] = {
    "establishment": ESTABLISHMENT_COLUMN,
    "etablissement": ESTABLISHMENT_COLUMN,
    "finess": ESTABLISHMENT_COLUMN,
    "n_finess": ESTABLISHMENT_COLUMN,
    "period": PERIOD_COLUMN,
    "periode": PERIOD_COLUMN,
    "name": NAME_COLUMN,
    "nom": NAME_COLUMN,
    "establishment_name": NAME_COLUMN,
    "nom_etablissement": NAME_COLUMN,
}

# English reasons of the problems proper to files, by code; ``%(name)s`` placeholders take ``params``.
ROW_MESSAGES: Final[Mapping[str, str]] = {
    "missing_column": "The column %(column)s is missing: add it (leave its cells empty where there is no value).",
    "unknown_column": "This column is not an activity item of the framework: rename it to one of %(codes)s, "
    "or remove it.",
    "duplicate_column": "This column appears twice: keep one.",
    "empty_file": "The file has no header row: download the template and fill it in.",
    "no_rows": "The file has no data row.",
    "establishment_missing": "Write the establishment's FINESS number.",
    "bad_finess": "This is not a FINESS number: %(detail)s.",
    "unknown_establishment": "No establishment of your organisation has this FINESS number.",
    "period_missing": "Write the period: a year (2026), a quarter (2026-Q1) or a month (2026-03).",
    "bad_period": "This is not a period: %(detail)s.",
    "future_period": "This period has not started yet: activity data is entered once the period has begun.",
    "duplicate_row": "This establishment and period are already on row %(row)s: keep one row.",
    "extra_cells": "This row has more cells than the header has columns: a number written with a decimal comma "
    "in a comma-separated file? Put such numbers in quotes, or separate the columns with semicolons.",
}


class ImportFileError(ValueError):
    """The file cannot be read at all (type, encoding, damaged workbook, too many rows)."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell, or in the header row for a column problem."""

    row: int
    column: str
    value: str
    reason: str
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column or '-'}, value {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class ImportRow:
    """One valid row: the caller's key of the establishment, the period and the values given."""

    row: int
    establishment: str
    period: Period
    values: dict[str, Number]


@dataclass(frozen=True)
class ImportCheck:
    rows: tuple[ImportRow, ...]  # every row of the file when it has no error, else none
    errors: tuple[RowError, ...]
    data_rows: int  # rows of the file with something in them, header excluded
    skipped_rows: tuple[int, ...] = ()  # rows whose item cells are all empty

    @property
    def ok(self) -> bool:
        return not self.errors


def template_header(form: ActivityForm) -> list[str]:
    """The header of the template file: establishment, name, period, then every item code in document order."""
    return [ESTABLISHMENT_COLUMN, NAME_COLUMN, PERIOD_COLUMN, *form.codes]


def _error(row: int, column: str, value: str, code: str, /, **params: Any) -> RowError:
    return RowError(row, column, value, ROW_MESSAGES[code] % params if params else ROW_MESSAGES[code], code, params)


def check_file(
    filename: str,
    content: bytes,
    form: ActivityForm,
    establishments: Mapping[str, str],
    *,
    today: datetime.date,
    language: str = "fr",
) -> ImportCheck:
    """Reads a ``.csv`` or ``.xlsx`` file and checks every row; raises :class:`ImportFileError` if unreadable."""
    try:
        table = read_table(filename, content)
    except FrameFileError as error:
        raise ImportFileError(str(error)) from None
    return check_table(table, form, establishments, today=today, language=language)


def _header(table: Table, form: ActivityForm) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    codes = set(form.codes)
    row = table.header_row
    for index, name in enumerate(table.header):
        if not name:
            continue
        simple = simplify(name)
        key = _ALIASES.get(simple, simple if simple in codes else None)
        if key is None:
            errors.append(_error(row, name, name, "unknown_column", codes=", ".join(form.codes)))
        elif key in positions:
            errors.append(_error(row, name, name, "duplicate_column"))
        else:
            positions[key] = index
    for required in (ESTABLISHMENT_COLUMN, PERIOD_COLUMN, *form.codes):
        if required not in positions:
            errors.append(_error(row, required, "", "missing_column", column=required))
    return positions, errors


def check_table(
    table: Table,
    form: ActivityForm,
    establishments: Mapping[str, str],
    *,
    today: datetime.date,
    language: str = "fr",
) -> ImportCheck:
    """Checks every row of a table already read; see the module docstring."""
    if not table.header:
        return ImportCheck((), (_error(1, "", "", "empty_file"),), 0)
    positions, errors = _header(table, form)
    if errors:
        return ImportCheck((), tuple(errors), len(table.rows))
    if not table.rows:
        return ImportCheck((), (_error(table.header_row, "", "", "no_rows"),), 0)
    rows: list[ImportRow] = []
    skipped: list[int] = []
    seen: dict[tuple[str, str], int] = {}

    def cell(cells: Sequence[str], key: str) -> str:
        index = positions[key]
        return cells[index].strip() if index < len(cells) else ""

    for number, cells in table.rows:
        raw = {code: cell(cells, code) for code in form.codes}
        if not any(raw.values()):
            skipped.append(number)
            continue
        row_errors: list[RowError] = []
        extra = [text for text in cells[len(table.header) :] if text.strip()]
        if extra:
            row_errors.append(_error(number, "", ", ".join(extra), "extra_cells"))
        establishment = _establishment(number, cell(cells, ESTABLISHMENT_COLUMN), establishments, row_errors)
        period = _period(number, cell(cells, PERIOD_COLUMN), today, row_errors)
        checked = form.check(raw, language=language)
        for problem in checked.problems:
            if problem.kind == "value":
                reason = MESSAGES[problem.reason] % problem.params if problem.params else MESSAGES[problem.reason]
                row_errors.append(RowError(number, problem.code, problem.value, reason, problem.reason, problem.params))
            elif problem.kind == "check":
                row_errors.append(
                    RowError(
                        number,
                        ", ".join(problem.items),
                        problem.value,
                        problem.message,
                        "check",
                        {"check": problem.code},
                    )
                )
        if establishment is not None and period is not None:
            key = (establishment, period.code)
            if key in seen:
                row_errors.append(
                    _error(
                        number,
                        f"{ESTABLISHMENT_COLUMN}, {PERIOD_COLUMN}",
                        f"{cell(cells, ESTABLISHMENT_COLUMN)}, {period.code}",
                        "duplicate_row",
                        row=seen[key],
                    )
                )
            else:
                seen[key] = number
        if row_errors:
            errors.extend(row_errors)
        elif establishment is not None and period is not None:
            rows.append(ImportRow(number, establishment, period, checked.values))
    # All or nothing: rows are given only when the whole file is right.
    return ImportCheck(() if errors else tuple(rows), tuple(errors), len(table.rows), tuple(skipped))


def _establishment(row: int, text: str, establishments: Mapping[str, str], errors: list[RowError]) -> str | None:
    if not text:
        errors.append(_error(row, ESTABLISHMENT_COLUMN, "", "establishment_missing"))
        return None
    identifier = normalise(text)
    found = establishments.get(identifier)
    if found is not None:
        return found
    try:
        validate_finess(identifier)
    except IdentifierError as error:
        errors.append(_error(row, ESTABLISHMENT_COLUMN, text, "bad_finess", detail=str(error)))
    else:
        errors.append(_error(row, ESTABLISHMENT_COLUMN, text, "unknown_establishment"))
    return None


def _period(row: int, text: str, today: datetime.date, errors: list[RowError]) -> Period | None:
    if not text:
        errors.append(_error(row, PERIOD_COLUMN, "", "period_missing"))
        return None
    try:
        period = parse_period(text)
    except PeriodError as error:
        errors.append(_error(row, PERIOD_COLUMN, text, "bad_period", detail=str(error), why=error.code))
        return None
    if period.start > today:
        errors.append(_error(row, PERIOD_COLUMN, text, "future_period"))
        return None
    return period
