"""Answers to a questionnaire, checked on the server against the framework document.

A :class:`Questionnaire` is compiled once from a questionnaire of a framework document and the document's choice
lists (every expression parsed then), and checks many submissions. :meth:`Questionnaire.check` takes the raw
answers of one submission, as they come from JSON or a form post, and returns a :class:`Checked`: the answers
normalised, the scores computed over them, and at most one :class:`AnswerError` per question.

Raw values and what they become:

- unanswered: an absent key, ``None``, a string of spaces only, an empty list. Unanswered questions are absent
  from the normalised answers;
- ``'dk'`` ("don't know / prefer not to say") for a question with ``dont_know: true``, whatever its type (for a
  multiple choice, ``'dk'`` or ``['dk']``); kept as ``'dk'``. Elsewhere ``'dk'`` is refused
  (``dont_know_not_offered``), in a text question too: the word is reserved;
- single choice, scale, either-or: a choice value (a string; an int is read as its digits) → ``str``;
- multiple choice: a list of choice values or one string of values separated by spaces (as XLSForm stores it)
  → ``list[str]`` in the order of the choice list, without repeats;
- integer: an ``int`` (never a ``bool``) or a string of digits with an optional sign (``"12"``, ``"-3"``), at
  most 10^12 in magnitude → ``int``. ``"3.0"``, ``3.0`` and ``"1 000"`` are not integers;
- decimal: an ``int``, a finite ``float`` or ``Decimal``, or a string such as ``"12.5"`` or ``"12,5"`` (French
  decimal comma), at most 10^12 in magnitude and 12 decimals, no exponent → ``decimal.Decimal``;
- date: a string ``YYYY-MM-DD`` naming a real day, or a ``datetime.date`` (not a ``datetime``) → ``date``;
- text, long text: a string, stripped, at most 5,000 (long text 20,000) characters, without NUL characters or
  lone surrogates (which no database stores) → ``str``. Numbers are not read as text;
- a note takes no answer: a non-empty value for a note is ``wrong_shape`` (the note exists, so it is not an
  unknown question); an empty one is ignored.

Rules, question by question in document order:

1. Relevance: a question is asked when its section's relevance and its own hold, evaluated over the normalised
   answers given *so far*: earlier questions only (a reference to a later question reads as unanswered) and
   scores computed over those answers. A question not asked with an answer → ``not_asked``; it is never
   required.
2. Shape and choice: the value is read as above; a value that cannot be read is refused (``not_a_choice``,
   ``not_an_integer``, ``not_a_number``, ``not_a_date``, ``too_long``, ``wrong_shape``,
   ``dont_know_not_offered``).
3. Required: an asked, required question without an answer → ``required`` ("don't know" counts as an answer).
4. Constraint: evaluated once every answer is read, with ``.`` the normalised answer and every other normalised
   answer (and score) visible; skipped for ``'dk'`` and unanswered questions. False → ``constraint``, with the
   question's ``constraint_message`` texts in :attr:`AnswerError.text`.

Errors do not cascade: when a condition (relevance or constraint) names a question whose answer was refused,
that condition is not judged, since its result would be an accident of the mistake already reported. A question
whose relevance cannot be judged gets no ``not_asked`` and no ``required`` error; its well-formed answer is not
kept, and its own dependants are treated the same way.

Refused answers are not kept in :attr:`Checked.answers`, and keys that are not questions of the questionnaire
(score names included) give one ``unknown_question`` error each. Errors come in document order, then the
unknown keys sorted. Messages are short English sentences; the web layer translates them by ``code``.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from socle.lib.frameworks import expressions
from socle.lib.frameworks.expressions import Expression

__all__ = [
    "CODES",
    "DONT_KNOW",
    "AnswerError",
    "Checked",
    "Questionnaire",
    "compile_questionnaire",
]

DONT_KNOW: Final = "dk"
MAX_MAGNITUDE: Final = 10**12
MAX_DECIMALS: Final = 12
MAX_TEXT_LENGTH: Final[Mapping[str, int]] = {"text": 5_000, "long_text": 20_000}
CHOICE_TYPES: Final = frozenset({"single_choice", "multiple_choice", "scale", "either_or"})

CODES: Final = frozenset(
    {
        "required",
        "not_a_choice",
        "not_an_integer",
        "not_a_number",
        "not_a_date",
        "too_long",
        "constraint",
        "not_asked",
        "unknown_question",
        "dont_know_not_offered",
        "wrong_shape",
    }
)


@dataclass(frozen=True)
class AnswerError:
    """What is wrong with the answer to one question (or with one key that is no question).

    ``code`` is one of :data:`CODES`; ``message`` says in English what to do; ``text`` is, for a ``constraint``
    error, the questionnaire's ``constraint_message`` (language → text) to show the respondent, else None.
    """

    question: str
    code: str
    message: str
    text: Mapping[str, str] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Checked:
    """A submission after checking: normalised answers, scores over them, and the errors found.

    ``answers`` holds only the answers accepted (asked, well-formed, within their constraint), so ``scores`` are
    computed over those even when there are errors; a score is None when an item it needs is missing or "don't
    know".
    """

    answers: dict[str, object]
    scores: dict[str, object]
    errors: tuple[AnswerError, ...]

    @property
    def ok(self) -> bool:
        """Whether the submission has no error."""
        return not self.errors


# --- Faults: why a raw value cannot be read ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fault:
    code: str
    message: str


class _Unanswered:
    """The type of :data:`_UNANSWERED`."""


_UNANSWERED: Final = _Unanswered()
_NOTHING: Final[AbstractSet[str]] = frozenset()

_REQUIRED = _Fault("required", "This question is required.")
_NOT_ASKED = _Fault("not_asked", "This question was not asked, given the earlier answers: remove its answer.")
_UNKNOWN = _Fault("unknown_question", "This question is not in the questionnaire: remove its answer.")
_SCORE = _Fault("unknown_question", "This is a score, computed from the answers: do not send it.")
_NOTE = _Fault("wrong_shape", "This is a note: it takes no answer.")
_ONE_VALUE = _Fault("wrong_shape", "Give one answer, not a list.")
_CHOICE_LIST = _Fault("wrong_shape", "Send the chosen answers as a list of values.")
_NO_DONT_KNOW = _Fault("dont_know_not_offered", "“Don't know” is not offered for this question: give an answer.")
_DONT_KNOW_ALONE = _Fault("wrong_shape", "Choose “don't know” on its own, or only answers from the list.")
_NOT_A_CHOICE = _Fault("not_a_choice", "Choose one of the answers offered.")
_NOT_CHOICES = _Fault("not_a_choice", "Choose only among the answers offered.")
_NOT_AN_INTEGER = _Fault("not_an_integer", "Write a whole number, for example 3.")
_INTEGER_TOO_LARGE = _Fault("not_an_integer", "Write a whole number between -1000000000000 and 1000000000000.")
_NOT_A_NUMBER = _Fault("not_a_number", "Write a number, for example 12.5.")
_NUMBER_TOO_LARGE = _Fault("not_a_number", "Write a number between -1000000000000 and 1000000000000.")
_TOO_PRECISE = _Fault("not_a_number", f"Write a number with at most {MAX_DECIMALS} decimals.")
_NOT_A_DATE = _Fault("not_a_date", "Write a date as YYYY-MM-DD, for example 2024-03-31.")
_NOT_TEXT = _Fault("wrong_shape", "Write the answer as text.")
_BAD_CHARACTERS = _Fault("wrong_shape", "Remove the invisible characters from this answer.")
_CONSTRAINT = "This answer is not accepted: check it."

_INTEGER = re.compile(r"[+-]?[0-9]{1,13}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,13}(?:[.,][0-9]{0,12})?|[.,][0-9]{1,12})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


# --- The compiled questionnaire ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    """A parsed relevance or constraint, with the names it reads."""

    expression: Expression
    references: frozenset[str]
    scores: bool  # whether it reads a score, which must then be computed first


@dataclass(frozen=True, slots=True)
class _Question:
    name: str
    kind: str
    required: bool
    dont_know: bool
    choices: tuple[str, ...]
    choice_set: frozenset[str]
    max_length: int
    relevance: _Rule | None
    constraint: _Rule | None
    constraint_text: Mapping[str, str] | None


@dataclass(frozen=True, slots=True)
class _Section:
    relevance: _Rule | None
    questions: tuple[_Question, ...]


@dataclass(frozen=True, slots=True)
class _Score:
    name: str
    expression: Expression
    minimum: Decimal | None
    maximum: Decimal | None


def _bound(value: object) -> Decimal | None:
    return None if value is None or isinstance(value, bool) else Decimal(str(value))


def _text(value: object) -> Mapping[str, str] | None:
    return MappingProxyType({str(k): str(v) for k, v in value.items()}) if isinstance(value, Mapping) else None


class Questionnaire:
    """One questionnaire, compiled to check many submissions.

    Build it once per (questionnaire, choice lists), for example per framework version, and reuse it: every
    expression is parsed here, and :meth:`check` only evaluates. The document is expected to be valid (checked by
    ``socle.lib.frameworks``); an unknown choice list, an unknown question type or an expression that does not
    parse raises ``ValueError`` (``ExpressionError`` for expressions) here. Instances are not changed after
    construction, so one can serve many threads.
    """

    code: str
    names: tuple[str, ...]

    def __init__(self, questionnaire: Mapping[str, Any], choice_lists: Sequence[Mapping[str, Any]]) -> None:
        lists = {str(item["name"]): tuple(str(c["value"]) for c in item.get("choices", [])) for item in choice_lists}
        self.code = str(questionnaire.get("code", ""))
        self._scores = tuple(_compile_score(score) for score in questionnaire.get("scores", []))
        score_names = frozenset(score.name for score in self._scores)
        self._sections = tuple(
            _Section(
                _compile_rule(section.get("relevance"), score_names),
                tuple(_compile_question(question, lists, score_names) for question in section.get("questions", [])),
            )
            for section in questionnaire.get("sections", [])
        )
        questions = [question for section in self._sections for question in section.questions]
        self.names = tuple(question.name for question in questions if question.kind != "note")
        self._all_names = tuple(question.name for question in questions)
        self._known = frozenset(self._all_names)
        self._score_names = score_names
        self._constrained = tuple(question for question in questions if question.constraint is not None)

    def __repr__(self) -> str:
        return f"<Questionnaire {self.code!r}: {len(self.names)} questions>"

    # --- Checking a submission ---

    def check(self, raw: Mapping[str, object], *, today: datetime.date | None = None) -> Checked:
        """Checks one submission; see the module docstring for the rules.

        ``today`` is the date ``today()`` gives in expressions (the current date by default). Never raises on any
        raw input; a score outside its ``min``/``max`` (a mistake in the framework, not in the answers) is None.
        """
        day = today or datetime.date.today()
        errors: dict[str, AnswerError] = {}
        broken: set[str] = set()  # questions whose answer was refused, or whose relevance could not be judged
        answers = self._read_in_order(raw, day, errors, broken)
        kept = self._apply_constraints(answers, day, errors, broken)
        ordered = [errors[name] for name in self._all_names if name in errors]
        ordered.extend(self._unknown_keys(raw))
        return Checked(kept, self._score_values(kept, day, bounded=True), tuple(ordered))

    def _read_in_order(
        self, raw: Mapping[str, object], day: datetime.date, errors: dict[str, AnswerError], broken: set[str]
    ) -> dict[str, object]:
        """Pass 1, in document order: relevance, shape, choice and required; returns the answers kept."""
        answers: dict[str, object] = {}
        for section in self._sections:
            section_asked = self._judge(section.relevance, answers, day, broken)
            for question in section.questions:
                value = _read(question, raw.get(question.name))
                if question.kind == "note":
                    if value is not _UNANSWERED:
                        errors[question.name] = _error(question.name, _NOTE)
                    continue
                asked = section_asked
                if asked is not False:
                    asked = _and(asked, self._judge(question.relevance, answers, day, broken))
                fault = _fault_of(question, value, asked)
                if fault is not None:
                    errors[question.name] = _error(question.name, fault)
                if asked is False or value is _UNANSWERED:
                    continue
                if isinstance(value, _Fault) or asked is None:
                    broken.add(question.name)  # refused, or well-formed but maybe not asked: not kept
                else:
                    answers[question.name] = value
        return answers

    def _apply_constraints(
        self, answers: dict[str, object], day: datetime.date, errors: dict[str, AnswerError], broken: set[str]
    ) -> dict[str, object]:
        """Pass 2: every constraint over all the answers read; returns the answers that satisfy theirs."""
        kept = dict(answers)
        for question in self._constrained:
            value = answers.get(question.name, _UNANSWERED)
            if value is _UNANSWERED or value == DONT_KNOW:
                continue
            if self._judge(question.constraint, answers, day, broken, current=value) is False:
                message = question.constraint_text.get("en", _CONSTRAINT) if question.constraint_text else _CONSTRAINT
                text = dict(question.constraint_text) if question.constraint_text else None  # the caller's own copy
                errors[question.name] = AnswerError(question.name, "constraint", message, text)
                del kept[question.name]
        return kept

    def _unknown_keys(self, raw: Mapping[str, object]) -> list[AnswerError]:
        unknown = sorted(str(key) for key in raw if key not in self._known)
        return [_error(key, _SCORE if key in self._score_names else _UNKNOWN) for key in unknown]

    # --- Relevance ---

    def relevant(self, answers: Mapping[str, object], *, today: datetime.date | None = None) -> dict[str, bool]:
        """Whether each question (notes included) is asked, given ``answers``, in document order.

        A question is asked when its section's relevance and its own hold over the answers to the earlier
        questions that are asked themselves; answers are read as :meth:`check` reads them (raw or normalised), and
        one that cannot be read counts as unanswered. Constraints play no part.
        """
        day = today or datetime.date.today()
        seen: dict[str, object] = {}
        result: dict[str, bool] = {}
        for section in self._sections:
            section_asked = self._judge(section.relevance, seen, day, _NOTHING) is not False
            for question in section.questions:
                asked = section_asked and self._judge(question.relevance, seen, day, _NOTHING) is not False
                result[question.name] = asked
                value = _read(question, answers.get(question.name)) if asked and question.kind != "note" else None
                if value is not None and value is not _UNANSWERED and not isinstance(value, _Fault):
                    seen[question.name] = value
        return result

    # --- Expressions ---

    def _judge(
        self,
        rule: _Rule | None,
        answers: Mapping[str, object],
        day: datetime.date,
        broken: AbstractSet[str],
        *,
        current: object = None,
    ) -> bool | None:
        """Whether ``rule`` holds (True when there is none), or None when it reads a broken answer."""
        if rule is None:
            return True
        if broken and not rule.references.isdisjoint(broken):
            return None
        values = {**answers, **self._score_values(answers, day, bounded=False)} if rule.scores else answers
        return expressions.is_true(rule.expression, values, current=current, today=day)

    def _score_values(self, answers: Mapping[str, object], day: datetime.date, *, bounded: bool) -> dict[str, object]:
        """Every score in order, each seeing the answers and the scores before it; ``bounded`` checks min/max."""
        scores: dict[str, object] = {}
        if not self._scores:
            return scores
        context = dict(answers)
        for score in self._scores:
            value = expressions.evaluate(score.expression, context, today=day)
            if bounded and not _within_bounds(score, value):
                value = None  # a framework whose score can leave its bounds: no score rather than a wrong one
            scores[score.name] = context[score.name] = value
        return scores


def compile_questionnaire(document: Mapping[str, Any], code: str) -> Questionnaire:
    """The questionnaire ``code`` of a framework document, compiled with the document's choice lists.

    For an organisation framework, pass the effective document (``socle.lib.frameworks.merge.effective``), so
    that the sector's questionnaires, their extensions and the sector's choice lists are all there. Raises
    ``KeyError`` when the document has no such questionnaire.
    """
    for questionnaire in document.get("questionnaires", []):
        if questionnaire.get("code") == code:
            return Questionnaire(questionnaire, document.get("choice_lists", []))
    raise KeyError(code)


# --- Compiling ------------------------------------------------------------------------------------------------


def _compile_rule(text: object, score_names: frozenset[str]) -> _Rule | None:
    if text is None or text == "":
        return None
    expression = expressions.parse(str(text))
    references = expressions.references(expression)
    return _Rule(expression, references, not references.isdisjoint(score_names))


def _compile_question(
    question: Mapping[str, Any], lists: Mapping[str, tuple[str, ...]], score_names: frozenset[str]
) -> _Question:
    name, kind = str(question["name"]), str(question["type"])
    if kind not in _READERS and kind != "note":
        raise ValueError(f"question {name!r}: unknown type {kind!r}")
    choices: tuple[str, ...] = ()
    if kind in CHOICE_TYPES:
        if question.get("choices") not in lists:
            raise ValueError(f"question {name!r}: unknown choice list {question.get('choices')!r}")
        choices = lists[question["choices"]]
    return _Question(
        name=name,
        kind=kind,
        required=bool(question.get("required")),
        dont_know=bool(question.get("dont_know")),
        choices=choices,
        choice_set=frozenset(choices),
        max_length=MAX_TEXT_LENGTH.get(kind, 0),
        relevance=_compile_rule(question.get("relevance"), score_names),
        constraint=_compile_rule(question.get("constraint"), score_names),
        constraint_text=_text(question.get("constraint_message")),
    )


def _compile_score(score: Mapping[str, Any]) -> _Score:
    expression = expressions.parse(str(score["expression"]))
    return _Score(str(score["name"]), expression, _bound(score.get("min")), _bound(score.get("max")))


def _within_bounds(score: _Score, value: object) -> bool:
    """Whether a score lies within its `min`/`max`. Outside them, the framework is wrong (an item without the
    constraint its scale needs), not the respondent: the score is left empty and the answers are kept."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return True
    too_low = score.minimum is not None and value < score.minimum
    too_high = score.maximum is not None and value > score.maximum
    return not (too_low or too_high)


# --- Judging one question -------------------------------------------------------------------------------------


def _and(first: bool | None, second: bool | None) -> bool | None:
    """Three-valued "and", None meaning "cannot be judged": False wins, then None."""
    if first is False or second is False:
        return False
    return None if first is None or second is None else True


def _fault_of(question: _Question, value: object, asked: bool | None) -> _Fault | None:
    """The fault to report for a question (not a note) given its read value and whether it was asked."""
    if value is _UNANSWERED:
        return _REQUIRED if asked is True and question.required else None
    if asked is False:
        return _NOT_ASKED
    return value if isinstance(value, _Fault) else None


def _error(name: str, fault: _Fault) -> AnswerError:
    return AnswerError(name, fault.code, fault.message)


# --- Reading raw values ---------------------------------------------------------------------------------------


def _read(question: _Question, value: object) -> object:
    """The normalised answer, :data:`_UNANSWERED`, or the :class:`_Fault` that stops reading ``value``."""
    if value is None:
        return _UNANSWERED
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return _UNANSWERED
    elif isinstance(value, list | tuple) and not value:
        return _UNANSWERED
    if question.kind == "note":
        return _NOTE
    if isinstance(value, str) and value == DONT_KNOW:
        return DONT_KNOW if question.dont_know else _NO_DONT_KNOW
    if question.kind != "multiple_choice" and isinstance(value, Collection) and not isinstance(value, str):
        return _ONE_VALUE
    return _READERS[question.kind](question, value)


def _choice_value(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _read_single(question: _Question, value: object) -> object:
    choice = _choice_value(value)
    return choice if choice is not None and choice in question.choice_set else _NOT_A_CHOICE


def _multiple_items(value: object) -> list[str] | _Fault:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        items = []
        for item in value:
            choice = _choice_value(item)
            if choice is None:
                return _CHOICE_LIST
            if choice:
                items.append(choice)
        return items
    choice = _choice_value(value)
    return _CHOICE_LIST if choice is None else [choice]


def _read_multiple(question: _Question, value: object) -> object:
    items = _multiple_items(value)
    if isinstance(items, _Fault):
        return items
    if not items:
        return _UNANSWERED
    chosen = set(items)
    if DONT_KNOW in chosen:
        if not question.dont_know:
            return _NO_DONT_KNOW
        return DONT_KNOW if len(chosen) == 1 else _DONT_KNOW_ALONE
    if not chosen <= question.choice_set:
        return _NOT_CHOICES
    return [choice for choice in question.choices if choice in chosen]


def _read_integer(question: _Question, value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value):
        number = int(value)
    else:
        return _NOT_AN_INTEGER
    return number if abs(number) <= MAX_MAGNITUDE else _INTEGER_TOO_LARGE


def _as_decimal(value: object) -> Decimal | _Fault:
    if isinstance(value, bool):
        return _NOT_A_NUMBER
    if isinstance(value, int):
        return Decimal(value) if abs(value) <= MAX_MAGNITUDE else _NUMBER_TOO_LARGE
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else _NOT_A_NUMBER
    if isinstance(value, Decimal):
        return value if value.is_finite() else _NOT_A_NUMBER
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return Decimal(value.replace(",", "."))
    return _NOT_A_NUMBER


def _read_decimal(question: _Question, value: object) -> object:
    number = _as_decimal(value)
    if isinstance(number, _Fault):
        return number
    if abs(number) > MAX_MAGNITUDE:
        return _NUMBER_TOO_LARGE
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        return _TOO_PRECISE
    return number


def _read_date(question: _Question, value: object) -> object:
    if isinstance(value, datetime.datetime):
        return _NOT_A_DATE
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return _NOT_A_DATE
    return _NOT_A_DATE


def _read_text(question: _Question, value: object) -> object:
    if not isinstance(value, str):
        return _NOT_TEXT
    if len(value) > question.max_length:
        return _Fault("too_long", f"Shorten this answer to {question.max_length} characters or fewer.")
    if _FORBIDDEN_CHARACTERS.search(value):
        return _BAD_CHARACTERS
    return value


_READERS: Final[Mapping[str, Callable[[_Question, object], object]]] = {
    "single_choice": _read_single,
    "scale": _read_single,
    "either_or": _read_single,
    "multiple_choice": _read_multiple,
    "integer": _read_integer,
    "decimal": _read_decimal,
    "date": _read_date,
    "text": _read_text,
    "long_text": _read_text,
}
