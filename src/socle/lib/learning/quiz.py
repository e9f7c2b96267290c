"""Scoring a module's quiz: the choices given, right or wrong, with each choice's feedback; passed with at least
:data:`PASS_SHARE` of the questions right (two of three)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .document import Question

__all__ = ["PASS_SHARE", "Marked", "QuizResult", "pass_mark", "score"]

PASS_SHARE: Final = 2 / 3


@dataclass(frozen=True)
class Marked:
    question: str  # its code
    given: int | None  # the index of the choice given, None when unanswered
    correct: bool
    answer: int  # the index of the correct choice


@dataclass(frozen=True)
class QuizResult:
    marked: tuple[Marked, ...]

    @property
    def right(self) -> int:
        return sum(m.correct for m in self.marked)

    @property
    def total(self) -> int:
        return len(self.marked)

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.right >= pass_mark(self.total)


def pass_mark(total: int) -> int:
    """Questions to get right out of ``total`` to pass."""
    return math.ceil(total * PASS_SHARE - 1e-9)


def score(questions: Sequence[Question], given: Mapping[str, int | None]) -> QuizResult:
    """``given``: question code → the index of the choice given (missing or None: unanswered; an index out of
    range is an error)."""
    marked = []
    for question in questions:
        choice = given.get(question.code)
        if choice is not None and not 0 <= choice < len(question.choices):
            raise ValueError(f"{question.code}: no choice {choice}")
        marked.append(Marked(question.code, choice, choice == question.answer, question.answer))
    return QuizResult(tuple(marked))
