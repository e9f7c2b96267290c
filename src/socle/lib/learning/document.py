"""A learning path as data: modules of lessons (Markdown), quizzes (multiple choice with feedback) and practical
exercises done on the learner's own organisation, whose completion is detected from its real data (``check``).

:func:`read_path` checks a document (a mapping loaded from YAML or JSON) and returns a :class:`Path`, or raises
:class:`PathError` listing every problem with where it is (``modules[2].quiz[0].choices``). Texts are mappings of
language to string; French is required, English optional.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import yaml

from .markdown import markdown_problems

__all__ = [
    "CHECKS",
    "FORMAT",
    "Choice",
    "Exercise",
    "Lesson",
    "Module",
    "Path",
    "PathError",
    "Question",
    "dump_yaml",
    "module_index",
    "raw_modules",
    "read_path",
]

FORMAT: Final = 1
CODE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# What an exercise may ask, each detected by Socle from the organisation's data (socle.learning.exercises).
CHECKS: Final = frozenset(
    {
        "own_framework",
        "own_indicator",
        "campaign",
        "answers",
        "dashboard_n",
        "activity",
        "target",
        "action",
        "impact_draft",
    }
)


class PathError(ValueError):
    """A learning path document that cannot be used, with every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


Text = Mapping[str, str]


@dataclass(frozen=True)
class Lesson:
    code: str
    title: Text
    body: Text


@dataclass(frozen=True)
class Choice:
    text: Text
    correct: bool
    feedback: Text


@dataclass(frozen=True)
class Question:
    code: str
    question: Text
    choices: tuple[Choice, ...]

    @property
    def answer(self) -> int:
        """The index of the correct choice."""
        return next(i for i, choice in enumerate(self.choices) if choice.correct)


@dataclass(frozen=True)
class Exercise:
    code: str
    title: Text
    check: str
    instructions: Text


@dataclass(frozen=True)
class Module:
    code: str
    title: Text
    lessons: tuple[Lesson, ...]
    quiz: tuple[Question, ...]
    exercises: tuple[Exercise, ...]


@dataclass(frozen=True)
class Path:
    code: str
    version: int
    title: Text
    summary: Text
    duration_minutes: int
    modules: tuple[Module, ...]

    def module(self, code: str) -> Module | None:
        return next((m for m in self.modules if m.code == code), None)

    @property
    def lessons(self) -> list[tuple[Module, Lesson]]:
        return [(m, lesson) for m in self.modules for lesson in m.lessons]

    @property
    def exercises(self) -> list[tuple[Module, Exercise]]:
        return [(m, e) for m in self.modules for e in m.exercises]


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.codes: set[str] = set()

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def text(self, value: Any, where: str, *, markdown: bool = False) -> dict[str, str]:
        if isinstance(value, str):
            value = {"fr": value}
        if not isinstance(value, Mapping) or not isinstance(value.get("fr"), str) or not value["fr"].strip():
            self.fail(where, "a text in French is required ({fr: …})")
            return {"fr": ""}
        out = {}
        for language, text in value.items():
            if language not in ("fr", "en") or not isinstance(text, str):
                self.fail(where, f"texts are in fr or en, got {language!r}")
                continue
            if markdown:
                for problem in markdown_problems(text):
                    self.fail(f"{where}.{language}", problem)
            out[str(language)] = text
        return out

    def code(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not CODE.match(value):
            self.fail(where, f"a code is lower-case letters, digits and hyphens, got {value!r}")
            return str(value)
        if value in self.codes:
            self.fail(where, f"the code {value!r} is used twice")
        self.codes.add(value)
        return value

    def items(self, value: Any, where: str, *, required: bool = True) -> list[Any]:
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(where, "a non-empty list is required" if required else "a list is required")
            return []
        return value

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(where, "a mapping is required")
            return {}
        return value


def _question(reader: _Reader, raw: Any, where: str) -> Question:
    raw = reader.mapping(raw, where)
    choices = []
    for index, choice in enumerate(reader.items(raw.get("choices"), f"{where}.choices")):
        at = f"{where}.choices[{index}]"
        choice = reader.mapping(choice, at)
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            reader.fail(f"{at}.correct", "true or false")
            correct = False
        choices.append(
            Choice(
                reader.text(choice.get("text"), f"{at}.text"),
                correct,
                reader.text(choice.get("feedback"), f"{at}.feedback"),
            )
        )
    if not 2 <= len(choices) <= 6:
        reader.fail(f"{where}.choices", f"a question has 2 to 6 choices, got {len(choices)}")
    if sum(c.correct for c in choices) != 1:
        reader.fail(f"{where}.choices", "exactly one choice is correct")
    return Question(
        reader.code(raw.get("code"), f"{where}.code"),
        reader.text(raw.get("question"), f"{where}.question"),
        tuple(choices),
    )


def read_path(document: Any) -> Path:
    """The path of a document, checked (see the module docstring)."""
    reader = _Reader()
    raw = reader.mapping(document, "document")
    if raw.get("socle_learning") != FORMAT:
        reader.fail("socle_learning", f"must be {FORMAT} (the format of learning path documents)")
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        reader.fail("version", "a whole number from 1")
        version = 1
    duration = raw.get("duration_minutes", 0)
    if not isinstance(duration, int) or isinstance(duration, bool) or duration < 0:
        reader.fail("duration_minutes", "a whole number of minutes")
        duration = 0
    code = reader.code(raw.get("code"), "code")
    modules = []
    for m_index, module in enumerate(reader.items(raw.get("modules"), "modules")):
        at = f"modules[{m_index}]"
        module = reader.mapping(module, at)
        lessons = tuple(
            Lesson(
                reader.code(lesson.get("code"), f"{at}.lessons[{i}].code"),
                reader.text(lesson.get("title"), f"{at}.lessons[{i}].title"),
                reader.text(lesson.get("body"), f"{at}.lessons[{i}].body", markdown=True),
            )
            for i, lesson in enumerate(
                reader.mapping(x, f"{at}.lessons[{j}]")
                for j, x in enumerate(reader.items(module.get("lessons"), f"{at}.lessons"))
            )
        )
        quiz = tuple(
            _question(reader, question, f"{at}.quiz[{i}]")
            for i, question in enumerate(reader.items(module.get("quiz"), f"{at}.quiz", required=False))
        )
        exercises = []
        for i, exercise in enumerate(reader.items(module.get("exercises"), f"{at}.exercises", required=False)):
            where = f"{at}.exercises[{i}]"
            exercise = reader.mapping(exercise, where)
            check = exercise.get("check")
            if check not in CHECKS:
                reader.fail(f"{where}.check", f"one of {', '.join(sorted(CHECKS))}, got {check!r}")
            exercises.append(
                Exercise(
                    reader.code(exercise.get("code"), f"{where}.code"),
                    reader.text(exercise.get("title"), f"{where}.title"),
                    str(check),
                    reader.text(exercise.get("instructions"), f"{where}.instructions", markdown=True),
                )
            )
        modules.append(
            Module(
                reader.code(module.get("code"), f"{at}.code"),
                reader.text(module.get("title"), f"{at}.title"),
                lessons,
                quiz,
                tuple(exercises),
            )
        )
    path = Path(
        code,
        version,
        reader.text(raw.get("title"), "title"),
        reader.text(raw.get("summary"), "summary"),
        duration,
        tuple(modules),
    )
    if reader.problems:
        raise PathError(reader.problems)
    return path


def raw_modules(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The modules of a stored document as they are written (mappings, in order; anything else in the list is
    skipped), for the pages and edits that work on the document rather than on a checked :class:`Path`."""
    modules = document.get("modules")
    return [m for m in modules if isinstance(m, Mapping)] if isinstance(modules, list) else []


def module_index(modules: list[Mapping[str, Any]], code: str) -> int | None:
    """The place of the module ``code`` among ``modules`` (from :func:`raw_modules`), or None."""
    return next((i for i, m in enumerate(modules) if m.get("code") == code), None)


class _Dumper(yaml.SafeDumper):
    """Block style, texts of several lines as literal blocks (a lesson reads as it was written), no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(str, _text_representer)


def dump_yaml(value: Any) -> str:
    """The YAML text of a path document or of a part of it (a module), keys in their order."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120, indent=2)
