"""Following a campaign: answers by day, response rates and how fully each question was answered.

Pure functions over plain values, so the campaign page and later the dashboards compute them the same way.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from socle.lib.collection.answers import DONT_KNOW, Questionnaire


def daily_counts(
    days: Iterable[tuple[datetime.date, int]], start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, int]]:
    """One (day, number of answers) per day from `start` to `end` included, from (day, number) pairs; days
    without answers at zero.

    Answers received outside the period (a late resend, an import) are counted on the nearest end, so that the
    series adds up to the total."""
    if end < start:
        raise ValueError("the period ends before it starts")
    counts: Counter[datetime.date] = Counter()
    for day, n in days:
        counts[min(max(day, start), end)] += n
    length = (end - start).days + 1
    return [(start + datetime.timedelta(days=i), counts[start + datetime.timedelta(days=i)]) for i in range(length)]


def percent(part: int, whole: int | None) -> Decimal | None:
    """`part` out of `whole` as a percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QuestionCompletion:
    name: str
    asked: int  # submissions in which the question was asked, given their answers (relevance)
    answered: int  # of those, with an answer other than "don't know"
    dont_know: int  # of those, "don't know / prefer not to say"

    @property
    def unanswered(self) -> int:
        return self.asked - self.answered - self.dont_know

    @property
    def answered_percent(self) -> Decimal | None:
        return percent(self.answered, self.asked)


def question_completion(
    questionnaire: Questionnaire, submissions: Iterable[Mapping[str, object]], *, today: datetime.date | None = None
) -> list[QuestionCompletion]:
    """For each question (notes left out), in the questionnaire's order: how often it was asked, answered, and
    answered "don't know". A question that its relevance skipped is not counted as missing."""
    asked: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    dont_know: Counter[str] = Counter()
    names = set(questionnaire.names)
    for answers in submissions:
        for name, is_asked in questionnaire.relevant(answers, today=today).items():
            if not is_asked or name not in names:
                continue
            asked[name] += 1
            value = answers.get(name)
            if value == DONT_KNOW:
                dont_know[name] += 1
            elif value not in (None, "", []):
                answered[name] += 1
    return [QuestionCompletion(name, asked[name], answered[name], dont_know[name]) for name in questionnaire.names]


def paired_share(followup_hashes: Iterable[str], entry_hashes: set[str]) -> tuple[int, int]:
    """(answers paired with an entry answer, answers that gave a follow-up code) at a follow-up or exit wave."""
    given = 0
    paired = 0
    for hashed in followup_hashes:
        if not hashed:
            continue
        given += 1
        if hashed in entry_hashes:
            paired += 1
    return paired, given
