"""The framework-free part of imports: reading files, mapping columns, turning cells into checked answers."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from socle.lib.collection.answers import compile_questionnaire
from socle.lib.imports import files, mapping, rows
from socle.lib.imports.files import ImportFileError, read_table, write_csv, write_xlsx
from socle.lib.imports.mapping import (
    ESTABLISHMENT,
    FOLLOWUP_CODE,
    IGNORE,
    QUOTE_CONSENT,
    ROW_ID,
    MappingError,
    Plan,
    apply_explicit,
    questions_of,
    suggest,
)
from socle.lib.imports.rows import EstablishmentRef, RowReader, plan_problems, validate
from tests.framework_docs import sector_document

TODAY = datetime.date(2026, 6, 1)


def _document() -> dict[str, Any]:
    """The mini sector framework, with a date, a decimal, a text and a multiple choice question added."""
    document = sector_document()
    questions = document["questionnaires"][0]["sections"][0]["questions"]
    questions += [
        {"name": "arrivee", "type": "date", "label": {"fr": "Date d'arrivée", "en": "Arrival date"}, "dont_know": True},
        {"name": "revenu", "type": "decimal", "label": {"fr": "Revenu", "en": "Income"}},
        {"name": "remarque", "type": "text", "label": {"fr": "Remarque", "en": "Remark"}},
        {
            "name": "activites",
            "type": "multiple_choice",
            "label": {"fr": "Activités", "en": "Activities"},
            "choices": "activities",
            "dont_know": True,
        },
    ]
    document["choice_lists"].append(
        {
            "name": "activities",
            "choices": [
                {"value": "jardin", "label": {"fr": "Le jardin partagé", "en": "The shared garden"}},
                {"value": "sport", "label": {"fr": "Sport, marche", "en": "Sport, walking"}},
                {"value": "cuisine", "label": {"fr": "Cuisine", "en": "Cooking"}},
            ],
        }
    )
    return document


DOCUMENT = _document()
QUESTIONS = questions_of(DOCUMENT, "entry")
QUESTIONNAIRE = compile_questionnaire(DOCUMENT, "entry")


def _table(header: list[str], *data: list[str]) -> files.Table:
    return files.Table(1, tuple(header), [(number, list(cells)) for number, cells in enumerate(data, start=2)])


def _reader(header: list[str], **kwargs: Any) -> RowReader:
    plan = suggest(header, QUESTIONS)
    return RowReader(plan, QUESTIONS, QUESTIONNAIRE, today=TODAY, **kwargs)


def _read(header: list[str], cells: list[str], **kwargs: Any) -> tuple[Any, list[rows.RowError]]:
    return _reader(header, **kwargs).read(2, cells)


# --- Reading files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "encoding_note"),
    [
        (b"sexe;droits\r\nf;oui\r\nh;non\r\n", False),
        ("\ufeffsexe;droits\nf;oui\nh;non\n".encode(), False),
        (b"sexe,droits\nf,oui\nh,non\n", False),
        (b"sexe\tdroits\nf\toui\nh\tnon\n", False),
        ("sexe;droits\nf;oui\nh;non\n".encode("utf-16"), False),
        ("sexe;droits\nf;oui\nh;non\n".encode("cp1252"), False),  # ASCII only: also valid UTF-8
    ],
)
def test_csv_files_in_every_usual_encoding_and_separator_read_the_same(content: bytes, encoding_note: bool) -> None:
    table = read_table("a.csv", content)
    assert table.header == ("sexe", "droits")
    assert table.rows == [(2, ["f", "oui"]), (3, ["h", "non"])]
    assert bool(table.notes) is encoding_note


def test_a_latin1_file_is_read_with_a_note_that_says_so() -> None:
    table = read_table("a.csv", "remarque;sexe\nDéjà vu;f\n".encode("cp1252"))
    assert table.rows == [(2, ["Déjà vu", "f"])]
    assert [note.code for note in table.notes] == ["encoding_latin1"]
    assert "Windows-1252" in table.notes[0].message
    # bytes Windows-1252 leaves undefined still read, as Latin-1
    assert read_table("a.csv", b"remarque\n\x81\n").rows == [(2, ["\x81"])]


def test_the_separator_is_the_one_that_splits_rows_evenly_even_with_commas_in_titles() -> None:
    content = "En cas de difficulté, qui ?;Vous, êtes, vous ?;x\na;b;c\nd;e;f\n".encode()
    table = read_table("a.csv", content)
    assert table.header == ("En cas de difficulté, qui ?", "Vous, êtes, vous ?", "x")


def test_row_numbers_are_the_files_own_counting_blank_rows_and_quoted_line_breaks() -> None:
    content = b'\n\nsexe;remarque\nf;"two\nlines"\n;\nh;x\n'
    table = read_table("a.csv", content)
    assert table.header_row == 3
    assert table.rows == [(4, ["f", "two\nlines"]), (6, ["h", "x"])]


def test_cells_lose_their_outer_spaces_and_non_breaking_spaces() -> None:
    table = read_table("a.csv", "sexe ; droits\n\u00a0f ;oui\u202f\n".encode())
    assert table.header == ("sexe", "droits") and table.rows == [(2, ["f", "oui"])]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.csv", b"", "empty"),
        ("a.csv", b"\n ; \n", "empty"),
        ("a.xls", b"x", "old_format"),
        ("a.ods", b"x", "old_format"),
        ("a.txt", b"x", "extension"),
        ("a.csv", b"PK\x03\x04rest", "workbook_as_csv"),
        ("a.xlsx", b"not a zip", "workbook"),
        ("a.csv", b"a;b\x00c\n", "binary"),
        ("a.csv", b"\xef\xbb\xbfa;\xff\n", "encoding"),
    ],
)
def test_files_that_cannot_be_read_say_why(name: str, content: bytes, code: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_table(name, content)
    assert caught.value.code == code
    assert str(caught.value)


def test_a_file_longer_than_the_limit_is_refused_before_it_is_checked() -> None:
    content = ("sexe\n" + "f\n" * 11).encode()
    assert len(read_table("a.csv", content, max_rows=11).rows) == 11
    with pytest.raises(ImportFileError, match="more than 10 rows") as caught:
        read_table("a.csv", content, max_rows=10)
    assert caught.value.code == "too_many_rows"


def _xlsx(*lines: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_cells_become_the_text_a_person_would_type() -> None:
    content = _xlsx(
        ["sexe", "urgences", "revenu", "arrivee", "droits"],
        ["f", 3, 12.5, datetime.datetime(2024, 3, 1), True],
        ["h", 4.0, None, datetime.date(2024, 3, 2), False],
    )
    table = read_table("a.xlsx", content)
    assert table.header == ("sexe", "urgences", "revenu", "arrivee", "droits")
    assert table.rows == [(2, ["f", "3", "12.5", "2024-03-01", "oui"]), (3, ["h", "4", "", "2024-03-02", "non"])]


def test_written_tables_read_back_and_keep_text_that_looks_like_a_formula() -> None:
    table = [["Row", "Value"], [2, '=HYPERLINK("x")'], [3, 'é;"quoted"']]
    csv_bytes = write_csv(table)
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and b"\r\n" in csv_bytes
    back = read_table("r.csv", csv_bytes)
    assert back.rows == [(2, ["2", '=HYPERLINK("x")']), (3, ["3", 'é;"quoted"'])]
    book = load_workbook(io.BytesIO(write_xlsx(table, sheet="Errors")))
    sheet = book["Errors"]
    assert sheet["B2"].value == '=HYPERLINK("x")' and sheet["B2"].data_type == "s"


# --- Mapping ------------------------------------------------------------------------------------------------------


def test_questions_leave_notes_out_and_know_their_choices_and_whether_they_are_always_asked() -> None:
    by_name = {q.name: q for q in QUESTIONS}
    assert list(by_name) == ["sexe", "droits", "estime", "urgences", "arrivee", "revenu", "remarque", "activites"]
    assert [c.value for c in by_name["sexe"].choices] == ["f", "h", "a"]
    assert "Femme" in by_name["sexe"].choices[0].labels and "Woman" in by_name["sexe"].choices[0].labels
    assert by_name["droits"].required and by_name["droits"].always_asked and by_name["droits"].dont_know
    assert not by_name["urgences"].always_asked  # it has a relevance
    with pytest.raises(KeyError):
        questions_of(DOCUMENT, "nope")


def test_columns_map_automatically_by_code_label_or_role_in_any_case_and_accents() -> None:
    header = ["ID_LIGNE", "Sexe", "Avez-vous vos droits ?", "I am happy with myself", "FINESS", "Code suivi", "x"]
    plan = suggest(header, QUESTIONS)
    assert plan.targets == (ROW_ID, "sexe", "droits", "estime", ESTABLISHMENT, FOLLOWUP_CODE, IGNORE)
    assert plan.ignored() == ["x"]
    assert [q.name for q in plan.unmapped(QUESTIONS)] == ["urgences", "arrivee", "revenu", "remarque", "activites"]


def test_automatic_mapping_gives_each_target_to_one_column_and_prefers_the_finess_for_the_establishment() -> None:
    header = ["establishment", "sexe", "establishment_finess", "SEXE", "quote_consent"]
    plan = suggest(header, QUESTIONS, roles=(ROW_ID, ESTABLISHMENT))
    assert plan.targets == (IGNORE, "sexe", ESTABLISHMENT, IGNORE, IGNORE)  # quote consent not offered here


def test_explicit_mapping_wins_and_takes_the_target_from_the_automatic_column() -> None:
    plan = suggest(["sexe", "Genre", "ref"], QUESTIONS)
    assert plan.targets == ("sexe", IGNORE, IGNORE)
    changed = apply_explicit(plan, [("genre", "sexe"), ("ref", "row_id"), ("sexe", "ignore")], QUESTIONS)
    assert changed.targets == (IGNORE, "sexe", ROW_ID)
    assert Plan.from_json(changed.as_json()) == changed


@pytest.mark.parametrize(
    ("explicit", "code"),
    [
        ([("nope", "sexe")], "column_unknown"),
        ([("Genre", "colour")], "question_unknown"),
        ([("Genre", "sexe"), ("ref", "sexe")], "target_twice"),
        ([("Genre", "sexe"), ("Genre", "droits")], "column_twice"),
        ([("Genre", "followup_code")], "role_not_here"),
    ],
)
def test_explicit_mapping_mistakes_are_refused_with_what_to_write(explicit: list[tuple[str, str]], code: str) -> None:
    plan = suggest(["sexe", "Genre", "ref"], QUESTIONS, roles=(ROW_ID,))
    with pytest.raises(MappingError) as caught:
        apply_explicit(plan, explicit, QUESTIONS, roles=(ROW_ID,))
    assert caught.value.code == code


def test_plan_problems_catch_a_missing_required_question_a_target_twice_and_a_missing_establishment() -> None:
    plan = Plan(("sexe", "sexe 2"), ("sexe", "sexe"))
    problems = plan_problems(plan, QUESTIONS, needs_establishment=True)
    assert [p.code for p in problems] == ["target_twice", "establishment_column", "required_question_missing"]
    assert problems[2].params == {"question": "droits"}
    assert [p.code for p in plan_problems(Plan(("x",), (IGNORE,)), QUESTIONS)] == [
        "no_question",
        "required_question_missing",
    ]


# --- Cells to answers ---------------------------------------------------------------------------------------------


HEADER = ["sexe", "droits", "estime", "urgences", "arrivee", "revenu", "remarque", "activites"]


def _answers(cells: list[str]) -> dict[str, object]:
    row, errors = _read(HEADER, cells)
    assert errors == [], errors
    return row.answers(QUESTIONNAIRE.names)


def test_cells_become_the_answers_the_questionnaire_accepts() -> None:
    assert _answers(["Femme", "OUI", "Niveau 4", " 12 ", "31/03/2024", "1 234,5", "nsp", "jardin"]) == {
        "sexe": "f",
        "droits": "oui",
        "estime": "4",
        "urgences": 12,
        "arrivee": datetime.date(2024, 3, 31),
        "revenu": Decimal("1234.5"),
        "remarque": "nsp",  # a text question without "don't know" keeps the words as text
        "activites": ["jardin"],
    }


def test_choices_by_code_or_label_in_any_language_and_several_answers_with_semicolons_or_bars() -> None:
    answers = _answers(["woman", "Yes", "5", "3.0", "2024-03-01 00:00:00", "", "", "Cuisine ; le jardin partagé"])
    assert answers["sexe"] == "f" and answers["droits"] == "oui" and answers["urgences"] == 3
    assert answers["arrivee"] == datetime.date(2024, 3, 1) and "revenu" not in answers
    assert answers["activites"] == ["jardin", "cuisine"]  # in the list's order
    assert _answers(["h", "non", "", "", "", "", "", "sport | cuisine"])["activites"] == ["sport", "cuisine"]
    assert _answers(["h", "non", "", "", "", "", "", "sport cuisine"])["activites"] == ["sport", "cuisine"]
    assert _answers(["h", "non", "", "", "", "", "", "Sport, marche"])["activites"] == ["sport"]


@pytest.mark.parametrize("word", ["dk", "NSP", "ne sait pas", "Je ne sais pas", "Don't know", "prefer not to say"])
def test_dont_know_words_become_dk_where_it_is_offered(word: str) -> None:
    answers = _answers(["", word, "", "", word, "", "", word])
    assert answers["droits"] == "dk" and answers["arrivee"] == "dk" and answers["activites"] == "dk"


def test_empty_cells_are_unanswered_and_a_short_row_is_padded() -> None:
    row, errors = _read(HEADER, ["", "oui"])
    assert errors == [] and row.answers(QUESTIONNAIRE.names) == {"droits": "oui"}


@pytest.mark.parametrize(
    ("cells", "column", "value", "code"),
    [
        (["x", "oui"], "sexe", "x", "unknown_choice"),
        (["", ""], "droits", "", "required"),
        (["", "oui", "", "200"], "urgences", "200", "constraint"),
        (["", "oui", "", "3,5"], "urgences", "3,5", "not_an_integer"),
        (["", "oui", "", "", "31/02/2024"], "arrivee", "31/02/2024", "no_such_day"),
        (["", "oui", "", "", "March"], "arrivee", "March", "not_a_date"),
        (["", "oui", "", "", "", "douze"], "revenu", "douze", "not_a_number"),
        (["dk", "oui"], "sexe", "dk", "dont_know_not_offered"),
        (["", "oui", "", "", "", "", "", "jardin; bowling"], "activites", "jardin; bowling", "unknown_choices"),
        (["", "oui", "", "", "", "", "", "dk; jardin"], "activites", "dk; jardin", "wrong_shape"),
        (["", "oui", "", "", "", "", "x" * 5001], "remarque", "x" * 5001, "too_long"),
    ],
)
def test_each_bad_cell_is_one_error_with_its_row_column_value_and_a_reason(
    cells: list[str], column: str, value: str, code: str
) -> None:
    row, errors = _read(HEADER, cells)
    assert row is None
    assert [(e.row, e.column, e.value, e.code) for e in errors] == [(2, column, value, code)]
    assert errors[0].reason


def test_the_reason_of_an_unknown_choice_lists_the_codes_and_a_constraint_carries_its_own_message() -> None:
    _row, errors = _read(HEADER, ["x", "oui", "", "200"])
    assert errors[0].params["accepted"] == "f, h, a" and "f, h, a" in errors[0].reason
    assert errors[1].text == {"fr": "Entre 0 et 100", "en": "Between 0 and 100"}
    assert "Between 0 and 100" in errors[1].reason


def test_skip_logic_refuses_an_answer_to_a_question_not_asked() -> None:
    document = sector_document()
    questionnaire = compile_questionnaire(document, "entry")
    questions = questions_of(document, "entry")
    plan = suggest(["droits", "urgences"], questions)
    reader = RowReader(plan, questions, questionnaire, today=TODAY)
    assert reader.read(2, ["oui", "3"])[1] == []
    # urgences is asked when droits is answered; a refused droits does not cascade into urgences
    _row, errors = reader.read(3, ["peut-être", "3"])
    assert [(e.column, e.code) for e in errors] == [("droits", "unknown_choice")]


def test_row_ids_are_required_short_and_unique_in_the_file() -> None:
    header = ["row_id", "droits"]
    reader = _reader(header)
    assert reader.read(2, ["a1", "oui"])[0].row_id == "a1"
    assert [e.code for e in reader.read(3, ["", "oui"])[1]] == ["row_id_missing"]
    errors = reader.read(4, ["a1", "oui"])[1]
    assert [(e.code, e.params["first"]) for e in errors] == [("row_id_duplicate", 2)]
    assert [e.code for e in reader.read(5, ["x" * 201, "oui"])[1]] == ["row_id_too_long"]


def test_establishments_are_found_by_finess_even_without_its_leading_zero_by_id_or_by_name() -> None:
    refs = [
        EstablishmentRef(1, "010002554", "CHRS Les Tilleuls", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        EstablishmentRef(2, "750000044", "Accueil de jour", ""),
        EstablishmentRef(3, "750000051", "Accueil de jour", ""),
    ]
    reader = _reader(["finess", "droits"], establishments=refs)
    assert reader.read(2, ["010002554", "oui"])[0].establishment == 1
    assert reader.read(3, ["10002554", "oui"])[0].establishment == 1
    assert reader.read(4, ["chrs les tilleuls", "oui"])[0].establishment == 1
    assert reader.read(5, ["1B4E28BA-2FA1-11D2-883F-0016D3CCA427", "oui"])[0].establishment == 1
    assert reader.read(6, ["750 000 051", "oui"])[0].establishment == 3
    assert [e.code for e in reader.read(7, ["Accueil de jour", "oui"])[1]] == ["establishment_ambiguous"]
    assert [e.code for e in reader.read(8, ["999999999", "oui"])[1]] == ["establishment_unknown"]
    assert [e.code for e in reader.read(9, ["", "oui"])[1]] == ["establishment_missing"]


def test_follow_up_codes_are_read_leniently_and_checked_only_where_they_are_read() -> None:
    from socle.lib.collection import followup

    code = followup.new_code()
    reader = _reader(["code_suivi", "droits"], read_followup=True)
    assert reader.read(2, [followup.printable(code).lower(), "oui"])[0].followup_code == code
    assert reader.read(3, ["", "oui"])[0].followup_code == ""
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert [e.code for e in reader.read(4, [wrong, "oui"])[1]] == ["followup_code_check"]
    assert [e.code for e in reader.read(5, ["ABC", "oui"])[1]] == ["followup_code_length"]
    assert [e.code for e in reader.read(6, ["ABC-DEF-GH!", "oui"])[1]] == ["followup_code_character"]
    # at entry the column is not read at all
    assert _reader(["code_suivi", "droits"]).read(7, ["nonsense", "oui"])[1] == []


def test_quote_consent_is_oui_or_non() -> None:
    reader = _reader(["quote_consent", "droits"])
    assert reader.read(2, ["Oui", "oui"])[0].quote_consent is True
    assert reader.read(3, ["non", "oui"])[0].quote_consent is False
    assert reader.read(4, ["", "oui"])[0].quote_consent is None
    assert [e.code for e in reader.read(5, ["peut-être", "oui"])[1]] == ["quote_consent"]
    assert QUOTE_CONSENT in suggest(["quote_consent"], QUESTIONS).targets


def test_validate_reports_every_error_of_every_row_keeps_no_row_then_and_reports_progress() -> None:
    table = _table(HEADER, ["x", "oui"], ["f", ""], ["f", "oui", "", "200"], ["h", "non"])
    calls: list[int] = []
    result = validate(table, _reader(HEADER), progress=calls.append, every=2)
    assert not result.ok and result.valid == []
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (2, "sexe", "unknown_choice"),
        (3, "droits", "required"),
        (4, "urgences", "constraint"),
    ]
    assert calls == [2, 4, 4]
    good = validate(_table(HEADER, ["f", "oui"], ["h", "non"]), _reader(HEADER))
    assert good.ok and [row.row for row in good.valid] == [2, 3]


def test_validate_refuses_a_file_without_rows_or_with_a_broken_plan() -> None:
    empty = validate(_table(HEADER), _reader(HEADER))
    assert [e.code for e in empty.errors] == ["no_rows"]
    problems = plan_problems(Plan(("a",), (IGNORE,)), QUESTIONS)
    broken = validate(_table(["a"], ["1"]), _reader(["a"]), problems=problems)
    assert broken.error_count == len(problems) and broken.valid == []


def test_errors_beyond_the_limit_are_counted_but_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows, "MAX_ERRORS", 2)
    result = validate(_table(HEADER, ["x", ""], ["x", ""]), _reader(HEADER))
    assert result.error_count == 4 and len(result.errors) == 2


def test_row_errors_go_to_json_and_back() -> None:
    _row, errors = _read(HEADER, ["x", "oui", "", "200"])
    for error in errors:
        assert rows.RowError.from_json(error.as_json()) == error
        assert rows.RowError.from_json(error.as_json()).params == error.params


@given(st.lists(st.sampled_from(["f", "h", "a", "Femme", "homme", "x", "", "dk"]), min_size=1, max_size=30))
def test_a_file_imports_only_when_every_row_would_pass_the_questionnaire_alone(cells: list[str]) -> None:
    """Whatever the cells, validate accepts the file exactly when each row's converted answers pass the check."""
    table = _table(["sexe", "droits"], *[[cell, "oui"] for cell in cells])
    result = validate(table, _reader(["sexe", "droits"]))
    expected_ok = all(cell.lower() in {"f", "h", "a", "femme", "homme", ""} for cell in cells)
    assert result.ok is expected_ok
    assert result.error_count == sum(1 for cell in cells if cell.lower() not in {"f", "h", "a", "femme", "homme", ""})
    if expected_ok:
        assert len(result.valid) == len(cells)


def test_the_modules_import_nothing_of_django() -> None:
    for module in (files, mapping, rows):
        with open(str(module.__file__), encoding="utf-8") as source:
            text = source.read()
        assert "import django" not in text and "from django" not in text
