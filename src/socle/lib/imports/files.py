"""Reading a file of answers into rows of text, and writing tables as CSV or XLSX.

A file is read into a :class:`Table`: the header (the first non-empty row) and the data rows, each with its
number as a spreadsheet shows it (the header is usually row 1; blank rows are skipped but still counted), every
cell as text with its outer spaces removed.

- ``.csv``: UTF-8 with or without a byte-order mark, or UTF-16 with one; anything else is read as Windows-1252
  (Latin-1 for the few bytes Windows-1252 leaves undefined) and a note says so, since accented letters may then
  be wrong. The separator (``;``, ``,`` or tab) is the one that splits the first rows into the same number of
  columns, so a comma inside a column title does not mislead it.
- ``.xlsx``: the first sheet, read with openpyxl in read-only mode; numbers that are whole are written without
  ``.0``, dates as ``YYYY-MM-DD``.

Identical cell texts are stored once (most cells of a file of answers repeat a few choice codes), which keeps a
200,000-row file in tens of megabytes. Problems that stop reading raise :class:`ImportFileError`, whose message
is an English sentence that says what to do; ``code`` lets the web layer translate it.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Final

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "SUPPORTED_EXTENSIONS",
    "ImportFileError",
    "Note",
    "Table",
    "read_table",
    "write_csv",
    "write_xlsx",
]

MAX_ROWS: Final = 200_000
MAX_COLUMNS: Final = 500
SUPPORTED_EXTENSIONS: Final = (".csv", ".xlsx")
_SNIFF_LINES: Final = 20
_DELIMITERS: Final = (";", ",", "\t")
_CHUNK: Final = 1 << 16


class ImportFileError(ValueError):
    """The file cannot be read at all. ``code`` names the problem; ``params`` fill the translated message."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Note:
    """Something the person should know about how the file was read (not an error)."""

    code: str
    message: str


@dataclass(frozen=True)
class Table:
    """A file's cells as text: the header, then the data rows with their row numbers in the file."""

    header_row: int
    header: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    notes: tuple[Note, ...] = field(default=())

    def preview(self, count: int = 5) -> list[list[str]]:
        """The first data rows, each as long as the header."""
        width = len(self.header)
        return [(cells + [""] * width)[:width] for _number, cells in self.rows[:count]]


def read_table(filename: str, content: bytes, *, max_rows: int = MAX_ROWS) -> Table:
    """Reads a ``.csv`` or ``.xlsx`` file's bytes into a :class:`Table`; raises :class:`ImportFileError`."""
    extension = PurePath(filename).suffix.lower()
    if not content:
        raise ImportFileError("empty", "the file is empty: choose the file that holds the answers")
    if extension == ".csv":
        if content.startswith(b"PK\x03\x04"):
            raise ImportFileError(
                "workbook_as_csv", "this file is an Excel workbook with a .csv name: rename it to .xlsx"
            )
        encoding, notes = _decode(content)
        lines: Iterable[list[str]] = _csv_records(content, encoding)
    elif extension == ".xlsx":
        notes = ()
        lines = _xlsx_records(content)
    elif extension in (".xls", ".ods"):
        raise ImportFileError(
            "old_format",
            f"{extension} files are not read: save the sheet as an Excel workbook (.xlsx) or as CSV",
            extension=extension,
        )
    else:
        raise ImportFileError(
            "extension",
            f"unsupported file type {extension or '(no extension)'!r}: use a .csv or .xlsx file",
            extension=extension or "",
        )
    return _table(lines, notes, max_rows)


def _table(lines: Iterable[list[str]], notes: tuple[Note, ...], max_rows: int) -> Table:
    seen: dict[str, str] = {}
    header_row = 0
    header: tuple[str, ...] = ()
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_COLUMNS and any(cell.strip() for cell in raw[MAX_COLUMNS:]):
            raise ImportFileError(
                "too_many_columns",
                f"row {number} has more than {MAX_COLUMNS} columns: remove the columns that hold no answers",
                row=number,
                limit=MAX_COLUMNS,
            )
        cells = [_clean(cell, seen) for cell in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        while cells and not cells[-1]:
            cells.pop()
        if not header:
            header_row, header = number, tuple(cells)
            continue
        if len(rows) >= max_rows:
            raise ImportFileError(
                "too_many_rows",
                f"the file has more than {max_rows:,} rows: split it into several files",
                limit=max_rows,
            )
        rows.append((number, cells))
    if not header:
        raise ImportFileError("empty", "the file is empty: choose the file that holds the answers")
    return Table(header_row, header, rows, notes)


def _clean(value: str, seen: dict[str, str]) -> str:
    text = value.replace("\u00a0", " ").replace("\u202f", " ").strip()
    return seen.setdefault(text, text)


# --- CSV ------------------------------------------------------------------------------------------------------


def _decode(content: bytes) -> tuple[str, tuple[Note, ...]]:
    """The file's encoding (checked over the whole file) and the notes to give about it."""
    if content.startswith(codecs.BOM_UTF8):
        if not _decodes(content, "utf-8-sig"):
            raise ImportFileError("encoding", "this file says it is UTF-8 but is not: save it again as CSV UTF-8")
        return "utf-8-sig", ()
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes(content, "utf-16"):
            raise ImportFileError("encoding", "this UTF-16 file is damaged: save it again as CSV UTF-8")
        return "utf-16", ()
    if _decodes(content, "utf-8"):
        return "utf-8", ()
    note = Note(
        "encoding_latin1",
        "the file is not in UTF-8: it was read as Windows-1252 (Latin-1); check the accented letters in the "
        "preview, or save the file again as CSV UTF-8",
    )
    return ("cp1252" if _decodes(content, "cp1252") else "latin-1"), (note,)


def _decodes(content: bytes, encoding: str) -> bool:
    """Whether the whole file decodes; checked chunk by chunk, so the file is never held twice as text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(content), _CHUNK):
            if "\x00" in decoder.decode(content[start : start + _CHUNK]):
                raise ImportFileError(
                    "binary", "this file is not a CSV text file: save the sheet as CSV UTF-8 or as .xlsx"
                )
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_records(content: bytes, encoding: str) -> Iterator[list[str]]:
    """The file's records, decoded and split as they are read (the whole text never sits in memory)."""
    head = content[:_CHUNK].decode(encoding, errors="ignore")
    delimiter = _delimiter(head)
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    try:
        yield from csv.reader(stream, delimiter=delimiter)
    except csv.Error as error:
        raise ImportFileError("csv", f"this CSV file cannot be read: {error}", detail=str(error)) from None


def _delimiter(head: str) -> str:
    """The separator that cuts the first records into the same number of cells, preferring more cells."""
    lines: list[str] = []
    for line in head.splitlines()[:-1] or head.splitlines():  # the last line of a chunk may be cut
        if line.strip():
            lines.append(line)
        if len(lines) >= _SNIFF_LINES:
            break
    sample = "\n".join(lines)

    def score(delimiter: str) -> tuple[bool, float, int]:
        try:
            records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r]
        except csv.Error:
            return (False, 0.0, 0)
        if not records:
            return (False, 0.0, 0)
        width = len(records[0])
        others = records[1:]
        same = sum(1 for r in others if len(r) == width) / len(others) if others else 1.0
        return (width > 1, same, width)

    return max(_DELIMITERS, key=score)


# --- XLSX -----------------------------------------------------------------------------------------------------


def _xlsx_records(content: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise ImportFileError("workbook", "this file is not an Excel workbook (.xlsx), or it is damaged") from None
    except Exception as error:  # openpyxl raises many kinds of errors for damaged workbooks
        raise ImportFileError("workbook", f"this Excel workbook cannot be read: {error}", detail=str(error)) from None
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size in the file; ignoring it makes openpyxl read every row.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except ImportFileError:
        raise
    except Exception as error:  # a damaged sheet fails while it is read, not when it is opened
        raise ImportFileError("workbook", f"this Excel workbook cannot be read: {error}", detail=str(error)) from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --- Writing tables -------------------------------------------------------------------------------------------


def write_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """A table as CSV the way French spreadsheets open it: UTF-8 with a byte-order mark, ``;``, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: Iterable[Sequence[object]], *, sheet: str = "Sheet1") -> bytes:
    """A table as an Excel workbook of one sheet (written in streaming mode)."""
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31] or "Sheet1")
    for row in rows:
        worksheet.append([_xlsx_value(worksheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(worksheet: object, value: object) -> object:
    """A text that starts with ``=`` stays a text: openpyxl would otherwise write it as a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.data_type = "s"
        return cell
    return value
