"""What one submission, one pair of submissions or one activity report adds to an indicator's statistics.

:func:`compile_indicator` reads an indicator of a framework document once (parsing its expressions and finding
which names are scores, and which questions each score reads); then

- :func:`answer_contribution` gives one submission's record (proportion, mean or count over answers);
- :func:`pair_contribution` gives one respondent's record for an evolution, from the answers at ``from_wave`` and
  at ``to_wave`` (either may be missing: not followed up yet);
- :func:`activity_contribution` gives one activity report's record (ratio, proportion or count over activity
  items).

Each result is a record of :mod:`.stats` to be added to the facts (and subtracted, should the submission be
corrected or withdrawn). Nothing here raises on data: a value that cannot be computed counts as "don't know" or
not at all, as below. A programming mistake (a kind of indicator given to the wrong function, scores not passed
to an indicator that reads them) raises ``ValueError``.

Answers are given as stored (``Submission.answers``: numbers, numeric strings for decimals, choice values,
lists for multiple choices, ``'dk'`` for "don't know"), relevance already applied: a question not asked is
absent. Scores are not stored: pass those of ``Questionnaire.check(answers).scores``
(:mod:`socle.lib.collection.answers`) for an indicator that reads one (:attr:`Indicator.scores_read`).

**The status of a name** an expression reads, for one submission:

- *don't know* — its answer is ``'dk'`` (or ``['dk']``); for a score without a value, when one of the questions
  the score reads (directly or through other scores) is ``'dk'``;
- *unanswered* — no answer (absent, ``None``, ``''``, ``[]``); for a score, no value and no "don't know" behind;
- *answered* — otherwise.

**Proportions** (``numerator``, optional ``denominator``, both conditions):

- default denominator (the people who answered what the numerator reads, without "don't know"): if a name the
  numerator reads is *don't know* → ``dont_know``; else if one is *unanswered* → not counted; else counted in
  ``n``, and in ``numerator`` when the numerator holds;
- explicit denominator (the author's population): if every name the numerator reads is *unanswered* → not
  counted (nothing to count); else if the denominator is false and none of the names it reads is *don't know*
  → not counted (outside the population); else if any name read by the numerator or the denominator is *don't
  know* → ``dont_know``; else counted in ``n``, and in ``numerator`` when the numerator holds.

So ``denominator: "${droits} != ''"`` (true for ``'dk'``) still leaves "don't know" out of ``n``, as METHODS.md
§1 requires; and with skip logic (``${a} = 'oui' and ${b} = 'oui'``, ``b`` asked only when ``a = 'oui'``) an
explicit ``denominator: "${a} != ''"`` counts the people who said no to ``a`` as "no", where the default
denominator would leave them out (``b`` unanswered).

A condition reading a "don't know" is never trusted (the evaluator compares ``'dk'`` as text: ``${x} != 'non'``
holds for it), hence "any *don't know* read → ``dont_know``".

**Means** (``value``, optional ``condition``): the condition filters as an explicit denominator does (false
without "don't know" → not counted; reads a "don't know" → ``dont_know``). Then the value: a number → counted
(``n``, ``total``, ``sum_squares``); no number → ``dont_know`` if a name it reads is *don't know*, else not
counted. A value computed in spite of a "don't know" (``coalesce``) is counted: the author chose to.
Booleans count 1 and 0; numeric strings are read as numbers (a scale's ``'4'``).

**Counts over answers** (optional ``condition``): no condition → every submission counts 1; else a condition
reading a "don't know" → ``dont_know``; true → counts 1; false → nothing.

**Evolutions** (``value`` at ``from_wave`` and ``to_wave``): each side is a number, "don't know" (no number and a
*don't know* read) or nothing. Both numbers → a pair: change = to - from; *improved* when the change exceeds
``improvement`` (default 0) in the indicator's direction: ``change > improvement`` for ``up`` and ``none``,
``-change > improvement`` for ``down``. Both sides given and one "don't know" → ``dont_know``. One number only →
``from_only`` or ``to_only``. Otherwise nothing.

**Activity**: ``ratio`` and ``proportion`` add ``numerator`` and ``denominator`` (expressions over activity items)
when both are numbers, else count the report as ``missing``; ``count`` adds ``value`` likewise.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Literal

from socle.lib.frameworks import expressions
from socle.lib.frameworks.expressions import Expression

from .stats import (
    EXACT,
    CountStats,
    EvolutionStats,
    MeanStats,
    ProportionStats,
    RatioStats,
    Stats,
    number,
    square,
)

__all__ = [
    "DONT_KNOW",
    "KINDS",
    "Indicator",
    "IndicatorError",
    "activity_contribution",
    "answer_contribution",
    "compile_indicator",
    "empty_stats",
    "evolution_side",
    "pair_contribution",
    "pair_of_sides",
    "respondent_breakdowns",
]

DONT_KNOW: Final = "dk"  # as socle.lib.collection.answers.DONT_KNOW
KINDS: Final = frozenset({"proportion", "mean", "count", "ratio", "evolution"})

Status = Literal["answered", "dont_know", "unanswered"]
# One wave of an evolution for one respondent: (answers given, value, "don't know"); see evolution_side.
Side = tuple[bool, int | Decimal | None, bool]


class IndicatorError(ValueError):
    """The indicator cannot be compiled, or was given to a function that does not compute its kind."""


@dataclass(frozen=True)
class Indicator:
    """An indicator of a framework document, compiled: see :func:`compile_indicator`."""

    code: str
    kind: str
    source: str
    questionnaires: tuple[str, ...] = ()
    numerator: Expression | None = None
    denominator: Expression | None = None
    condition: Expression | None = None
    value: Expression | None = None
    factor: Decimal = Decimal(1)
    unit: str = ""
    direction: str = "none"
    improvement: Decimal = Decimal(0)
    from_wave: str | None = None
    to_wave: str | None = None
    breakdowns: tuple[str, ...] = ()
    # For each score of the indicator's questionnaires: the questions it reads, through other scores too.
    score_questions: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False)
    # The names each expression reads, by the expression's text (computed once: walking trees is not free).
    names_read: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False)

    def reads(self, expr: Expression) -> frozenset[str]:
        """The names ``expr`` (one of the indicator's expressions) reads."""
        found = self.names_read.get(expr.text)
        return expressions.references(expr) if found is None else found

    @property
    def scores_read(self) -> frozenset[str]:
        """The score names the indicator's expressions read: pass the submission's scores for these."""
        names: set[str] = set()
        for expr in (self.numerator, self.denominator, self.condition, self.value):
            if expr is not None:
                names |= self.reads(expr)
        return frozenset(names & set(self.score_questions))

    @property
    def people(self) -> bool:
        """Whether the statistics count people (answers), which small-cell masking protects."""
        return self.source == "answers"

    def applies_to(self, questionnaire: str) -> bool:
        """Whether submissions of this questionnaire feed the indicator."""
        return self.source == "answers" and questionnaire in self.questionnaires


def _decimal(value: object, name: str, default: Decimal) -> Decimal:
    if value is None:
        return default
    read = number(value)
    if read is None or isinstance(value, bool | str):
        raise IndicatorError(f"{name}: expected a number, got {value!r}")
    return Decimal(read)


def _expression(indicator: Mapping[str, Any], key: str) -> Expression | None:
    text = indicator.get(key)
    if text is None or text == "":
        return None
    try:
        return expressions.parse(str(text))
    except expressions.ExpressionError as error:
        raise IndicatorError(f"indicator {indicator.get('code')!r}, {key}: {error.message}") from None


def _score_questions(document: Mapping[str, Any] | None, questionnaires: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """For each score of the listed questionnaires (all of them if none is listed), the questions it reads."""
    if document is None:
        return {}
    direct: dict[str, set[str]] = {}
    for questionnaire in document.get("questionnaires", []):
        if questionnaires and questionnaire.get("code") not in questionnaires:
            continue
        for score in questionnaire.get("scores", []) or []:
            try:
                read = expressions.references(expressions.parse(str(score["expression"])))
            except expressions.ExpressionError:
                read = frozenset()  # a valid document has none; the check reports it elsewhere
            direct.setdefault(str(score["name"]), set()).update(read)
    resolved: dict[str, frozenset[str]] = {}

    def questions(name: str, seen: frozenset[str]) -> frozenset[str]:
        if name in resolved:
            return resolved[name]
        found: set[str] = set()
        for read in direct[name]:
            if read in direct and read not in seen:
                found |= questions(read, seen | {read})
            elif read not in direct:
                found.add(read)
        resolved[name] = frozenset(found)
        return resolved[name]

    for name in direct:
        questions(name, frozenset({name}))
    return resolved


def compile_indicator(indicator: Mapping[str, Any], document: Mapping[str, Any] | None = None) -> Indicator:
    """An indicator (a mapping of ``indicators`` in a framework document), ready to compute.

    Pass the (effective) framework ``document`` for indicators over answers, so that scores are recognised and a
    score left empty by a "don't know" item counts as "don't know". The indicator is expected to be valid
    (checked by ``socle.lib.frameworks``); an unknown kind or an expression that does not parse raises
    :class:`IndicatorError`.
    """
    kind, source = str(indicator.get("kind")), str(indicator.get("source"))
    if kind not in KINDS or source not in ("answers", "activity"):
        raise IndicatorError(f"indicator {indicator.get('code')!r}: cannot compute a {kind} over {source}")
    questionnaires = tuple(str(code) for code in indicator.get("questionnaires", []) or [])
    parsed = {key: _expression(indicator, key) for key in ("numerator", "denominator", "condition", "value")}
    return Indicator(
        code=str(indicator.get("code", "")),
        kind=kind,
        source=source,
        questionnaires=questionnaires,
        numerator=parsed["numerator"],
        denominator=parsed["denominator"],
        condition=parsed["condition"],
        value=parsed["value"],
        factor=_decimal(indicator.get("factor"), "factor", Decimal(1)),
        unit=str(indicator.get("unit", "")),
        direction=str(indicator.get("direction", "none")),
        improvement=_decimal(indicator.get("improvement"), "improvement", Decimal(0)),
        from_wave=indicator.get("from_wave"),
        to_wave=indicator.get("to_wave"),
        breakdowns=tuple(str(key) for key in indicator.get("breakdowns", []) or []),
        score_questions=_score_questions(document, questionnaires) if source == "answers" else {},
        names_read={expr.text: expressions.references(expr) for expr in parsed.values() if expr is not None},
    )


def empty_stats(indicator: Indicator) -> Stats:
    """The zero record of the indicator's kind of statistics."""
    if indicator.kind == "evolution":
        return EvolutionStats()
    if indicator.source == "activity":
        return CountStats() if indicator.kind == "count" else RatioStats()
    if indicator.kind == "proportion":
        return ProportionStats()
    if indicator.kind == "mean":
        return MeanStats()
    return CountStats()


# --- Statuses ---------------------------------------------------------------------------------------------------


def _is_dont_know(value: object) -> bool:
    if isinstance(value, str):
        return value.strip() == DONT_KNOW
    if isinstance(value, list | tuple):
        return len(value) == 1 and value[0] == DONT_KNOW
    return False


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


class _Reading:
    """One submission's values (answers and scores) as an indicator reads them."""

    def __init__(self, indicator: Indicator, values: Mapping[str, object], today: datetime.date | None) -> None:
        self.indicator = indicator
        self.values = values
        self.today = today or datetime.date.today()

    def status(self, name: str) -> Status:
        value = self.values.get(name)
        if _is_dont_know(value):
            return "dont_know"
        questions = self.indicator.score_questions.get(name)
        if questions is not None and _is_empty(value):
            if any(_is_dont_know(self.values.get(question)) for question in questions):
                return "dont_know"
            return "unanswered"
        return "unanswered" if _is_empty(value) else "answered"

    def reads(self, expr: Expression | None, status: Status) -> bool:
        """Whether some name ``expr`` reads has this status."""
        return expr is not None and any(self.status(name) == status for name in self.indicator.reads(expr))

    def reads_only(self, expr: Expression, status: Status) -> bool:
        """Whether ``expr`` reads at least one name, and every name it reads has this status."""
        names = self.indicator.reads(expr)
        return bool(names) and all(self.status(name) == status for name in names)

    def holds(self, expr: Expression) -> bool:
        return expressions.is_true(expr, self.values, today=self.today)

    def number(self, expr: Expression) -> int | Decimal | None:
        return number(expressions.evaluate(expr, self.values, today=self.today))


def _values(
    indicator: Indicator, answers: Mapping[str, object], scores: Mapping[str, object] | None
) -> dict[str, object]:
    needed = indicator.scores_read
    if needed:
        missing = sorted(needed - set(scores or {}))
        if missing:
            raise IndicatorError(
                f"indicator {indicator.code!r} reads the score(s) {', '.join(missing)}: pass the submission's scores "
                "(Questionnaire.check(answers).scores)"
            )
    return {**answers, **(scores or {})}


# --- Answers ----------------------------------------------------------------------------------------------------

_NOTHING_PROPORTION: Final = ProportionStats()
_DONT_KNOW_PROPORTION: Final = ProportionStats(dont_know=1)


def _proportion(reading: _Reading) -> ProportionStats:
    numerator, denominator = reading.indicator.numerator, reading.indicator.denominator
    if numerator is None:
        raise IndicatorError(f"indicator {reading.indicator.code!r}: a proportion needs a numerator")
    if denominator is None:
        if reading.reads(numerator, "dont_know"):
            return _DONT_KNOW_PROPORTION
        if reading.reads(numerator, "unanswered"):
            return _NOTHING_PROPORTION
    else:
        if reading.reads_only(numerator, "unanswered"):
            return _NOTHING_PROPORTION
        denominator_dont_know = reading.reads(denominator, "dont_know")
        if not denominator_dont_know and not reading.holds(denominator):
            return _NOTHING_PROPORTION
        if denominator_dont_know or reading.reads(numerator, "dont_know"):
            return _DONT_KNOW_PROPORTION
    return ProportionStats(n=1, numerator=int(reading.holds(numerator)))


def _mean(reading: _Reading) -> MeanStats:
    condition, value = reading.indicator.condition, reading.indicator.value
    if value is None:
        raise IndicatorError(f"indicator {reading.indicator.code!r}: a mean needs a value")
    if condition is not None:
        if reading.reads(condition, "dont_know"):
            return MeanStats(dont_know=1)
        if not reading.holds(condition):
            return MeanStats()
    result = reading.number(value)
    if result is None:
        return MeanStats(dont_know=1) if reading.reads(value, "dont_know") else MeanStats()
    return MeanStats(n=1, total=Decimal(result), sum_squares=Decimal(square(result)))


def _count(reading: _Reading) -> CountStats:
    condition = reading.indicator.condition
    if condition is not None:
        if reading.reads(condition, "dont_know"):
            return CountStats(dont_know=1)
        if not reading.holds(condition):
            return CountStats()
    return CountStats(total=Decimal(1), n=1)


def answer_contribution(
    indicator: Indicator,
    answers: Mapping[str, object],
    scores: Mapping[str, object] | None = None,
    *,
    today: datetime.date | None = None,
) -> ProportionStats | MeanStats | CountStats:
    """One submission's record for a proportion, mean or count over answers; see the module docstring.

    ``answers`` as stored, ``scores`` as ``Questionnaire.check(answers).scores`` (required when the indicator
    reads a score), ``today`` the date ``today()`` gives in expressions. The caller feeds only submissions of
    the indicator's questionnaires (:meth:`Indicator.applies_to`).
    """
    if indicator.source != "answers" or indicator.kind not in ("proportion", "mean", "count"):
        raise IndicatorError(
            f"indicator {indicator.code!r} is a {indicator.kind} over {indicator.source}: "
            + ("use pair_contribution" if indicator.kind == "evolution" else "use activity_contribution")
        )
    reading = _Reading(indicator, _values(indicator, answers, scores), today)
    if indicator.kind == "proportion":
        return _proportion(reading)
    if indicator.kind == "mean":
        return _mean(reading)
    return _count(reading)


def evolution_side(
    indicator: Indicator,
    answers: Mapping[str, object] | None,
    scores: Mapping[str, object] | None = None,
    *,
    today: datetime.date | None = None,
) -> Side:
    """``(given, value, don't know)`` of one wave of an evolution: what :func:`pair_contribution` reads of it."""
    if answers is None or indicator.value is None:
        return False, None, False
    reading = _Reading(indicator, _values(indicator, answers, scores), today)
    result = reading.number(indicator.value)
    if result is not None:
        return True, result, False
    return True, None, reading.reads(indicator.value, "dont_know")


def pair_contribution(
    indicator: Indicator,
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
    *,
    before_scores: Mapping[str, object] | None = None,
    after_scores: Mapping[str, object] | None = None,
    today: datetime.date | None = None,
) -> EvolutionStats:
    """One respondent's record for an evolution: ``before`` are the answers at ``from_wave``, ``after`` those at
    ``to_wave`` (None when there is no such submission, e.g. not followed up yet); see the module docstring.

    When the follow-up arrives, subtract the record given for ``(before, None)`` and add the one for
    ``(before, after)``.
    """
    if indicator.kind != "evolution" or indicator.value is None:
        raise IndicatorError(f"indicator {indicator.code!r} is a {indicator.kind}, not an evolution")
    return pair_of_sides(
        indicator,
        evolution_side(indicator, before, before_scores, today=today),
        evolution_side(indicator, after, after_scores, today=today),
    )


def pair_of_sides(indicator: Indicator, before: Side, after: Side) -> EvolutionStats:
    """The record of a respondent from the :func:`evolution_side` of each wave (so that the rebuild can remember
    sides and pairs apart: many respondents share a side's value)."""
    if indicator.kind != "evolution" or indicator.value is None:
        raise IndicatorError(f"indicator {indicator.code!r} is a {indicator.kind}, not an evolution")
    given_before, value_before, dont_know_before = before
    given_after, value_after, dont_know_after = after
    if value_before is not None and value_after is not None:
        change = EXACT.subtract(Decimal(value_after), Decimal(value_before))
        gain = change.copy_negate() if indicator.direction == "down" else change
        return EvolutionStats(
            pairs=1,
            sum_from=Decimal(value_before),
            sum_to=Decimal(value_after),
            sum_squares_change=Decimal(square(change)),
            improved=int(gain > indicator.improvement),
        )
    if given_before and given_after and (dont_know_before or dont_know_after):
        return EvolutionStats(dont_know=1)
    if value_before is not None:
        return EvolutionStats(from_only=1)
    if value_after is not None:
        return EvolutionStats(to_only=1)
    return EvolutionStats()


# --- Activity ---------------------------------------------------------------------------------------------------


def activity_contribution(
    indicator: Indicator, values: Mapping[str, object], *, today: datetime.date | None = None
) -> RatioStats | CountStats:
    """One activity report's record (values by item code, as stored or as read by ``ActivityForm.check``)."""
    if indicator.source != "activity":
        raise IndicatorError(f"indicator {indicator.code!r} is computed from answers, not activity data")
    reading = _Reading(indicator, values, today)
    if indicator.kind == "count":
        if indicator.value is None:
            raise IndicatorError(f"indicator {indicator.code!r}: a count over activity needs a value")
        result = reading.number(indicator.value)
        return CountStats(missing=1) if result is None else CountStats(total=Decimal(result), n=1)
    if indicator.numerator is None or indicator.denominator is None:
        raise IndicatorError(f"indicator {indicator.code!r}: a {indicator.kind} needs a numerator and a denominator")
    numerator, denominator = reading.number(indicator.numerator), reading.number(indicator.denominator)
    if numerator is None or denominator is None:
        return RatioStats(missing=1)
    return RatioStats(numerator=Decimal(numerator), denominator=Decimal(denominator), reports=1)


# --- Breakdowns -------------------------------------------------------------------------------------------------


def respondent_breakdowns(document: Mapping[str, Any], answers: Mapping[str, object]) -> dict[str, str]:
    """The respondent breakdowns of one submission (``sex``, ``age_band``… as the document's ``breakdowns``
    names their questions): the choice value, ``'dk'``, or ``''`` when unanswered."""
    out: dict[str, str] = {}
    for key, question in (document.get("breakdowns") or {}).items():
        value = answers.get(str(question))
        out[str(key)] = DONT_KNOW if _is_dont_know(value) else ("" if _is_empty(value) else str(value))
    return out
