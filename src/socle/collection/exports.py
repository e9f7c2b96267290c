"""An organisation's raw submissions as a table: CSV (UTF-8 with a byte-order mark, `;`, as French spreadsheets
expect) or XLSX. One column per question name, the same across versions of a questionnaire; a column says which
framework version each row answered. Raw answers never leave their organisation: callers pass a queryset that
starts from the organisation's own campaign (`socle.collection.access`).

A row is the latest version of an answer: a corrected submission gives way to its correction, whose `corrects`
column names the submission it replaced (the history stays in Socle). A text that a spreadsheet would read as a
formula (`=`, `+`, `-`, `@` first) is written as text: a quote in front in the CSV (OWASP's advice), a text cell in
the XLSX."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

from socle.collection.models import Submission
from socle.frameworks.models import FrameworkVersion

FIXED = [
    "submission",
    "received_at",
    "establishment_finess",
    "establishment",
    "wave",
    "mode",
    "framework",
    "framework_version",
    "questionnaire",
    "quote_consent",
    "corrects",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?")


def question_columns(submissions: QuerySet[Submission]) -> list[str]:
    """Question names in the order of each version's questionnaire, the versions in order, without repeats."""
    columns: list[str] = []
    seen: set[str] = set()
    pairs = (
        submissions.order_by("framework_version__number")
        .values_list("framework_version", "questionnaire_code")
        .distinct()
    )
    for version_pk, code in pairs:
        version = FrameworkVersion.objects.select_related("base_version").get(pk=version_pk)
        for questionnaire in version.effective_content().get("questionnaires", []):
            if questionnaire["code"] != code:
                continue
            for section in questionnaire["sections"]:
                for question in section["questions"]:
                    name = question["name"]
                    if question["type"] != "note" and name not in seen:
                        seen.add(name)
                        columns.append(name)
    return columns


def _cell(value: object) -> object:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def rows(submissions: QuerySet[Submission]) -> Iterator[list[object]]:
    latest = submissions.filter(corrections__isnull=True)
    columns = question_columns(latest)
    yield FIXED + columns
    query = latest.select_related("establishment", "framework_version__framework", "corrects").order_by(
        "received_at", "id"
    )
    for s in query.iterator(chunk_size=2000):
        fixed = [
            str(s.uuid),
            s.received_at.isoformat(),
            s.establishment.finess,
            s.establishment.name,
            s.wave,
            s.mode,
            s.framework_version.framework.slug,
            s.framework_version.number,
            s.questionnaire_code,
            "" if s.quote_consent is None else ("oui" if s.quote_consent else "non"),
            str(s.corrects.uuid) if s.corrects is not None else "",
        ]
        yield fixed + [_cell(s.answers.get(name, "")) for name in columns]


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value)


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    return "'" + value if _formula_like(value) else value  # type: ignore[operator]


def to_csv(table: Iterable[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in table:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet: Any, value: object) -> object:
    if not _formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, never a formula
    return cell


def to_xlsx(table: Iterable[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("submissions")
    for row in table:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
