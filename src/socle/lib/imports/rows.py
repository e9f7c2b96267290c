"""Checking every row of a file of answers, and collecting every error with its row, column and value.

Each cell is turned into the raw answer :meth:`socle.lib.collection.answers.Questionnaire.check` reads, by the
question's type:

- empty: unanswered (the key is left out);
- "don't know": ``dk``, ``nsp``, ``ne sait pas``, ``je ne sais pas``, ``don't know``, ``prefer not to say``…
  (any case, with or without accents) become ``dk``; for a question that does not offer it the check refuses
  it. In a text question these words stay text unless the question offers "don't know";
- single choice, scale, either-or: the choice's code, or one of its labels or easy-read labels in any language
  (any case, with or without accents);
- multiple choice: several codes or labels separated by ``;`` or ``|``, or codes separated by spaces (as
  XLSForm writes them);
- integer: digits, with spaces between thousands allowed and ``.0`` tolerated (``3.0`` from a spreadsheet);
- decimal: ``12.5`` or ``12,5``, spaces between thousands allowed;
- date: ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (also with ``-`` or ``.``), a time at midnight ignored;
- text: as written.

Then the row's answers are checked together (types, choices, skip logic, required questions, constraints), and
the row's other columns: row id (present, unique in the file), establishment, follow-up code (check character)
and quote consent. A row with no error becomes a :class:`ValidRow`; the file is imported only when no row has
an error, so :func:`validate` keeps valid rows only while there is none.

Errors carry a ``code`` (for translation), an English ``reason`` and the ``params`` a translation needs; a
constraint error carries the questionnaire's own message (``text``, language -> message).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from socle.lib.collection import followup
from socle.lib.collection.answers import DONT_KNOW, MAX_TEXT_LENGTH, Questionnaire
from socle.lib.imports.files import Table
from socle.lib.imports.mapping import (
    ESTABLISHMENT,
    FOLLOWUP_CODE,
    QUOTE_CONSENT,
    ROW_ID,
    Plan,
    Question,
    simplify,
)

__all__ = [
    "DONT_KNOW_WORDS",
    "MAX_ERRORS",
    "ROW_ID_MAX_LENGTH",
    "EstablishmentRef",
    "RowError",
    "RowReader",
    "ValidRow",
    "Validation",
    "plan_problems",
    "validate",
]

ROW_ID_MAX_LENGTH: Final = 200
MAX_ERRORS: Final = 100_000  # kept in the report; the count goes on
_CACHE_LIMIT: Final = 20_000  # converted cells remembered per question
_LISTED_CHOICES: Final = 15

DONT_KNOW_WORDS: Final = frozenset(
    {
        "dk",
        "nsp",
        "nspp",
        "ne_sait_pas",
        "je_ne_sais_pas",
        "ne_veut_pas_repondre",
        "je_ne_veux_pas_repondre",
        "je_ne_sais_pas_je_ne_veux_pas_repondre",
        "ne_sait_pas_ne_veut_pas_repondre",
        "je_ne_sais_pas_je_prefere_ne_pas_repondre",
        "don_t_know",
        "dont_know",
        "i_don_t_know",
        "prefer_not_to_say",
        "i_prefer_not_to_say",
        "i_don_t_know_i_prefer_not_to_say",
    }
)
_TRUE: Final = frozenset({"oui", "yes", "o", "y", "1", "true", "vrai"})
_FALSE: Final = frozenset({"non", "no", "n", "0", "false", "faux"})
_SHAPE_CODES: Final = frozenset({"not_a_choice", "not_an_integer", "not_a_number", "not_a_date", "wrong_shape"})
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_INTEGER_ZEROS = re.compile(r"([+-]?[0-9]+)[.,]0+")
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO_WITH_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T][0-9:.]+")
_SEPARATORS = re.compile(r"[;|]")


@dataclass(frozen=True)
class RowError:
    """One problem: the row and column as the file's author sees them, the cell's value, and why."""

    row: int
    column: str
    value: str
    code: str
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    text: Mapping[str, str] | None = field(default=None, hash=False, compare=False)

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column or '—'}, value {self.value!r}: {self.reason}"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "reason": self.reason,
        }
        if self.params:
            data["params"] = dict(self.params)
        if self.text:
            data["text"] = dict(self.text)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RowError:
        return cls(
            int(data["row"]),
            str(data["column"]),
            str(data["value"]),
            str(data["code"]),
            str(data["reason"]),
            dict(data.get("params") or {}),
            dict(data["text"]) if data.get("text") else None,
        )


@dataclass(frozen=True)
class EstablishmentRef:
    """An establishment a row may name: by FINESS number, public id or name."""

    key: int
    finess: str
    name: str
    public_id: str = ""


@dataclass(frozen=True, slots=True)
class ValidRow:
    """A row whose answers passed the check. ``values`` follow ``Questionnaire.names`` (None: unanswered)."""

    row: int
    row_id: str
    establishment: int | None
    values: tuple[object, ...]
    followup_code: str  # normalised, or "" (none given, or not read at this wave)
    quote_consent: bool | None

    def answers(self, names: Sequence[str]) -> dict[str, object]:
        """The checked answers as ``Questionnaire.check`` gives them, in the questionnaire's order."""
        return {name: value for name, value in zip(names, self.values, strict=True) if value is not None}


# --- Cells to raw answers -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fault:
    code: str
    reason: str
    params: Mapping[str, Any]


_Converted = tuple[object, "_Fault | None"]


def _accepted(question: Question) -> str:
    values = [choice.value for choice in question.choices]
    shown = ", ".join(values[:_LISTED_CHOICES]) + (", …" if len(values) > _LISTED_CHOICES else "")
    return shown + (", dk" if question.dont_know else "")


def _choice_lookup(question: Question) -> dict[str, str]:
    """Simplified code or label -> choice code; codes win over labels, earlier choices over later ones."""
    lookup: dict[str, str] = {}
    for choice in question.choices:
        lookup.setdefault(simplify(choice.value), choice.value)
    for choice in question.choices:
        for label in choice.labels:
            lookup.setdefault(simplify(label), choice.value)
    return lookup


def _is_dont_know(text: str) -> bool:
    return simplify(text) in DONT_KNOW_WORDS


def _converter(question: Question) -> Callable[[str], _Converted]:
    """A function from a non-empty cell to (raw answer, fault or None), remembering what it converted."""
    kind = question.type
    if kind in ("text", "long_text"):
        offered = question.dont_know

        def text(cell: str) -> _Converted:
            return (DONT_KNOW if offered and _is_dont_know(cell) else cell), None

        return text

    if kind in ("single_choice", "scale", "either_or"):
        lookup = _choice_lookup(question)
        exact = {choice.value for choice in question.choices}
        accepted = _accepted(question)

        def single(cell: str) -> _Converted:
            if cell in exact:
                return cell, None
            value = lookup.get(simplify(cell))
            if value is not None:
                return value, None
            if _is_dont_know(cell):
                return DONT_KNOW, None
            return cell, _Fault(
                "unknown_choice",
                f"not one of the answers offered: write a code ({accepted}) or a label of the list",
                {"accepted": accepted},
            )

        return _remembering(single)

    if kind == "multiple_choice":
        lookup = _choice_lookup(question)
        codes = {simplify(choice.value): choice.value for choice in question.choices}
        accepted = _accepted(question)

        def multiple(cell: str) -> _Converted:
            if _is_dont_know(cell):
                return DONT_KNOW, None
            if _SEPARATORS.search(cell):
                items = [item.strip() for item in _SEPARATORS.split(cell) if item.strip()]
                values = [lookup.get(simplify(item)) for item in items]
                unknown = [item for item, value in zip(items, values, strict=True) if value is None]
            else:
                whole = lookup.get(simplify(cell))
                if whole is not None:
                    return [whole], None
                items = cell.split()
                values = [codes.get(simplify(item)) for item in items]
                unknown = [item for item, value in zip(items, values, strict=True) if value is None]
            if unknown:
                if all(_is_dont_know(item) for item in unknown):
                    # "dk" with other answers: the check says to choose one or the other
                    return [value or DONT_KNOW for value in values], None
                listed = ", ".join(unknown)
                return cell, _Fault(
                    "unknown_choices",
                    f"not among the answers offered: {listed}; write codes ({accepted}) or labels, separated by ; or |",
                    {"items": listed, "accepted": accepted},
                )
            return [value for value in values if value is not None], None

        return _remembering(multiple)

    if kind == "integer":

        def integer(cell: str) -> _Converted:
            if _is_dont_know(cell):
                return DONT_KNOW, None
            text = _SPACES.sub("", cell)
            zeros = _INTEGER_ZEROS.fullmatch(text)
            return (zeros.group(1) if zeros else text), None

        return _remembering(integer)

    if kind == "decimal":

        def decimal(cell: str) -> _Converted:
            if _is_dont_know(cell):
                return DONT_KNOW, None
            return _SPACES.sub("", cell), None

        return _remembering(decimal)

    if kind == "date":

        def date(cell: str) -> _Converted:
            if _is_dont_know(cell):
                return DONT_KNOW, None
            with_time = _ISO_WITH_TIME.fullmatch(cell)
            if with_time:
                return with_time.group(1), None
            day_first = _DAY_FIRST.fullmatch(cell)
            if day_first:
                day, month, year = (int(part) for part in day_first.groups())
                try:
                    return datetime.date(year, month, day).isoformat(), None
                except ValueError:
                    return cell, _Fault("no_such_day", "there is no such day: write a real date", {})
            return cell, None

        return _remembering(date)

    def other(cell: str) -> _Converted:
        return cell, None

    return other


def _remembering(convert: Callable[[str], _Converted]) -> Callable[[str], _Converted]:
    memory: dict[str, _Converted] = {}

    def remembered(cell: str) -> _Converted:
        found = memory.get(cell)
        if found is None:
            found = convert(cell)
            if len(memory) < _CACHE_LIMIT:
                memory[cell] = found
        return found

    return remembered


# --- Reasons for the answers module's errors ------------------------------------------------------------------


def _reason(code: str, question: Question | None) -> tuple[str, dict[str, Any]]:
    """An English reason for an error of ``Questionnaire.check``, worded for a file."""
    dont_know = bool(question and question.dont_know)
    if code == "required":
        if dont_know:
            return "required: write an answer, or dk for “don't know”", {"dont_know": True}
        return "required: write an answer", {"dont_know": False}
    if code == "not_a_choice":
        accepted = _accepted(question) if question else ""
        return f"not one of the answers offered ({accepted})", {"accepted": accepted}
    if code == "not_an_integer":
        return "not a whole number: write digits only, for example 3", {}
    if code == "not_a_number":
        return "not a number: write for example 12 or 12,5", {}
    if code == "not_a_date":
        return "not a date: write it as DD/MM/YYYY or YYYY-MM-DD, for example 31/03/2024", {}
    if code == "too_long":
        limit = MAX_TEXT_LENGTH.get(question.type, 0) if question else 0
        return f"too long: at most {limit} characters", {"max": limit}
    if code == "not_asked":
        return "this question is not asked given the row's other answers: leave the cell empty", {}
    if code == "dont_know_not_offered":
        return "“don't know” is not offered for this question: write an answer", {}
    if code == "constraint":
        return "this answer is not accepted by the questionnaire's rule", {}
    if code == "wrong_shape":
        if question is not None and question.type == "multiple_choice":
            return "choose dk on its own, or only answers from the list", {"multiple": True}
        return "this answer cannot be read: check it", {"multiple": False}
    return "this answer cannot be read: check it", {}


# --- Reading rows ---------------------------------------------------------------------------------------------


class _Establishments:
    def __init__(self, establishments: Iterable[EstablishmentRef]) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for ref in establishments:
            self.by_code[ref.finess.upper()] = ref.key
            if ref.public_id:
                self.by_code[ref.public_id.lower()] = ref.key
            self.by_name.setdefault(simplify(ref.name), []).append(ref.key)
        self.memory: dict[str, tuple[int | None, str]] = {}

    def find(self, cell: str) -> tuple[int | None, str]:
        """(key, "") or (None, error code)."""
        found = self.memory.get(cell)
        if found is None:
            found = self._find(cell)
            self.memory[cell] = found
        return found

    def _find(self, cell: str) -> tuple[int | None, str]:
        code = _SPACES.sub("", cell).upper()
        if code.isdigit() and len(code) == 8:  # a spreadsheet drops the leading zero of départements 01 to 09
            code = "0" + code
        key = self.by_code.get(code) or self.by_code.get(cell.strip().lower())
        if key is not None:
            return key, ""
        named = self.by_name.get(simplify(cell), [])
        if len(named) == 1:
            return named[0], ""
        return None, "establishment_ambiguous" if named else "establishment_unknown"


class RowReader:
    """Reads and checks the rows of one file against one questionnaire, with one plan.

    ``establishments``: the establishments a row may name in its establishment column (None when the whole file
    goes to one establishment). ``read_followup``: whether a follow-up code column is read (follow-up and exit
    waves of a questionnaire for people supported).
    """

    def __init__(
        self,
        plan: Plan,
        questions: Sequence[Question],
        questionnaire: Questionnaire,
        *,
        establishments: Iterable[EstablishmentRef] | None = None,
        read_followup: bool = False,
        today: datetime.date | None = None,
    ) -> None:
        self.plan = plan
        self.questionnaire = questionnaire
        self.names = questionnaire.names
        self.today = today or datetime.date.today()
        self.by_name = {question.name: question for question in questions}
        columns = plan.question_columns()
        self.columns = columns
        self.readers = [
            (name, columns[name], _converter(self.by_name[name]))
            for name in self.names
            if name in columns and name in self.by_name
        ]
        self.titles = {name: plan.header[index] for name, index in columns.items()}
        self.row_id_column = plan.column(ROW_ID)
        self.establishment_column = plan.column(ESTABLISHMENT)
        self.establishments = _Establishments(establishments) if establishments is not None else None
        self.followup_column = plan.column(FOLLOWUP_CODE) if read_followup else None
        self.consent_column = plan.column(QUOTE_CONSENT)
        self.row_ids: dict[str, int] = {}

    @staticmethod
    def _cell(cells: Sequence[str], index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return cells[index]

    def read(self, number: int, cells: Sequence[str]) -> tuple[ValidRow | None, list[RowError]]:
        """The row checked: (the valid row, []) or (None, its errors)."""
        errors: list[RowError] = []
        raw: dict[str, object] = {}
        faults: dict[str, _Fault] = {}
        for name, index, convert in self.readers:
            cell = cells[index] if index < len(cells) else ""
            if not cell:
                continue
            value, fault = convert(cell)
            raw[name] = value
            if fault is not None:
                faults[name] = fault
        checked = self.questionnaire.check(raw, today=self.today)
        for error in checked.errors:
            question = self.by_name.get(error.question)
            column = self.titles.get(error.question, error.question)
            value = self._cell(cells, self.columns.get(error.question)) if error.question in raw else ""
            fault = faults.get(error.question)
            if fault is not None and error.code in _SHAPE_CODES:
                errors.append(RowError(number, column, value, fault.code, fault.reason, fault.params))
                continue
            reason, params = _reason(error.code, question)
            text = dict(error.text) if error.text else None
            if text:
                reason = f"{reason}: {text.get('en') or text.get('fr') or ''}".rstrip(": ")
            errors.append(RowError(number, column, value, error.code, reason, params, text))
        row_id = self._row_id(number, cells, errors)
        establishment = self._establishment(number, cells, errors)
        code = self._followup(number, cells, errors)
        consent = self._consent(number, cells, errors)
        if errors:
            return None, errors
        values = tuple(checked.answers.get(name) for name in self.names)
        return ValidRow(number, row_id, establishment, values, code, consent), errors

    def _row_id(self, number: int, cells: Sequence[str], errors: list[RowError]) -> str:
        if self.row_id_column is None:
            return ""
        title = self.plan.header[self.row_id_column]
        row_id = self._cell(cells, self.row_id_column)
        if not row_id:
            errors.append(RowError(number, title, "", "row_id_missing", "required: every row needs its row id"))
        elif len(row_id) > ROW_ID_MAX_LENGTH:
            errors.append(
                RowError(
                    number,
                    title,
                    row_id,
                    "row_id_too_long",
                    f"too long for a row id: at most {ROW_ID_MAX_LENGTH} characters",
                    {"max": ROW_ID_MAX_LENGTH},
                )
            )
        else:
            first = self.row_ids.setdefault(row_id, number)
            if first != number:
                errors.append(
                    RowError(
                        number,
                        title,
                        row_id,
                        "row_id_duplicate",
                        f"this row id is already used on row {first}: each row needs its own",
                        {"first": first},
                    )
                )
        return row_id

    def _establishment(self, number: int, cells: Sequence[str], errors: list[RowError]) -> int | None:
        if self.establishments is None or self.establishment_column is None:
            return None
        title = self.plan.header[self.establishment_column]
        cell = self._cell(cells, self.establishment_column)
        if not cell:
            errors.append(
                RowError(
                    number,
                    title,
                    "",
                    "establishment_missing",
                    "required: the establishment's FINESS number or name",
                )
            )
            return None
        key, problem = self.establishments.find(cell)
        if problem == "establishment_ambiguous":
            errors.append(
                RowError(
                    number,
                    title,
                    cell,
                    problem,
                    "several establishments of the campaign have this name: write the FINESS number",
                )
            )
        elif problem:
            errors.append(
                RowError(
                    number,
                    title,
                    cell,
                    problem,
                    "no establishment of this campaign has this FINESS number or name",
                )
            )
        return key

    def _followup(self, number: int, cells: Sequence[str], errors: list[RowError]) -> str:
        if self.followup_column is None:
            return ""
        title = self.plan.header[self.followup_column]
        cell = self._cell(cells, self.followup_column)
        if not cell:
            return ""
        try:
            code = followup.normalise(cell)
        except followup.FollowUpCodeError:
            errors.append(
                RowError(
                    number,
                    title,
                    cell,
                    "followup_code_character",
                    "this code has a character that follow-up codes do not use: check it against the card",
                )
            )
            return ""
        expected = followup.BODY_LENGTH + 1
        if len(code) != expected:
            errors.append(
                RowError(
                    number,
                    title,
                    cell,
                    "followup_code_length",
                    f"a follow-up code has {expected} characters, this one has {len(code)}",
                    {"expected": expected, "count": len(code)},
                )
            )
            return ""
        if not followup.is_valid(code):
            errors.append(
                RowError(
                    number,
                    title,
                    cell,
                    "followup_code_check",
                    "this code has a typing mistake: check each character against the card",
                )
            )
            return ""
        return code

    def _consent(self, number: int, cells: Sequence[str], errors: list[RowError]) -> bool | None:
        if self.consent_column is None:
            return None
        cell = self._cell(cells, self.consent_column)
        if not cell:
            return None
        word = simplify(cell)
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        title = self.plan.header[self.consent_column]
        errors.append(RowError(number, title, cell, "quote_consent", "write oui or non (or leave the cell empty)"))
        return None


# --- The whole file -------------------------------------------------------------------------------------------


def plan_problems(
    plan: Plan,
    questions: Sequence[Question],
    *,
    header_row: int = 1,
    needs_establishment: bool = False,
) -> list[RowError]:
    """What makes a plan unusable whatever the rows: reported on the header row, and nothing is read."""
    problems: list[RowError] = []
    first: dict[str, int] = {}
    for index, target in enumerate(plan.targets):
        if not target:
            continue
        if target in first:
            title, earlier = plan.header[index], plan.header[first[target]]
            problems.append(
                RowError(
                    header_row,
                    title,
                    title,
                    "target_twice",
                    f"the columns {earlier!r} and {title!r} both give {target.lstrip('@')}: keep one",
                    {"first": earlier, "target": target.lstrip("@")},
                )
            )
        else:
            first[target] = index
    if not plan.question_columns():
        problems.append(
            RowError(
                header_row,
                "",
                "",
                "no_question",
                "no column gives the answer to a question of the questionnaire: map the columns to questions",
            )
        )
    if needs_establishment and ESTABLISHMENT not in first:
        problems.append(
            RowError(
                header_row,
                "",
                "",
                "establishment_column",
                "the file must say each row's establishment: add a column finess (or etablissement) or choose "
                "the establishment",
            )
        )
    for question in plan.unmapped(questions):
        if question.required and question.always_asked:
            problems.append(
                RowError(
                    header_row,
                    question.name,
                    "",
                    "required_question_missing",
                    f"the question {question.name!r} is required and no column gives it: add the column or map "
                    "one to it",
                    {"question": question.name},
                )
            )
    return problems


@dataclass
class Validation:
    """Every error of a file (the first :data:`MAX_ERRORS`), and its valid rows when there is no error."""

    rows: int = 0
    valid: list[ValidRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, errors: Sequence[RowError]) -> None:
        if not errors:
            return
        self.valid.clear()  # nothing will be imported: stop keeping rows
        room = MAX_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])
        self.error_count += len(errors)


def validate(
    table: Table,
    reader: RowReader,
    *,
    problems: Sequence[RowError] = (),
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> Validation:
    """Checks every row; ``progress(rows done)`` is called every ``every`` rows and at the end."""
    result = Validation(rows=len(table.rows))
    result.add(problems)
    if problems:
        return result
    if not table.rows:
        result.add(
            [
                RowError(
                    table.header_row + 1,
                    "",
                    "",
                    "no_rows",
                    "the file has a header row but no rows of answers",
                )
            ]
        )
        return result
    for done, (number, cells) in enumerate(table.rows, start=1):
        row, errors = reader.read(number, cells)
        if errors:
            result.add(errors)
        elif row is not None and result.ok:
            result.valid.append(row)
        if progress is not None and done % every == 0:
            progress(done)
    if progress is not None:
        progress(len(table.rows))
    return result
