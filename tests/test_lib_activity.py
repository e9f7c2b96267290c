"""socle.lib.activity: values checked against activity items and checks, periods, files to import."""

from __future__ import annotations

import datetime
import io
import itertools
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from socle.lib.activity.imports import ImportFileError, check_file, template_header
from socle.lib.activity.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, parse_period, periods_in_year
from socle.lib.activity.values import (
    MAX_DECIMALS,
    MESSAGES,
    REASONS,
    ActivityForm,
    changed_items,
    compile_activity,
    from_json,
    to_json,
)
from socle.lib.identifiers import finess_with_check_digit

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture(scope="module")
def lcep() -> ActivityForm:
    text = resources.files("socle.frameworks").joinpath("data/lcep.yaml").read_text(encoding="utf-8")
    return compile_activity(yaml.safe_load(text))


GOOD = {
    "people_supported": "180",
    "entries": "95",
    "exits_total": "92",
    "exits_stable_housing": "34",
    "exits_temporary": "27",
    "exits_institution": "6",
    "exits_street_unknown": "11",
    "exits_other": "14",
    "nights": "20 148",
    "staff_fte": "20,5",
}


# --- periods ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "start", "end"),
    [
        ("2026", "2026", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        ("2026-Q1", "2026-Q1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        ("2026-q4", "2026-Q4", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        ("2026 T2", "2026-Q2", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        ("T3 2026", "2026-Q3", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
        ("2026-03", "2026-03", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
        ("2024-2", "2024-02", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        ("2025/02", "2025-02", datetime.date(2025, 2, 1), datetime.date(2025, 2, 28)),
        (" 2026\u00a0-\u00a0Q1 ", "2026-Q1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
    ],
)
def test_periods_are_read_leniently_and_written_canonically(
    text: str, code: str, start: datetime.date, end: datetime.date
) -> None:
    period = parse_period(text)
    assert (period.code, period.start, period.end) == (code, start, end)
    assert parse_period(period.code) == period


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("", "empty", "the period is empty"),
        ("2026-Q5", "quarter", "a quarter is Q1 to Q4"),
        ("2026-Q0", "quarter", "a quarter is Q1 to Q4"),
        ("2026-13", "month", "a month is 01 to 12"),
        ("2026-00", "month", "a month is 01 to 12"),
        ("1850", "year", "between 1990 and 2100"),
        ("26", "shape", "write a year (2026), a quarter (2026-Q1) or a month (2026-03)"),
        ("mars 2026", "shape", "is not a period"),
        ("2026-03-01", "shape", "is not a period"),
    ],
)
def test_a_wrong_period_says_what_to_write(text: str, code: str, says: str) -> None:
    with pytest.raises(PeriodError, match=r".*") as caught:
        parse_period(text)
    assert caught.value.code == code
    assert says in str(caught.value)


def test_the_periods_of_a_year_cover_it_without_gap_or_overlap() -> None:
    for kind in ("year", "quarter", "month"):
        periods = periods_in_year(2024, kind)  # type: ignore[arg-type]
        assert periods[0].start == datetime.date(2024, 1, 1) and periods[-1].end == datetime.date(2024, 12, 31)
        for before, after in itertools.pairwise(periods):
            assert after.start - before.end == datetime.timedelta(days=1)
        assert sum(p.days for p in periods) == 366
        assert all(Period("year", 2024).contains(p) for p in periods)
    ordered = sorted([parse_period("2026-02"), parse_period("2026-Q1"), parse_period("2026")], key=Period.sort_key)
    assert [p.code for p in ordered] == ["2026", "2026-Q1", "2026-02"]


@given(
    st.one_of(
        st.builds(lambda y: Period("year", y), st.integers(MIN_YEAR, MAX_YEAR)),
        st.builds(lambda y, n: Period("quarter", y, n), st.integers(MIN_YEAR, MAX_YEAR), st.integers(1, 4)),
        st.builds(lambda y, n: Period("month", y, n), st.integers(MIN_YEAR, MAX_YEAR), st.integers(1, 12)),
    )
)
def test_every_period_round_trips_through_its_code(period: Period) -> None:
    assert parse_period(period.code) == period
    assert period.start <= period.end and period.start.year == period.end.year == period.year


# --- values -------------------------------------------------------------------------------------------------------


def test_consistent_values_are_read_exactly(lcep: ActivityForm) -> None:
    checked = lcep.check(GOOD)
    assert checked.ok, checked.problems
    assert checked.values["nights"] == 20148
    assert checked.values["staff_fte"] == Decimal("20.5")
    assert to_json(checked.values)["staff_fte"] == "20.5"
    assert checked.skipped == ()


def test_exits_above_people_supported_are_refused_naming_both_items(lcep: ActivityForm) -> None:
    checked = lcep.check({**GOOD, "people_supported": "80", "entries": "60"}, language="en")
    assert not checked.ok
    (problem,) = checked.problems
    assert problem.kind == "check" and problem.code == "exits_le_people"
    assert problem.message == "Exits cannot be more than the number of people supported during the period."
    assert problem.items == ("people_supported", "exits_total")
    assert problem.value == "people_supported=80; exits_total=92"
    french = lcep.check({**GOOD, "people_supported": "80", "entries": "60"}, language="fr").problems[0]
    assert french.message.startswith("Les sorties ne peuvent pas dépasser")


def test_destinations_adding_up_to_more_than_the_exits_are_refused(lcep: ActivityForm) -> None:
    checked = lcep.check({**GOOD, "exits_other": "15"}, language="en")
    assert [p.code for p in checked.problems] == ["exits_by_destination"]
    assert checked.problems[0].items[0] == "exits_total"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12.5", "not_an_integer"),
        ("12,0", "not_an_integer"),
        ("douze", "not_an_integer"),
        ("-3", "negative"),
        ("-3,5", "negative"),
        ("1 2", "not_an_integer"),
        ("10000000000000", "too_large"),
    ],
)
def test_an_integer_item_refuses_what_is_not_a_count(lcep: ActivityForm, raw: str, reason: str) -> None:
    checked = lcep.check({"people_supported": raw})
    assert [(p.kind, p.code, p.reason, p.value) for p in checked.problems] == [
        ("value", "people_supported", reason, raw)
    ]
    assert "people_supported" not in checked.values


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1 250", 1250), ("1\u202f250", 1250), ("007", 7), ("+5", 5), ("0", 0), (42, 42), (Decimal("3"), 3)],
)
def test_an_integer_item_reads_counts_as_people_type_them(lcep: ActivityForm, raw: object, value: int) -> None:
    assert lcep.check({"people_supported": raw}).values == {"people_supported": value}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3,5", Decimal("3.5")),
        ("3.50", Decimal("3.5")),
        ("-0,25", Decimal("-0.25")),
        (",5", Decimal("0.5")),
        ("1 200,75", Decimal("1200.75")),
        ("10", Decimal(10)),
        (4, Decimal(4)),
    ],
)
def test_a_decimal_item_reads_a_point_or_a_comma(lcep: ActivityForm, raw: object, value: Decimal) -> None:
    checked = lcep.check({"staff_fte": raw})
    assert checked.values == {"staff_fte": value}
    assert "." not in to_json(checked.values)["staff_fte"] or value != value.to_integral_value()


def test_a_decimal_item_refuses_text_floats_and_too_many_decimals(lcep: ActivityForm) -> None:
    assert lcep.check({"staff_fte": "1,2.5"}).problems[0].reason == "not_a_number"
    assert lcep.check({"staff_fte": 2.5}).problems[0].reason == "not_a_number"
    assert lcep.check({"staff_fte": True}).problems[0].reason == "not_a_number"
    too_precise = lcep.check({"staff_fte": "0." + "1" * (MAX_DECIMALS + 1)}).problems[0]
    assert too_precise.reason == "too_many_decimals"
    assert too_precise.message == f"Write at most {MAX_DECIMALS} decimals."


def test_a_negative_decimal_is_read_and_left_to_the_frameworks_check(lcep: ActivityForm) -> None:
    checked = lcep.check({"staff_fte": "-1"}, language="en")
    assert checked.values == {"staff_fte": Decimal(-1)}
    assert [p.code for p in checked.problems] == ["staff_fte_positive"]


def test_empty_is_not_given_and_a_check_over_an_empty_item_is_skipped(lcep: ActivityForm) -> None:
    checked = lcep.check({"people_supported": "  ", "exits_total": "12", "nights": None})
    assert checked.ok
    assert checked.values == {"exits_total": 12}
    assert {"entries_le_people", "exits_le_people", "nights_le_year"} <= set(checked.skipped)


def test_a_refused_value_is_reported_once_not_again_by_the_checks_that_use_it(lcep: ActivityForm) -> None:
    checked = lcep.check({**GOOD, "people_supported": "beaucoup"})
    assert [p.code for p in checked.problems] == ["people_supported"]
    assert "exits_le_people" in checked.skipped


def test_nothing_given_and_unknown_items_are_problems(lcep: ActivityForm) -> None:
    empty = lcep.check({code: "" for code in lcep.codes})
    assert [(p.kind, p.reason) for p in empty.problems] == [("report", "nothing_given")]
    unknown = lcep.check({"people_supported": "3", "beds": "4"})
    assert [(p.code, p.reason) for p in unknown.problems] == [("beds", "unknown_item")]


def test_every_reason_has_an_english_message() -> None:
    assert set(MESSAGES) | {"check"} == REASONS


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.one_of(
            st.integers(0, 10**12),
            st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False, allow_infinity=False),
        ),
    )
)
def test_stored_values_read_back_equal(values: dict[str, Any]) -> None:
    stored = to_json(values)
    assert from_json(stored) == values
    assert all(isinstance(v, int) or "E" not in v for v in stored.values())
    assert changed_items(stored, stored) == []


def test_changed_items_names_what_was_given_removed_or_changed() -> None:
    assert changed_items({"a": 1, "b": "2.5", "c": 3}, {"a": 1, "b": "2.6", "d": 4}) == ["b", "c", "d"]


# --- files --------------------------------------------------------------------------------------------------------

E1 = finess_with_check_digit("69000001")
E2 = finess_with_check_digit("69000002")
ESTABLISHMENTS = {E1: E1, E2: E2}


def _csv(form: ActivityForm, rows: list[list[str]], *, delimiter: str = ";", header: list[str] | None = None) -> bytes:
    lines = [delimiter.join(header or template_header(form))]
    lines += [delimiter.join(row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _row(establishment: str, period: str, values: dict[str, str], name: str = "") -> list[str]:
    return [establishment, name, period, *[values.get(code, "") for code in GOOD]]


GOOD_DOT = {**GOOD, "staff_fte": "20.5"}


def test_a_good_file_gives_one_row_per_establishment_and_period(lcep: ActivityForm) -> None:
    content = _csv(
        lcep,
        [
            _row(E1, "2025", GOOD, "CHRS"),
            _row(f"{E2[:2]} {E2[2:5]} {E2[5:]}", "2025-q1", {"people_supported": "12"}),
            _row(E2, "2026", {}),  # no value at all: skipped
        ],
    )
    checked = check_file("activite.csv", content, lcep, ESTABLISHMENTS, today=TODAY)
    assert checked.ok, checked.errors
    assert [(r.row, r.establishment, r.period.code) for r in checked.rows] == [(2, E1, "2025"), (3, E2, "2025-Q1")]
    assert checked.rows[0].values["staff_fte"] == Decimal("20.5")
    assert checked.skipped_rows == (4,)
    assert checked.data_rows == 3


def test_every_bad_row_is_reported_with_its_row_column_value_and_reason(lcep: ActivityForm) -> None:
    unknown = finess_with_check_digit("75000099")
    content = _csv(
        lcep,
        [
            _row(E1, "2025", GOOD_DOT),
            _row(unknown, "2025", GOOD_DOT),  # row 3
            _row("12345", "2025", GOOD_DOT),  # row 4
            _row(E2, "2025-Q7", GOOD_DOT),  # row 5
            _row(E2, "2027", GOOD_DOT),  # row 6: not started on TODAY
            _row(E2, "2025", {**GOOD_DOT, "people_supported": '"12,5"'}),  # row 7
            _row(E2, "2025-Q2", {**GOOD_DOT, "people_supported": "50", "entries": "40"}),  # row 8: exits > people
            _row(E1, "2025", GOOD_DOT),  # row 9: same as row 2
            _row("", "", GOOD_DOT),  # row 10
            _row(E2, "2024", {**GOOD_DOT, "staff_fte": "3,5"}),  # row 11: a decimal comma splits the cell in two
        ],
        delimiter=",",
    )
    checked = check_file("activite.csv", content, lcep, ESTABLISHMENTS, today=TODAY, language="en")
    assert not checked.ok and checked.rows == ()
    found = [(e.row, e.column, e.value, e.code) for e in checked.errors]
    assert found == [
        (3, "establishment", unknown, "unknown_establishment"),
        (4, "establishment", "12345", "bad_finess"),
        (5, "period", "2025-Q7", "bad_period"),
        (6, "period", "2027", "future_period"),
        (7, "people_supported", "12,5", "not_an_integer"),
        (8, "people_supported, exits_total", "people_supported=50; exits_total=92", "check"),
        (8, "people_supported, nights", "people_supported=50; nights=20148", "check"),
        (9, "establishment, period", f"{E1}, 2025", "duplicate_row"),
        (10, "establishment", "", "establishment_missing"),
        (10, "period", "", "period_missing"),
        (11, "", "5", "extra_cells"),
    ]
    by_row = {e.row: e for e in reversed(checked.errors)}  # the first error of each row
    assert by_row[8].reason == "Exits cannot be more than the number of people supported during the period."
    assert by_row[9].reason == "This establishment and period are already on row 2: keep one row."
    assert by_row[5].params["why"] == "quarter"


def test_the_header_must_name_every_item_and_nothing_unknown(lcep: ActivityForm) -> None:
    header = ["Établissement", "Période", *[c for c in GOOD if c != "nights"], "nuits", "staff_fte"]
    content = _csv(lcep, [[E1, "2025", *["1"] * (len(header) - 2)]], header=header)
    checked = check_file("activite.csv", content, lcep, ESTABLISHMENTS, today=TODAY)
    assert [(e.row, e.column, e.code) for e in checked.errors] == [
        (1, "nuits", "unknown_column"),
        (1, "staff_fte", "duplicate_column"),
        (1, "nights", "missing_column"),
    ]
    assert "nights" in checked.errors[0].reason  # the reason lists the codes to choose from


def test_a_windows_1252_csv_and_an_excel_workbook_are_read(lcep: ActivityForm) -> None:
    header = ";".join(["etablissement", "nom", "periode", *GOOD])
    row = ";".join([E1, "Résidence Été", "2025", *GOOD.values()])
    cp1252 = check_file("a.csv", f"{header}\r\n{row}\r\n".encode("cp1252"), lcep, ESTABLISHMENTS, today=TODAY)
    assert cp1252.ok and cp1252.rows[0].values["nights"] == 20148
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(template_header(lcep))
    sheet.append([E1, "CHRS", "2025-03", 180, 95, 92, 34, 27, 6, 11, 14, 2000, 20.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = check_file("a.xlsx", buffer.getvalue(), lcep, ESTABLISHMENTS, today=TODAY)
    assert xlsx.ok, xlsx.errors
    assert xlsx.rows[0].period.code == "2025-03" and xlsx.rows[0].values["staff_fte"] == Decimal("20.5")


def test_an_unreadable_or_empty_file_says_so(lcep: ActivityForm) -> None:
    with pytest.raises(ImportFileError, match=r"\.xls files are not supported"):
        check_file("a.xls", b"whatever", lcep, ESTABLISHMENTS, today=TODAY)
    empty = check_file("a.csv", b"", lcep, ESTABLISHMENTS, today=TODAY)
    assert [e.code for e in empty.errors] == ["empty_file"]
    header_only = check_file("a.csv", _csv(lcep, []), lcep, ESTABLISHMENTS, today=TODAY)
    assert [e.code for e in header_only.errors] == ["no_rows"]
