"""Reading and checking a network's frame file: one row per establishment of the field, participating or not.

Framework-free: this module knows nothing of Django. The caller passes the establishment types it accepts as a
plain mapping ``{field_code: {type_code: [labels…]}}`` and receives either ``FrameRecord`` rows or every
error found, each tied to a row and column as the person who made the spreadsheet sees them (the header is
row 1, the first establishment row 2; blank lines are skipped but still counted).

Error reasons are English sentences meant for that person: they say what is wrong and what is expected.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath

from openpyxl import load_workbook  # type: ignore[import-untyped]

from socle.lib import geo
from socle.lib.identifiers import IdentifierError, validate_finess, validate_siren

MAX_DATA_ROWS = 50_000
MAX_COLUMNS = 200
MAX_WHOLE_NUMBER = 2_147_483_647  # the largest value a PositiveIntegerField holds on every database
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
SUPPORTED_EXTENSIONS = (".csv", ".xlsx")


class FrameFileError(ValueError):
    """The file cannot be read at all (unsupported type, damaged workbook, unknown encoding…)."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (or, for a missing column, in the header row)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}, value {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class FrameRecord:
    """One valid establishment row. Optional numbers are ``None`` and optional texts ``""`` when empty."""

    finess: str
    name: str
    field_code: str
    type_code: str
    departement: str
    region: str
    places: int | None
    people_supported: int | None
    employees: int | None
    participates: bool
    siren: str
    organisation_name: str
    contact_email: str


@dataclass(frozen=True)
class Column:
    """A column of the frame file: the key used in code, the name shown to people and every accepted alias."""

    key: str
    name: str
    aliases: tuple[str, ...]
    required: bool


COLUMNS: tuple[Column, ...] = (
    Column("finess", "finess", ("finess", "n_finess", "no_finess", "numero_finess", "finess_number"), True),
    Column("name", "nom", ("nom", "name", "nom_etablissement", "establishment_name"), True),
    # Required only when the network has several fields: see ``validate_table``.
    Column("field", "champ", ("champ", "field", "champ_d_activite"), False),
    Column("type", "type", ("type", "type_etablissement", "establishment_type"), True),
    Column(
        "departement",
        "departement",
        ("departement", "department", "dept", "code_departement", "departement_code", "department_code"),
        True,
    ),
    Column("region", "region", ("region", "code_region", "region_code"), False),
    Column("places", "places", ("places", "capacite", "capacity", "nombre_de_places"), True),
    Column(
        "people_supported",
        "personnes_accompagnees",
        ("personnes_accompagnees", "people_supported", "nombre_de_personnes_accompagnees"),
        True,
    ),
    Column("employees", "salaries", ("salaries", "employees", "nombre_de_salaries"), True),
    Column("participates", "participe", ("participe", "participates", "participation", "takes_part"), True),
    Column("siren", "siren", ("siren", "n_siren", "numero_siren", "siren_number"), True),
    Column(
        "organisation_name",
        "organisme",
        (
            "organisme",
            "organisation",
            "organisation_name",
            "organization",
            "organization_name",
            "organisme_gestionnaire",
        ),
        True,
    ),
    Column(
        "contact_email",
        "email_contact",
        ("email_contact", "contact_email", "e_mail_contact", "contact_e_mail", "courriel_contact"),
        True,
    ),
)
COLUMNS_BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}

_TRUE = frozenset({"oui", "yes", "1", "true", "vrai"})
_FALSE = frozenset({"non", "no", "0", "false", "faux"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f']")
_WHOLE = re.compile(r"\d+(?:[.,]0+)?")
_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+")


def simplify(text: str) -> str:
    """Lower case, no accents, words joined by ``_``: 'Personnes accompagnées' -> 'personnes_accompagnees'."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub("_", bare.casefold()).strip("_")


# --- reading a file into rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The cells of a file as text, with the spreadsheet row number of the header and of each data row."""

    header_row: int
    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(filename: str, content: bytes) -> Table:
    """Reads a ``.csv`` or ``.xlsx`` file's bytes. Raises ``FrameFileError`` when it cannot be read."""
    extension = PurePath(filename).suffix.lower()
    if extension == ".csv":
        lines = _csv_lines(content)
    elif extension == ".xlsx":
        lines = _xlsx_lines(content)
    elif extension in (".xls", ".ods"):
        raise FrameFileError(
            f"{extension} files are not supported: save the sheet as an Excel workbook (.xlsx) or as CSV"
        )
    else:
        raise FrameFileError(f"unsupported file type {extension or '(no extension)'!r}: use a .csv or .xlsx file")
    return _table(lines)


def _table(lines: Iterable[list[str]]) -> Table:
    header_row = 0
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(lines, start=1):
        cells = [_clean_text(cell) for cell in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if not header:
            header_row, header = number, cells
            continue
        if len(rows) >= MAX_DATA_ROWS:
            raise FrameFileError(f"the file has more than {MAX_DATA_ROWS:,} rows: split it into several files")
        rows.append((number, cells))
    return Table(header_row or 1, header, rows)


def _clean_text(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ").strip()


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise FrameFileError("this file is not CSV text in UTF-8 or Windows-1252: save it again as CSV (UTF-8)")


def _csv_lines(content: bytes) -> list[list[str]]:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # The header names contain none of the three separators, so the most frequent one in it is the separator.
    delimiter = max(";,\t", key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FrameFileError(f"this CSV file cannot be read: {error}") from None


def _xlsx_lines(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise FrameFileError("this file is not an Excel workbook (.xlsx), or it is damaged") from None
    except Exception as error:  # openpyxl raises many kinds of errors for damaged workbooks
        raise FrameFileError(f"this Excel workbook cannot be read: {error}") from None
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size in the file; ignoring it makes openpyxl read every row.
        sheet.reset_dimensions()
        lines: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            lines.append([_cell_text(value) for value in values[:MAX_COLUMNS]])
            if len(lines) > MAX_DATA_ROWS + 1000:
                raise FrameFileError(f"the file has more than {MAX_DATA_ROWS:,} rows: split it into several files")
        return lines
    except FrameFileError:
        raise
    except Exception as error:  # a damaged sheet fails while it is read, not when it is opened
        raise FrameFileError(f"this Excel workbook cannot be read: {error}") from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --- checking rows ------------------------------------------------------------------------------------------


@dataclass
class FrameValidation:
    """The outcome of reading a frame: the valid records and every error. Import only when ``ok``."""

    records: list[FrameRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class _TypeMatcher:
    """Finds a type code from what people write: the code or a French or English label, in any case.

    A label such as "Pension de famille / maison relais" or "CHRS (centre d'hébergement…)" is also matched
    by each of its parts ("Pension de famille", "maison relais", "CHRS", "centre d'hébergement…"), as long as
    the part names one type only.
    """

    def __init__(self, types: Mapping[str, Sequence[str]]) -> None:
        self.codes = list(types)
        exact: dict[str, str] = {}
        parts: dict[str, set[str]] = {}
        for code, labels in types.items():
            exact[simplify(code)] = code
            for label in labels:
                if not label:
                    continue
                exact.setdefault(simplify(label), code)
                for part in _label_parts(label):
                    parts.setdefault(simplify(part), set()).add(code)
        for key, codes in parts.items():
            if len(codes) == 1 and key:
                exact.setdefault(key, next(iter(codes)))
        self.lookup = exact

    def match(self, value: str) -> str | None:
        return self.lookup.get(simplify(value))


def _label_parts(label: str) -> list[str]:
    before_bracket, _bracket, rest = label.partition("(")
    in_bracket = rest.split(")", 1)[0]
    return [label, before_bracket, in_bracket, *before_bracket.split("/"), *label.split("/")]


def validate_table(
    table: Table,
    *,
    accepted_types: Mapping[str, Mapping[str, Sequence[str]]],
    field_codes: Sequence[str],
    field_labels: Mapping[str, Sequence[str]] | None = None,
) -> FrameValidation:
    """Checks every row of ``table`` and collects every error; ``records`` is empty when there is one.

    ``field_codes`` are the network's fields; the field column may be left out when there is only one.
    ``field_labels`` optionally gives the names people may write instead of a field's code.
    """
    result = FrameValidation(rows=len(table.rows))
    if not table.header:
        result.errors.append(
            RowError(1, "", "", "the file is empty: expected a header row, then one row per establishment")
        )
        return result
    if not field_codes:
        reason = "this network has no field of activity yet: one must be added before its frame is imported"
        result.errors.append(RowError(table.header_row, "", "", reason))
        return result
    positions, header_errors = _header_positions(table, several_fields=len(field_codes) > 1)
    result.errors.extend(header_errors)
    if header_errors:
        return result
    if not table.rows:
        result.errors.append(
            RowError(
                table.header_row + 1,
                "",
                "",
                "the file has a header row but no establishment rows: add one row per establishment",
            )
        )
        return result
    checker = _RowChecker(table, positions, accepted_types, field_codes, field_labels or {})
    records = [checker.check(number, cells) for number, cells in table.rows]
    result.errors.extend(checker.errors)
    if not result.errors:
        result.records = [record for record in records if record is not None]
    return result


def read_frame(
    filename: str,
    content: bytes,
    *,
    accepted_types: Mapping[str, Mapping[str, Sequence[str]]],
    field_codes: Sequence[str],
    field_labels: Mapping[str, Sequence[str]] | None = None,
) -> FrameValidation:
    """``read_table`` then ``validate_table``. Raises ``FrameFileError`` when the file cannot be read."""
    return validate_table(
        read_table(filename, content),
        accepted_types=accepted_types,
        field_codes=field_codes,
        field_labels=field_labels,
    )


def _header_positions(table: Table, *, several_fields: bool) -> tuple[dict[str, int], list[RowError]]:
    by_alias = {alias: column for column in COLUMNS for alias in column.aliases}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, title in enumerate(table.header):
        column = by_alias.get(simplify(title))
        if column is None:
            continue  # other columns (notes, …) are allowed and ignored
        if column.key in positions:
            first = table.header[positions[column.key]]
            errors.append(
                RowError(
                    table.header_row,
                    title,
                    title,
                    f"the column {first!r} already gives the {column.name} of each establishment: keep one",
                )
            )
            continue
        positions[column.key] = index
    for column in COLUMNS:
        required = column.required or (column.key == "field" and several_fields)
        if required and column.key not in positions:
            others = ", ".join(alias for alias in column.aliases if alias != column.name)
            reason = f"missing column: add a column named {column.name!r} (also accepted: {others})"
            if column.key == "field":
                reason += ", since this network has several fields"
            errors.append(RowError(table.header_row, column.name, "", reason))
    return positions, errors


@dataclass
class _Organisation:
    row: int
    name: str


class _RowChecker:
    def __init__(
        self,
        table: Table,
        positions: dict[str, int],
        accepted_types: Mapping[str, Mapping[str, Sequence[str]]],
        field_codes: Sequence[str],
        field_labels: Mapping[str, Sequence[str]],
    ) -> None:
        self.positions = positions
        self.titles = {key: table.header[index] for key, index in positions.items()}
        self.field_codes = list(field_codes)
        self.fields = _TypeMatcher({code: list(field_labels.get(code, ())) for code in field_codes})
        self.types = {code: _TypeMatcher(accepted_types.get(code, {})) for code in field_codes}
        self.errors: list[RowError] = []
        self.finess_rows: dict[str, int] = {}
        self.organisations: dict[str, _Organisation] = {}

    def cell(self, cells: list[str], key: str) -> str:
        index = self.positions.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index]

    def error(self, row: int, key: str, value: str, reason: str) -> None:
        title = self.titles.get(key, COLUMNS_BY_KEY[key].name)
        self.errors.append(RowError(row, title, value, reason))

    def check(self, row: int, cells: list[str]) -> FrameRecord | None:
        errors_before = len(self.errors)
        value = {column.key: self.cell(cells, column.key) for column in COLUMNS}

        finess = self._finess(row, value["finess"])
        name = self._text(row, "name", value["name"], required=True)
        field_code = self._field(row, value["field"])
        type_code = self._type(row, value["type"], field_code)
        departement, region = self._place(row, value["departement"], value["region"])
        places = self._whole_number(row, "places", value["places"])
        people = self._whole_number(row, "people_supported", value["people_supported"])
        employees = self._whole_number(row, "employees", value["employees"])
        participates = self._participates(row, value["participates"])
        siren, organisation_name = self._organisation(row, value["siren"], value["organisation_name"], participates)
        # With no organisation at all, the e-mail belongs to nobody; otherwise a SIREN or name error says it.
        named = bool(value["siren"] or value["organisation_name"] or participates)
        contact_email = self._email(row, value["contact_email"], has_organisation=named)

        if len(self.errors) > errors_before:
            return None
        assert finess and field_code and type_code and departement and region and participates is not None
        return FrameRecord(
            finess=finess,
            name=name,
            field_code=field_code,
            type_code=type_code,
            departement=departement,
            region=region,
            places=places,
            people_supported=people,
            employees=employees,
            participates=participates,
            siren=siren,
            organisation_name=organisation_name,
            contact_email=contact_email,
        )

    def _finess(self, row: int, raw: str) -> str | None:
        if not raw:
            self.error(row, "finess", raw, "required: the establishment's 9-character FINESS number")
            return None
        candidate = raw
        # A spreadsheet that took the number for a number drops its leading zero (départements 01 to 09).
        if candidate.isdigit() and len(candidate) == 8:
            candidate = "0" + candidate
        try:
            finess = validate_finess(candidate)
        except IdentifierError as error:
            self.error(row, "finess", raw, str(error))
            return None
        first = self.finess_rows.setdefault(finess, row)
        if first != row:
            self.error(row, "finess", raw, f"FINESS {finess} already appears on row {first}")
            return None
        return finess

    def _text(self, row: int, key: str, raw: str, *, required: bool) -> str:
        text = " ".join(raw.split())
        if required and not text:
            self.error(row, key, raw, "required")
        elif len(text) > NAME_MAX_LENGTH:
            self.error(row, key, raw, f"too long: {len(text)} characters, at most {NAME_MAX_LENGTH}")
        return text

    def _field(self, row: int, raw: str) -> str | None:
        if not raw:
            if len(self.field_codes) == 1:
                return self.field_codes[0]
            expected = ", ".join(self.field_codes)
            self.error(row, "field", raw, f"required: this network has several fields ({expected})")
            return None
        code = self.fields.match(raw)
        if code is None:
            expected = ", ".join(self.field_codes)
            self.error(row, "field", raw, f"unknown field {raw!r}: this network's fields are {expected}")
        return code

    def _type(self, row: int, raw: str, field_code: str | None) -> str | None:
        if field_code is None:
            if not raw:
                self.error(row, "type", raw, "required")
            return None  # the field's error says enough; the type cannot be checked without it
        matcher = self.types[field_code]
        expected = ", ".join(matcher.codes) or "(none: no type is defined for this field yet)"
        if not raw:
            self.error(row, "type", raw, f"required: one of {expected}")
            return None
        code = matcher.match(raw)
        if code is None:
            self.error(row, "type", raw, f"unknown type {raw!r} for field {field_code}: expected one of {expected}")
        return code

    def _place(self, row: int, raw_departement: str, raw_region: str) -> tuple[str | None, str | None]:
        departement: str | None = None
        if not raw_departement:
            self.error(row, "departement", raw_departement, "required: a département code such as 69, 2A or 974")
        else:
            try:
                departement = geo.normalise_departement(raw_departement)
            except geo.GeoError as error:
                self.error(row, "departement", raw_departement, str(error))
        if not raw_region:
            return departement, geo.DEPARTEMENTS[departement][1] if departement else None
        try:
            region = geo.normalise_region(raw_region)
        except geo.GeoError as error:
            self.error(row, "region", raw_region, str(error))
            return departement, None
        if departement is not None:
            expected = geo.DEPARTEMENTS[departement][1]
            if region != expected:
                self.error(
                    row,
                    "region",
                    raw_region,
                    f"region {region} does not match département {departement} (region {expected})",
                )
                return departement, None
        return departement, region

    def _whole_number(self, row: int, key: str, raw: str) -> int | None:
        if not raw:
            return None
        text = _NUMBER_SPACES.sub("", raw)
        if not _WHOLE.fullmatch(text):
            self.error(row, key, raw, "must be a whole number ≥ 0")
            return None
        number = int(re.split(r"[.,]", text, maxsplit=1)[0])
        if number > MAX_WHOLE_NUMBER:
            self.error(row, key, raw, f"too large: at most {MAX_WHOLE_NUMBER:,}")
            return None
        return number

    def _participates(self, row: int, raw: str) -> bool | None:
        word = simplify(raw)
        if not word or word in _FALSE:
            return False
        if word in _TRUE:
            return True
        self.error(
            row,
            "participates",
            raw,
            "must be oui or non (also accepted: yes/no, 1/0, true/false, vrai/faux; empty means non)",
        )
        return None

    def _organisation(self, row: int, raw_siren: str, raw_name: str, participates: bool | None) -> tuple[str, str]:
        name = self._text(row, "organisation_name", raw_name, required=False)
        siren = ""
        if raw_siren:
            try:
                siren = validate_siren(raw_siren)
            except IdentifierError as error:
                self.error(row, "siren", raw_siren, str(error))
        elif participates:
            self.error(row, "siren", raw_siren, "required when the establishment takes part")
        elif name:
            self.error(row, "siren", raw_siren, "required when an organisation is named: it identifies it")
        if not name:
            if participates:
                self.error(row, "organisation_name", raw_name, "required when the establishment takes part")
            elif raw_siren:
                self.error(row, "organisation_name", raw_name, "required when a SIREN is given")
        if siren and name:
            first = self.organisations.setdefault(siren, _Organisation(row, name))
            if first.row != row and first.name.casefold() != name.casefold():
                self.error(
                    row,
                    "organisation_name",
                    raw_name,
                    f"SIREN {siren} is named {first.name!r} on row {first.row} but {name!r} here: "
                    "one SIREN, one organisation name",
                )
            return siren, first.name
        return siren, name

    def _email(self, row: int, raw: str, *, has_organisation: bool) -> str:
        if not raw:
            return ""
        if len(raw) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(raw):
            self.error(row, "contact_email", raw, "not a valid e-mail address")
            return ""
        if not has_organisation:
            self.error(
                row,
                "contact_email",
                raw,
                "the contact e-mail is the organisation's: give its SIREN and name too",
            )
            return ""
        return raw
