"""An organisation's raw submissions as a table: CSV (UTF-8 with a byte-order mark, `;`, as French spreadsheets
expect) or XLSX. One column per question name, the same across versions of a questionnaire; a column says which
framework version each row answered. Raw answers never leave their organisation: callers pass a queryset that
starts from the organisation's own campaign (`socle.collection.access`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from openpyxl import Workbook  # type: ignore[import-untyped]

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
]


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
    columns = question_columns(submissions)
    yield FIXED + columns
    query = submissions.select_related("establishment", "framework_version__framework").order_by("received_at", "id")
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
        ]
        yield fixed + [_cell(s.answers.get(name, "")) for name in columns]


def to_csv(table: Iterable[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in table:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Iterable[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("submissions")
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
