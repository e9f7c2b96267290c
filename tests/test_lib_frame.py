"""socle.lib.frame: reading a frame file and reporting every error with its row, column, value and reason."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from socle.lib.frame import (
    FrameFileError,
    FrameValidation,
    RowError,
    read_frame,
    read_table,
)
from socle.lib.identifiers import finess_with_check_digit, siren_with_check_digit
from socle.network import synthetic
from socle.network.initial_data import FIELDS

TYPES = {code: {t: [fr, en] for t, fr, en in types} for code, _fr, _en, types in FIELDS}
HEADER = [
    "finess",
    "nom",
    "type",
    "departement",
    "region",
    "places",
    "personnes_accompagnees",
    "salaries",
    "participe",
    "siren",
    "organisme",
    "email_contact",
]
FINESS_1 = finess_with_check_digit("75000001")
FINESS_2 = finess_with_check_digit("69000002")
FINESS_3 = finess_with_check_digit("2A000003")
SIREN_A = siren_with_check_digit("77000001")
SIREN_B = siren_with_check_digit("77000002")


def row(**values: str) -> dict[str, str]:
    base = {
        "finess": FINESS_1,
        "nom": "CHRS Varnelle",
        "type": "chrs",
        "departement": "75",
        "region": "11",
        "places": "40",
        "personnes_accompagnees": "120",
        "salaries": "12",
        "participe": "oui",
        "siren": SIREN_A,
        "organisme": "Association Solidarité Varnelle",
        "email_contact": "contact@varnelle.example.org",
    }
    base.update(values)
    return base


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    header: list[str] | None = None,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> bytes:
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(column, "") for column in header])
    return buffer.getvalue().encode(encoding)


def read(content: bytes, filename: str = "frame.csv", fields: tuple[str, ...] = ("lcep",)) -> FrameValidation:
    return read_frame(filename, content, accepted_types=TYPES, field_codes=list(fields))


def only_error(result: FrameValidation) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- valid files --------------------------------------------------------------------------------------------


def test_a_valid_row_becomes_a_record() -> None:
    result = read(csv_bytes([row(places="1 200", region="")]))
    assert result.ok
    (record,) = result.records
    assert record.finess == FINESS_1
    assert record.field_code == "lcep"
    assert record.type_code == "chrs"
    assert (record.departement, record.region) == ("75", "11")  # the region comes from the département
    assert (record.places, record.people_supported, record.employees) == (1200, 120, 12)
    assert record.participates is True
    assert (record.siren, record.organisation_name) == (SIREN_A, "Association Solidarité Varnelle")
    assert record.contact_email == "contact@varnelle.example.org"


def test_empty_optional_cells() -> None:
    result = read(
        csv_bytes(
            [
                row(
                    places="",
                    personnes_accompagnees="",
                    salaries="",
                    participe="",
                    siren="",
                    organisme="",
                    email_contact="",
                )
            ]
        )
    )
    (record,) = result.records
    assert (record.places, record.people_supported, record.employees) == (None, None, None)
    assert record.participates is False
    assert (record.siren, record.organisation_name, record.contact_email) == ("", "", "")


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("chrs", "chrs"),
        ("CHRS", "chrs"),
        ("CHRS (centre d'hébergement et de réinsertion sociale)", "chrs"),
        ("Shelter and social rehabilitation centre", "chrs"),
        ("accueil-de-jour", "accueil-de-jour"),
        ("Accueil de jour", "accueil-de-jour"),
        ("Day centre", "accueil-de-jour"),
        ("Pension de famille", "pension-de-famille"),
        ("maison relais", "pension-de-famille"),
        ("RESIDENCE SOCIALE", "residence-sociale"),
        ("résidence   sociale", "residence-sociale"),
        ("SIAO", "siao"),
    ],
)
def test_types_are_matched_by_code_or_label(written: str, code: str) -> None:
    (record,) = read(csv_bytes([row(type=written)])).records
    assert record.type_code == code


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        *[(word, True) for word in ("oui", "OUI", "yes", "1", "true", "Vrai")],
        *[(word, False) for word in ("non", "no", "0", "false", "faux", "")],
    ],
)
def test_participation_words(written: str, expected: bool) -> None:
    (record,) = read(csv_bytes([row(participe=written)])).records
    assert record.participates is expected


def test_english_and_decorated_headers() -> None:
    header = [
        "FINESS",
        "Name",
        "Type",
        "Département",
        "Région",
        "Places",
        "Personnes accompagnées",
        "Salariés",
        "Participates",
        "SIREN",
        "Organisation name",
        "Contact e-mail",
    ]
    content = csv_bytes([dict(zip(header, row().values(), strict=True))], header=header)
    result = read(content)
    assert result.ok, result.errors
    assert result.records[0].organisation_name == "Association Solidarité Varnelle"


def test_unknown_columns_are_ignored() -> None:
    header = [*HEADER, "remarques"]
    assert read(csv_bytes([{**row(), "remarques": "anything"}], header=header)).ok


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (";", "utf-8"), (",", "utf-8"), ("\t", "utf-8"), (";", "cp1252"), (",", "cp1252")],
)
def test_csv_separators_and_encodings(delimiter: str, encoding: str) -> None:
    header = [*HEADER[:3], "Département", *HEADER[4:]]
    rows = [{**row(nom="Œuvre Fraternité Élan"), "Département": "75"}]
    content = csv_bytes(rows, header=header, delimiter=delimiter, encoding=encoding)
    if encoding == "utf-8-sig":
        assert content.startswith(b"\xef\xbb\xbf")
    result = read(content)
    assert result.ok, result.errors
    assert result.records[0].name == "Œuvre Fraternité Élan"


def test_blank_lines_are_skipped_but_counted() -> None:
    content = csv_bytes([row(), row(finess=FINESS_2, departement="69", region="84")])
    lines = content.decode().split("\r\n")
    lines.insert(2, "")
    lines.insert(2, ";;;")
    result = read("\r\n".join(lines).replace(FINESS_2, "123456789").encode())
    error = only_error(result)
    assert error.row == 5  # header 1, first row 2, two blank lines 3 and 4


def test_a_multiline_cell_is_one_row() -> None:
    content = csv_bytes([row(nom="CHRS\nVarnelle"), row(finess="bad")])
    assert only_error(read(content)).row == 3


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numbers_and_blank_rows() -> None:
    finess_ain = finess_with_check_digit("01000004")
    values = list(row(finess=finess_ain, departement="1", region="84").values())
    # A spreadsheet stores numbers as numbers: the FINESS loses its leading zero, places become floats.
    values[0] = int(finess_ain)
    values[5] = 40.0
    values[9] = int(SIREN_A)
    bad = list(row(finess=FINESS_2, departement="69", region="84", places="x").values())
    content = xlsx_bytes([HEADER, values, [], bad])
    result = read(content, "frame.xlsx")
    assert only_error(result) == RowError(4, "places", "x", "must be a whole number ≥ 0")
    content = xlsx_bytes([HEADER, values])
    (record,) = read(content, "FRAME.XLSX").records
    assert (record.finess, record.departement, record.places, record.siren) == (finess_ain, "01", 40, SIREN_A)


def test_synthetic_xlsx_and_csv_files_read_back(tmp_path: Path) -> None:
    rows = synthetic.frame_rows(40, seed=7)
    for path in (
        synthetic.write_frame_xlsx(rows, tmp_path / "frame.xlsx"),
        synthetic.write_frame_csv(rows, tmp_path / "frame.csv"),
    ):
        result = read(path.read_bytes(), path.name)
        assert result.ok, result.errors
        assert [r.finess for r in result.records] == [r["finess"] for r in rows]


# --- errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("finess", "", "required: the establishment's 9-character FINESS number"),
        ("finess", "12345", "a FINESS number has 9 characters: 9 digits, or 2A/2B followed by 7 digits"),
        (
            "finess",
            FINESS_1[:-1] + str((int(FINESS_1[-1]) + 1) % 10),
            "the check digit of this FINESS number is wrong",
        ),
        ("nom", "", "required"),
        ("nom", "x" * 201, "too long: 201 characters, at most 200"),
        ("type", "", "required: one of chrs, chu, accueil-de-jour"),
        ("type", "xyz", "unknown type 'xyz' for field lcep: expected one of chrs, chu, accueil-de-jour"),
        ("type", "ESAT", "unknown type 'ESAT' for field lcep"),
        ("departement", "", "required: a département code such as 69, 2A or 974"),
        ("departement", "99", "not a département code of the official list"),
        ("region", "12", "not a region code of the official list"),
        ("region", "84", "region 84 does not match département 75 (region 11)"),
        ("places", "-3", "must be a whole number ≥ 0"),
        ("places", "2.5", "must be a whole number ≥ 0"),
        ("personnes_accompagnees", "beaucoup", "must be a whole number ≥ 0"),
        ("salaries", "99999999999", "too large: at most 2,147,483,647"),
        ("participe", "peut-être", "must be oui or non"),
        ("siren", "12345", "a SIREN number has exactly 9 digits"),
        ("siren", "123456788", "the check digit of this SIREN number is wrong"),
        ("siren", "", "required when the establishment takes part"),
        ("organisme", "", "required when the establishment takes part"),
        ("email_contact", "not-an-address", "not a valid e-mail address"),
    ],
)
def test_every_kind_of_bad_value_is_reported(column: str, value: str, reason: str) -> None:
    error = only_error(read(csv_bytes([row(**{column: value})])))
    assert (error.row, error.column, error.value) == (2, column, value)
    assert error.reason.startswith(reason), error.reason


def test_region_error_names_both_codes() -> None:
    error = only_error(read(csv_bytes([row(departement="69", region="11")])))
    assert error.reason == "region 11 does not match département 69 (region 84)"


def test_organisation_rules_for_rows_that_do_not_take_part() -> None:
    result = read(
        csv_bytes(
            [
                row(participe="non", siren="", organisme="Association Sans Siren"),
                row(
                    finess=FINESS_2,
                    departement="69",
                    region="84",
                    participe="non",
                    siren=SIREN_B,
                    organisme="",
                ),
                row(
                    finess=FINESS_3,
                    departement="2A",
                    region="94",
                    participe="non",
                    siren="",
                    organisme="",
                    email_contact="a@example.org",
                ),
            ]
        )
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "siren"),
        (3, "organisme"),
        (4, "email_contact"),
    ]
    assert result.errors[0].reason.startswith("required when an organisation is named")
    assert result.errors[1].reason == "required when a SIREN is given"


def test_unknown_field_and_field_required_when_several() -> None:
    header = [*HEADER, "champ"]
    rows = [{**row(), "champ": "handicap"}]
    error = only_error(read(csv_bytes(rows, header=header)))
    assert (error.column, error.value) == ("champ", "handicap")
    assert error.reason == "unknown field 'handicap': this network's fields are lcep"

    two_fields = ("lcep", "handicap")
    rows = [
        {**row(), "champ": ""},
        {**row(finess=FINESS_2, departement="69", region="84", type="esat"), "champ": "HANDICAP"},
    ]
    result = read(csv_bytes(rows, header=header), fields=two_fields)
    error = only_error(result)
    assert (error.row, error.column) == (2, "champ")
    assert error.reason == "required: this network has several fields (lcep, handicap)"

    result = read(csv_bytes([row()]), fields=two_fields)
    error = only_error(result)
    assert (error.row, error.column) == (1, "champ")
    assert "missing column" in error.reason


def test_a_file_with_bad_rows_reports_every_bad_row() -> None:
    rows = [
        row(
            finess=finess_with_check_digit(f"750{i:05d}"),
            siren=siren_with_check_digit(f"7700{i:04d}"),
            organisme=f"Org {i}",
        )
        for i in range(10)
    ]
    rows[1]["finess"] = "750000000"
    rows[4]["departement"] = "100"
    rows[4]["places"] = "abc"
    rows[8]["type"] = "hotel"
    result = read(csv_bytes(rows))
    assert result.records == []
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "finess"),
        (6, "departement"),
        (6, "places"),
        (10, "type"),
    ]


def test_missing_columns_one_error_each() -> None:
    header = [
        "finess",
        "nom",
        "type",
        "region",
        "places",
        "salaries",
        "participe",
        "siren",
        "organisme",
        "email_contact",
    ]
    result = read(csv_bytes([row()], header=header))
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (1, "departement", ""),
        (1, "personnes_accompagnees", ""),
    ]
    assert result.errors[0].reason.startswith("missing column: add a column named 'departement'")


def test_a_column_given_twice() -> None:
    header = [*HEADER, "Name"]
    error = only_error(read(csv_bytes([{**row(), "Name": "x"}], header=header)))
    assert (error.row, error.column) == (1, "Name")
    assert "already gives the nom" in error.reason


def test_duplicate_finess() -> None:
    result = read(csv_bytes([row(), row(siren=SIREN_A), row(finess=FINESS_1.replace("75", "75", 1))]))
    assert [(e.row, e.reason) for e in result.errors] == [
        (3, f"FINESS {FINESS_1} already appears on row 2"),
        (4, f"FINESS {FINESS_1} already appears on row 2"),
    ]


def test_one_siren_two_names() -> None:
    result = read(
        csv_bytes(
            [
                row(),
                row(
                    finess=FINESS_2,
                    departement="69",
                    region="84",
                    organisme="ASSOCIATION SOLIDARITÉ VARNELLE",
                ),
                row(finess=FINESS_3, departement="2B", region="94", organisme="Fondation Autre Nom"),
            ]
        )
    )
    error = only_error(result)  # a difference of case only is the same name
    assert (error.row, error.column, error.value) == (4, "organisme", "Fondation Autre Nom")
    assert error.reason == (
        f"SIREN {SIREN_A} is named 'Association Solidarité Varnelle' on row 2 "
        "but 'Fondation Autre Nom' here: one SIREN, one organisation name"
    )


def test_empty_files() -> None:
    assert only_error(read(b"")).reason.startswith("the file is empty")
    assert only_error(read(b"\r\n;;;\r\n")).reason.startswith("the file is empty")
    error = only_error(read(csv_bytes([])))
    assert error.row == 2
    assert error.reason.startswith("the file has a header row but no establishment rows")
    assert only_error(read(xlsx_bytes([]), "frame.xlsx")).reason.startswith("the file is empty")


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("frame.ods", b"x", ".ods files are not supported"),
        ("frame.xls", b"x", ".xls files are not supported"),
        ("frame.pdf", b"x", "unsupported file type '.pdf'"),
        ("frame", b"x", "unsupported file type '(no extension)'"),
        ("frame.xlsx", b"not a zip", "this file is not an Excel workbook (.xlsx), or it is damaged"),
        ("frame.csv", b"\x00\x01\x02\x81\x8d\x90", "this file is not CSV text"),
    ],
)
def test_unreadable_files(filename: str, content: bytes, message: str) -> None:
    with pytest.raises(FrameFileError, match="^" + re.escape(message)):
        read_table(filename, content)


def test_row_error_text() -> None:
    assert str(RowError(3, "places", "x", "must be a whole number ≥ 0")) == (
        "row 3, column places, value 'x': must be a whole number ≥ 0"
    )


# --- synthetic frames are valid -----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(min_value=1, max_value=120),
    seed=st.integers(min_value=0, max_value=2**32),
    share=st.floats(min_value=0, max_value=1),
)
def test_any_synthetic_frame_validates(n: int, seed: int, share: float) -> None:
    rows = synthetic.frame_rows(n, seed=seed, participating_share=share)
    assert len(rows) == n
    content = csv_bytes(rows, header=list(synthetic.COLUMNS))
    result = read(content)
    assert result.ok, result.errors[:5]
    assert len(result.records) == n


def test_synthetic_frames_are_reproducible_and_plausible() -> None:
    rows = synthetic.frame_rows(1300, seed=3)
    assert rows == synthetic.frame_rows(1300, seed=3)
    assert rows != synthetic.frame_rows(1300, seed=4)
    assert len({r["finess"] for r in rows}) == 1300
    assert all(r["finess"].startswith(r["departement"][:2]) for r in rows)
    participating = sum(r["participe"] == "oui" for r in rows) / len(rows)
    assert 0.25 < participating < 0.45
    types = [r["type"] for r in rows]
    assert types.count("CHRS") > types.count("LHSS") * 5
    per_organisation: dict[str, int] = {}
    for r in rows:
        if r["siren"]:
            per_organisation[r["siren"]] = per_organisation.get(r["siren"], 0) + 1
    assert max(per_organisation.values()) <= 8


def test_a_network_without_fields() -> None:
    error = only_error(read(csv_bytes([row()]), fields=()))
    assert (error.row, error.column) == (1, "")
    assert error.reason.startswith("this network has no field of activity yet")
