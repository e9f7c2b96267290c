"""Which column of a file gives which answer: the questions as an import sees them, and the column mapping.

:func:`questions_of` lists a questionnaire's questions (notes left out) with what reading a cell needs: type,
choices with their codes and labels, whether "don't know" is offered, whether the question is required and
always asked.

A :class:`Plan` gives each column of the file a *target*: a question name, one of the roles below, or
:data:`IGNORE`. :func:`suggest` builds one automatically (a column titled with a question's name or one of its
labels, in any language, in any case, with or without accents); :func:`apply_explicit` then applies what the
person said (``--map COLUMN=QUESTION`` or the mapping page). Roles:

- :data:`ROW_ID`: an identifier of the row, unique in the file, that makes re-importing the file safe;
- :data:`ESTABLISHMENT`: the establishment (FINESS number or name) when the file covers several;
- :data:`FOLLOWUP_CODE`: at follow-up and exit, the code the person was given at entry;
- :data:`QUOTE_CONSENT`: whether open answers may be quoted (oui/non).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "ESTABLISHMENT",
    "FOLLOWUP_CODE",
    "IGNORE",
    "QUOTE_CONSENT",
    "ROLES",
    "ROW_ID",
    "Choice",
    "MappingError",
    "Plan",
    "Question",
    "apply_explicit",
    "questions_of",
    "simplify",
    "suggest",
]

ROW_ID: Final = "@row_id"
ESTABLISHMENT: Final = "@establishment"
FOLLOWUP_CODE: Final = "@followup_code"
QUOTE_CONSENT: Final = "@quote_consent"
IGNORE: Final = ""
ROLES: Final = (ROW_ID, ESTABLISHMENT, FOLLOWUP_CODE, QUOTE_CONSENT)

# Column titles (simplified) recognised for each role, best first.
ROLE_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    ROW_ID: (
        "row_id",
        "id_ligne",
        "identifiant_ligne",
        "identifiant",
        "line_id",
        "uuid",
        "instanceid",
        "meta_instanceid",
        "submission",
    ),
    ESTABLISHMENT: (
        "finess",
        "establishment_finess",
        "finess_etablissement",
        "n_finess",
        "no_finess",
        "numero_finess",
        "etablissement",
        "establishment",
        "nom_etablissement",
        "establishment_name",
    ),
    FOLLOWUP_CODE: ("followup_code", "follow_up_code", "code_suivi", "code_de_suivi"),
    QUOTE_CONSENT: ("quote_consent", "consentement_citation", "accord_citation"),
}
# The words people may use for a role in an explicit mapping: `--map id=row_id`.
ROLE_WORDS: Final[Mapping[str, str]] = {role[1:]: role for role in ROLES}
IGNORE_WORDS: Final = frozenset({"", "ignore", "-", "ignorer"})

_NON_WORD = re.compile(r"[^0-9a-z]+")


def simplify(text: str) -> str:
    """Lower case, no accents, words joined by ``_``: 'Êtes-vous là ?' -> 'etes_vous_la'."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub("_", bare.casefold()).strip("_")


class MappingError(ValueError):
    """An explicit mapping that cannot be applied; the message says what to write instead."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# --- Questions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    labels: tuple[str, ...]  # every label and easy-read label, in every language


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: Mapping[str, str]  # language -> text, to show
    labels: tuple[str, ...]  # every label and easy-read label, in every language, to match column titles
    choices: tuple[Choice, ...]
    dont_know: bool
    required: bool
    always_asked: bool  # neither the question nor its section has a relevance condition


def _texts(*texts: object) -> tuple[str, ...]:
    found: list[str] = []
    for text in texts:
        if isinstance(text, Mapping):
            found.extend(str(value) for value in text.values() if value)
        elif isinstance(text, str) and text:
            found.append(text)
    return tuple(found)


def questions_of(document: Mapping[str, Any], code: str) -> tuple[Question, ...]:
    """The questions of questionnaire ``code`` of an (effective) framework document, in order, notes left out.

    Raises ``KeyError`` when the document has no such questionnaire.
    """
    lists = {
        str(item["name"]): tuple(
            Choice(str(choice["value"]), _texts(choice.get("label"), choice.get("easy_label")))
            for choice in item.get("choices", [])
        )
        for item in document.get("choice_lists", [])
    }
    for questionnaire in document.get("questionnaires", []):
        if questionnaire.get("code") != code:
            continue
        questions: list[Question] = []
        for section in questionnaire.get("sections", []):
            section_asked = not section.get("relevance")
            for item in section.get("questions", []):
                if item.get("type") == "note":
                    continue
                label = item.get("label")
                questions.append(
                    Question(
                        name=str(item["name"]),
                        type=str(item["type"]),
                        label={str(k): str(v) for k, v in label.items()} if isinstance(label, Mapping) else {},
                        labels=_texts(item.get("label"), item.get("easy_label")),
                        choices=lists.get(str(item.get("choices", "")), ()),
                        dont_know=bool(item.get("dont_know")),
                        required=bool(item.get("required")),
                        always_asked=section_asked and not item.get("relevance"),
                    )
                )
        return tuple(questions)
    raise KeyError(code)


# --- The plan -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The file's column titles and, for each column, its target (question name, role, or ``IGNORE``)."""

    header: tuple[str, ...]
    targets: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.header) != len(self.targets):
            raise ValueError("a plan has one target per column")

    def column(self, target: str) -> int | None:
        """The position of the first column with this target, or None."""
        try:
            return self.targets.index(target)
        except ValueError:
            return None

    def question_columns(self) -> dict[str, int]:
        """Question name -> position of its (first) column."""
        found: dict[str, int] = {}
        for index, target in enumerate(self.targets):
            if target and not target.startswith("@"):
                found.setdefault(target, index)
        return found

    def ignored(self) -> list[str]:
        """The titles of the columns that are read for nothing."""
        return [title for title, target in zip(self.header, self.targets, strict=True) if target == IGNORE]

    def unmapped(self, questions: Iterable[Question]) -> list[Question]:
        """The questions no column gives."""
        mapped = set(self.targets)
        return [question for question in questions if question.name not in mapped]

    def as_json(self) -> list[list[str]]:
        return [[title, target] for title, target in zip(self.header, self.targets, strict=True)]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[str]]) -> Plan:
        return cls(tuple(str(pair[0]) for pair in data), tuple(str(pair[1]) for pair in data))


def suggest(header: Sequence[str], questions: Sequence[Question], *, roles: Collection[str] = ROLES) -> Plan:
    """The automatic mapping: a column goes to the question whose name it is, else to a role whose usual title
    it has, else to the one question whose label it is. Each target goes to its first column only."""
    by_name = {simplify(question.name): question.name for question in questions}
    by_label: dict[str, set[str]] = {}
    for question in questions:
        for label in question.labels:
            by_label.setdefault(simplify(label), set()).add(question.name)
    by_role = {alias: role for role in ROLES if role in roles for alias in ROLE_ALIASES[role]}
    rank = {alias: position for role in ROLES for position, alias in enumerate(ROLE_ALIASES[role])}
    wanted: list[str] = []
    for title in header:
        key = simplify(title)
        if key in by_name:
            wanted.append(by_name[key])
        elif key in by_role:
            wanted.append(by_role[key])
        elif len(by_label.get(key, ())) == 1:
            wanted.append(next(iter(by_label[key])))
        else:
            wanted.append(IGNORE)
    # A role given by several columns (an export has both the FINESS and the name) takes its best-known title.
    best: dict[str, int] = {}
    for index, (title, target) in enumerate(zip(header, wanted, strict=True)):
        if target.startswith("@"):
            current = best.get(target)
            if current is None or rank[simplify(title)] < rank[simplify(header[current])]:
                best[target] = index
    targets: list[str] = []
    taken: set[str] = set()
    for index, target in enumerate(wanted):
        if target.startswith("@") and best.get(target) != index:
            target = IGNORE
        if target and target in taken:
            target = IGNORE
        taken.add(target)
        targets.append(target)
    return Plan(tuple(header), tuple(targets))


def _find_column(header: Sequence[str], wanted: str) -> int:
    exact = [index for index, title in enumerate(header) if title == wanted]
    if len(exact) == 1:
        return exact[0]
    key = simplify(wanted)
    close = [index for index, title in enumerate(header) if simplify(title) == key]
    if len(exact) > 1 or len(close) > 1:
        raise MappingError(
            "column_ambiguous",
            f"several columns are titled {wanted!r}: give the columns different titles",
            column=wanted,
        )
    if not close:
        shown = ", ".join(repr(title) for title in header[:30]) + (", …" if len(header) > 30 else "")
        raise MappingError(
            "column_unknown", f"the file has no column {wanted!r}; its columns are {shown}", column=wanted
        )
    return close[0]


def _target(word: str, questions: Sequence[Question], roles: Collection[str]) -> str:
    names = {question.name for question in questions}
    text = word.strip()
    if text in names:
        return text
    if text.lower() in IGNORE_WORDS:
        return IGNORE
    role = text if text in ROLES else ROLE_WORDS.get(text.lstrip("@").lower())
    if role is not None:
        if role not in roles:
            raise MappingError(
                "role_not_here", f"{role[1:]} cannot be read from the file for this import", role=role[1:]
            )
        return role
    shown = ", ".join(sorted(names)[:40]) + (", …" if len(names) > 40 else "")
    raise MappingError(
        "question_unknown",
        f"the questionnaire has no question {text!r}: use a question name ({shown}), "
        f"{', '.join(ROLE_WORDS)}, or ignore",
        question=text,
    )


def apply_explicit(
    plan: Plan,
    explicit: Sequence[tuple[str, str]],
    questions: Sequence[Question],
    *,
    roles: Collection[str] = ROLES,
) -> Plan:
    """``plan`` with the person's choices (column title -> question name, role word or ``ignore``) applied.

    A target chosen explicitly is taken away from any column the automatic mapping had given it. Raises
    :class:`MappingError` for an unknown column or question, or a target chosen twice.
    """
    targets = list(plan.targets)
    chosen: dict[str, str] = {}
    columns: set[int] = set()
    for column_title, word in explicit:
        index = _find_column(plan.header, column_title)
        target = _target(word, questions, roles)
        if index in columns:
            raise MappingError(
                "column_twice", f"the column {column_title!r} is mapped twice: keep one", column=column_title
            )
        if target and target in chosen:
            raise MappingError(
                "target_twice",
                f"the columns {chosen[target]!r} and {column_title!r} both give {target.lstrip('@')}: keep one",
                first=chosen[target],
                column=column_title,
                target=target.lstrip("@"),
            )
        columns.add(index)
        if target:
            chosen[target] = column_title
            targets = [IGNORE if (t == target and i not in columns) else t for i, t in enumerate(targets)]
        targets[index] = target
    return Plan(plan.header, tuple(targets))
