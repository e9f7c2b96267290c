"""What submissions and activity reports add to facts: keyed records, the same for incremental updates and for
the rebuild (``socle.measurement.actions``), so that both give the same facts to the last digit.

- A submission adds, for each indicator over answers (proportion, mean, count) of its framework version that its
  questionnaire feeds, ``answer_contribution`` to the total of its cell (campaign, wave, establishment) and to
  one value of each of the indicator's breakdowns that facts keep (:func:`breakdowns_kept`).
- Evolutions are computed per **respondent**: the latest versions of an organisation's submissions that share a
  follow-up hash (a submission without one is a respondent of its own). For each evolution indicator the
  respondent's *before* is their first submission at ``from_wave`` (by reception), their *after* the last one at
  ``to_wave``; the record is ``pair_contribution(before, after)`` (a ``from_only`` until the follow-up comes),
  kept at the *before*'s cell and breakdowns (the entry's campaign: a cohort), or the *after*'s when there is
  no before (a ``to_only``). When a respondent's submissions change, the facts get the new record minus the old.
- An activity report adds, for each indicator over activity data of its version, ``activity_contribution`` to
  the (establishment, period) total.

``today()`` in expressions is the day the submission was received (the day the report was entered), never the
day of the computation: a rebuild a year later gives the same records.
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils import timezone

from socle.frameworks.models import FrameworkVersion
from socle.lib.collection.answers import Questionnaire, compile_questionnaire
from socle.lib.frameworks import expressions
from socle.lib.measurement import compute
from socle.lib.measurement.compute import Indicator
from socle.lib.measurement.stats import EXACT, ZERO, ProportionStats, Stats, decimal_text

# (organisation, framework version, indicator, establishment, campaign, wave, period, breakdown, value)
Key = tuple[int, int, str, int, int | None, str, str, str, str]
Deltas = dict[Key, Stats]

# Breakdowns that facts keep as their own rows: the respondent breakdowns of the document (sex, age band…),
# and the mode of collection. The others an indicator lists are read from the fact's key or its establishment:
# establishment_type and region (the establishment's), wave (the key's).
SUBMISSION_BREAKDOWNS = ("mode",)
MEMO_SIZE = 500_000  # entries of each memo of the rebuild before it is emptied (memory stays bounded)
_MISSING: Any = object()


@dataclass
class VersionIndicators:
    """The compiled indicators of one framework version (its effective document), and its questionnaires."""

    document: Mapping[str, Any]
    by_code: dict[str, Indicator]
    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    _answers_for: dict[str, list[Indicator]] = field(default_factory=dict)
    _evolutions_for: dict[tuple[str, str], list[Indicator]] = field(default_factory=dict)
    _reads_scores: dict[str, bool] = field(default_factory=dict)
    definitions: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    _inputs: dict[tuple[str, str], tuple[str, ...] | None] = field(default_factory=dict)
    _score_rules: dict[str, list[ScoreRule] | None] = field(default_factory=dict)

    _plans: dict[tuple[str, str], Plan] = field(default_factory=dict)
    _score_rules_for: dict[tuple[str, frozenset[str]], list[ScoreRule] | None] = field(default_factory=dict)
    definition_texts: dict[str, str] = field(default_factory=dict)
    questionnaires_id: int | None = None
    _document_id: int | None = None
    _breakdown_questions: tuple[tuple[str, str], ...] | None = None
    _answer_plans: dict[str, tuple[Plan, ...]] = field(default_factory=dict)

    def plan(self, questionnaire: str, indicator: Indicator) -> Plan:
        """How the rebuild reads ``indicator`` (of this version) in submissions of ``questionnaire``."""
        key = (questionnaire, indicator.code)
        found = self._plans.get(key)
        if found is None:
            inputs = self.inputs(questionnaire, indicator)
            memo_id = same_id = None
            if inputs is not None:
                # What a record depends on besides the answers: the indicator's definition, the questionnaires
                # (their scores, and the scores' questions the indicator sees), and the whole document when the
                # scores come from Questionnaire.check. Versions that share these share the memo's records (every
                # organisation has a version of its own, most of them with the same indicators).
                same_id = _interned(("same", self.questionnaires_id, self.definition_texts.get(indicator.code)))
                document_id = None
                if indicator.scores_read and self.score_rules(questionnaire) is None:
                    if self._document_id is None:
                        self._document_id = _interned(("document", _text(self.document)))
                    document_id = self._document_id
                memo_id = _interned(("memo", questionnaire, same_id, document_id))
            single = inputs is not None and len(inputs) == 1
            found = self._plans[key] = Plan(indicator, inputs, memo_id, same_id, single)
        return found

    def answer_plans(self, questionnaire: str) -> tuple[Plan, ...]:
        """The plans of :meth:`answers_for`."""
        found = self._answer_plans.get(questionnaire)
        if found is None:
            found = self._answer_plans[questionnaire] = tuple(
                self.plan(questionnaire, indicator) for indicator in self.answers_for(questionnaire)
            )
        return found

    def score_rules_for(self, questionnaire: str, names: frozenset[str]) -> list[ScoreRule] | None:
        """The questionnaire's scores that those named need (themselves, and the earlier scores they read), in
        order; None when the rebuild calls ``check`` (:meth:`score_rules`)."""
        key = (questionnaire, names)
        if key not in self._score_rules_for:
            rules = self.score_rules(questionnaire)
            if rules is not None:
                needed = set(names)
                chosen: list[ScoreRule] = []
                for rule in reversed(rules):
                    if rule.name in needed:
                        chosen.append(rule)
                        needed |= expressions.references(rule.expression)
                rules = chosen[::-1]
            self._score_rules_for[key] = rules
        return self._score_rules_for[key]

    def score_rules(self, questionnaire: str) -> list[ScoreRule] | None:
        """The questionnaire's scores, for the rebuild's memo (:func:`_score_rules`), compiled once."""
        if questionnaire not in self._score_rules:
            if self.questionnaires_id is None:
                self._score_rules[questionnaire] = _score_rules(self.document, questionnaire)
            else:  # the same for versions with the same questionnaires
                self._score_rules[questionnaire] = _cached(
                    _SCORE_RULES,
                    (self.questionnaires_id, questionnaire),
                    lambda: _score_rules(self.document, questionnaire),
                )
        return self._score_rules[questionnaire]

    def inputs(self, questionnaire: str, indicator: Indicator) -> tuple[str, ...] | None:
        """The questions a record of ``indicator`` for a submission of ``questionnaire`` depends on: those its
        expressions read, and those behind the scores they read. None when the record may depend on more: when the
        indicator's expressions or the questionnaire's (relevance, constraints, scores) call ``today()``, which
        could make a score of stored answers depend on the day and on other answers."""
        key = (questionnaire, indicator.code)
        if key not in self._inputs:
            text = self.definition_texts.get(indicator.code)
            if self.questionnaires_id is None or text is None or self.by_code.get(indicator.code) is not indicator:
                self._inputs[key] = _inputs(
                    self.document, questionnaire, indicator, self.definitions.get(indicator.code)
                )
            else:  # the same for versions with the same questionnaires and definition
                self._inputs[key] = _cached(
                    _INPUTS,
                    (self.questionnaires_id, questionnaire, text),
                    lambda: _inputs(self.document, questionnaire, indicator, self.definitions.get(indicator.code)),
                )
        return self._inputs[key]

    def questionnaire(self, code: str) -> Questionnaire:
        found = self.questionnaires.get(code)
        if found is None:
            found = self.questionnaires[code] = compile_questionnaire(self.document, code)
        return found

    @property
    def activity(self) -> list[Indicator]:
        return [i for i in self.by_code.values() if i.source == "activity"]

    def answers_for(self, questionnaire: str) -> list[Indicator]:
        """Proportions, means and counts over answers that submissions of ``questionnaire`` feed (computed once
        per version and questionnaire)."""
        found = self._answers_for.get(questionnaire)
        if found is None:
            found = self._answers_for[questionnaire] = [
                i for i in self.by_code.values() if i.kind != "evolution" and i.applies_to(questionnaire)
            ]
        return found

    def evolutions_for(self, questionnaire: str, wave: str) -> list[Indicator]:
        """Evolutions that a submission of ``questionnaire`` at ``wave`` takes part in (computed once)."""
        found = self._evolutions_for.get((questionnaire, wave))
        if found is None:
            found = self._evolutions_for[(questionnaire, wave)] = [
                i
                for i in self.by_code.values()
                if i.kind == "evolution" and i.applies_to(questionnaire) and wave in (i.from_wave, i.to_wave)
            ]
        return found

    def reads_scores(self, questionnaire: str) -> bool:
        """Whether an indicator over answers fed by ``questionnaire`` reads a score."""
        found = self._reads_scores.get(questionnaire)
        if found is None:
            found = self._reads_scores[questionnaire] = any(i.scores_read for i in self.answers_for(questionnaire))
        return found


@dataclass(frozen=True, slots=True)
class Plan:
    """One indicator over answers as the rebuild reads it in submissions of one questionnaire of one version.

    ``inputs``: the questions its record depends on (:meth:`VersionIndicators.inputs`), None when it may depend on
    more (no memo then). ``memo_id``: the same number for the plans of versions whose record, for the same answers
    to ``inputs``, is the same (:func:`_interned` of what the record depends on besides the answers). ``same_id``:
    the same for versions that define the indicator the same way, whatever the questionnaire."""

    indicator: Indicator
    inputs: tuple[str, ...] | None
    memo_id: int | None
    same_id: int | None
    single: bool = False  # one input: memo keys of one answer rather than of a tuple of them


_INTERNED: dict[Hashable, int] = {}
_NUMBERS = itertools.count()  # never given twice in a process, even after the caches below are emptied
_INDICATORS: dict[tuple[int, str], Indicator] = {}
_INPUTS: dict[tuple[int, str, str], tuple[str, ...] | None] = {}
_SCORE_RULES: dict[tuple[int, str], list[ScoreRule] | None] = {}
CACHE_SIZE = 10_000  # entries of each of these caches, shared by the versions of equal content, before emptying


def _interned(key: Hashable) -> int:
    """A number standing for ``key``, the same for equal keys in this process and never for different ones."""
    found = _INTERNED.get(key)
    if found is None:
        if len(_INTERNED) >= CACHE_SIZE:
            _INTERNED.clear()
        found = _INTERNED[key] = next(_NUMBERS)
    return found


def _cached(cache: dict[Any, Any], key: Hashable, compute: Any) -> Any:
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        found = cache[key] = compute()
    return found


def _text(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@lru_cache(maxsize=256)
def _compiled(version_pk: int, content_sha256: str) -> VersionIndicators:
    version = FrameworkVersion.objects.select_related("base_version").get(pk=version_pk)
    document = version.effective_content()
    # Indicators are compiled from their definition and the document's questionnaires (scores) alone: versions
    # that share these (one per organisation, most alike) share the compiled indicators.
    questionnaires_id = _interned(("questionnaires", _text(document.get("questionnaires"))))
    by_code: dict[str, Indicator] = {}
    definitions: dict[str, Mapping[str, Any]] = {}
    texts: dict[str, str] = {}
    for definition in document.get("indicators", []) or []:
        text = _text(definition)
        indicator = _cached(
            _INDICATORS, (questionnaires_id, text), lambda d=definition: compute.compile_indicator(d, document)
        )
        by_code[indicator.code] = indicator
        definitions[indicator.code] = definition
        texts[indicator.code] = text
    return VersionIndicators(
        document, by_code, definitions=definitions, definition_texts=texts, questionnaires_id=questionnaires_id
    )


def _inputs(
    document: Mapping[str, Any], questionnaire: str, indicator: Indicator, definition: Mapping[str, Any] | None
) -> tuple[str, ...] | None:
    if definition is None or "today(" in json.dumps(definition, default=str):
        return None
    for found in document.get("questionnaires", []) or []:
        if found.get("code") == questionnaire and "today(" in json.dumps(found, default=str):
            return None
    names: set[str] = set()
    for expr in (indicator.numerator, indicator.denominator, indicator.condition, indicator.value):
        if expr is not None:
            names |= indicator.reads(expr)
    scores = names & set(indicator.score_questions)
    inputs = names - scores
    for score in scores:
        inputs |= indicator.score_questions[score]
    return tuple(sorted(inputs))


# Kinds of questions whose stored answer is the answer as Questionnaire.check reads it (a choice's value, an int).
_PLAIN_KINDS = frozenset({"single_choice", "scale", "either_or", "integer"})
_NO_DAY = datetime.date(1970, 1, 1)  # never read: score rules exist only for questionnaires that call no today()


@dataclass(frozen=True)
class ScoreRule:
    """One score of a questionnaire, as ``Questionnaire.check`` computes it: its expression over the answers and
    the scores before it, None outside ``min``/``max``."""

    name: str
    expression: expressions.Expression
    minimum: Decimal | None
    maximum: Decimal | None


def _bound(value: object) -> Decimal | None:
    return None if value is None or isinstance(value, bool) else Decimal(str(value))


def _score_rules(document: Mapping[str, Any], code: str) -> list[ScoreRule] | None:
    """The scores of questionnaire ``code`` when they can be computed from stored answers without
    ``Questionnaire.check``: every name they read is an earlier score or a question whose stored answer is the
    answer as ``check`` reads it (choices, scales, integers), and nothing in the questionnaire calls ``today()``.
    Then, for stored answers (which ``check`` keeps as they are on the day they were received), the scores are
    the same as ``check``'s. None otherwise: the rebuild calls ``check``."""
    for questionnaire in document.get("questionnaires", []) or []:
        if questionnaire.get("code") != code:
            continue
        if "today(" in json.dumps(questionnaire, default=str):
            return None
        kinds = {
            str(question.get("name")): question.get("type")
            for section in questionnaire.get("sections", []) or []
            for question in section.get("questions", []) or []
        }
        rules: list[ScoreRule] = []
        for score in questionnaire.get("scores", []) or []:
            try:
                expression = expressions.parse(str(score["expression"]))
            except expressions.ExpressionError:
                return None
            earlier = {rule.name for rule in rules}
            for name in expressions.references(expression):
                if name not in earlier and kinds.get(name) not in _PLAIN_KINDS:
                    return None
            rules.append(ScoreRule(str(score["name"]), expression, _bound(score.get("min")), _bound(score.get("max"))))
        return rules
    return None


def _score_values(rules: Sequence[ScoreRule], answers: Mapping[str, object]) -> dict[str, object]:
    """Every score in order, each seeing the answers and the scores before it, as ``Questionnaire.check``."""
    context = dict(answers)
    scores: dict[str, object] = {}
    for rule in rules:
        value = expressions.evaluate(rule.expression, context, today=_NO_DAY)
        bounded = isinstance(value, int | Decimal) and not isinstance(value, bool)
        if bounded and (
            (rule.minimum is not None and value < rule.minimum)  # type: ignore[operator]
            or (rule.maximum is not None and value > rule.maximum)  # type: ignore[operator]
        ):
            value = None
        scores[rule.name] = context[rule.name] = value
    return scores


def _frozen(value: object) -> Hashable:
    """A stored answer as a cache key: its type kept (``1``, ``True``, ``Decimal(1)`` and ``"1"`` differ)."""
    if value is None or value.__class__ is str:
        return value  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return ("list", *(_frozen(item) for item in value))
    return (value.__class__.__name__, value)  # type: ignore[return-value]


def version_indicators(version_pk: int, content_sha256: str) -> VersionIndicators:
    """The compiled indicators of a version, cached by its content's hash (a published version never changes, and
    its base is a published version too)."""
    return _compiled(version_pk, content_sha256)


# --- Submissions --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answered:
    """What facts read of one submission (a latest version)."""

    pk: int | None
    organisation_id: int
    framework_version_id: int
    questionnaire_code: str
    uuid: Any
    wave: str
    campaign_id: int
    establishment_id: int
    mode: str
    answers: Mapping[str, object]
    received_at: datetime.datetime
    followup_hash: str

    FIELDS = (
        "pk",
        "organisation_id",
        "framework_version_id",
        "questionnaire_code",
        "uuid",
        "wave",
        "campaign_id",
        "establishment_id",
        "mode",
        "answers",
        "received_at",
        "followup_hash",
    )

    @classmethod
    def of(cls, submission: Any) -> Answered:
        return cls(*(getattr(submission, name) for name in cls.FIELDS))

    @property
    def identity(self) -> tuple[int, str, Any]:
        return (self.framework_version_id, self.questionnaire_code, self.uuid)

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.received_at).date()

    @property
    def order(self) -> tuple[datetime.datetime, str]:
        return (self.received_at, str(self.uuid))


class Reader:
    """Computes records of submissions, caching scores per submission (one ``Questionnaire.check`` each).

    With ``memo`` (the rebuild, always into :class:`Totals`), records are remembered by what they depend on
    (:class:`Plan`: the answers to the plan's inputs, and the plan's ``memo_id``), and each distinct
    ``(indicator, record)`` is given a number (:meth:`record_id`) that ``Totals`` counts instead of the record."""

    def __init__(self, shas: Mapping[int, str] | None = None, *, memo: bool = False) -> None:
        self.shas = dict(shas or {})
        self._scores: dict[tuple[int, str, Any], Mapping[str, object]] = {}
        self.memo = memo
        self._versions: dict[int, VersionIndicators] = {}
        # memo key -> record id (None: a zero record), of records over answers
        self._records: dict[Hashable, int | None] = {}
        self._sides: dict[Hashable, compute.Side] = {}  # memo key -> one wave of an evolution
        self._pairs: dict[Hashable, int | None] = {}  # (same_id, before side, after side) -> record id
        self._ids: dict[tuple[str, Stats], int] = {}
        self.identified: list[tuple[str, Stats]] = []  # record id -> (indicator code, record)
        self._groups: dict[tuple[int, str, Any], list[list[int]]] = {}  # row identity -> its Totals slots
        self._values: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}  # breakdown values by their answers

    def record_id(self, code: str, record: Stats) -> int | None:
        """The number of ``(code, record)``; None for a zero record (it adds nothing)."""
        if record.is_zero():
            return None
        found = self._ids.get((code, record))
        if found is None:
            found = self._ids[(code, record)] = len(self.identified)
            self.identified.append((code, record))
        return found

    def trim(self) -> None:
        """Between organisations (no Totals holds record ids then): memory stays bounded."""
        if len(self.identified) >= MEMO_SIZE:
            self._ids.clear()
            self.identified.clear()
            self._records.clear()
            self._pairs.clear()

    @staticmethod
    def _memo_key(plan: Plan, answers: Mapping[str, object]) -> Hashable | None:
        inputs = plan.inputs
        if inputs is None:
            return None
        values = tuple(map(answers.get, inputs))
        types = tuple(map(type, values))
        try:
            # a type kept with each answer: ``1``, ``True``, ``Decimal(1)`` and ``"1"`` differ
            if tuple not in types:
                key: Hashable = (plan.memo_id, values[0], types[0]) if plan.single else (plan.memo_id, values, types)
                hash(key)
                return key
        except TypeError:  # lists (multiple choices): frozen below
            pass
        try:
            key = (plan.memo_id, tuple([_frozen(value) for value in values]))
            hash(key)
        except TypeError:  # an answer that cannot be a key (never stored by Socle): no memo
            return None
        return key

    def _answer_record_id(self, plan: Plan, row: Answered) -> int | None:
        """The record id of the row for a proportion, mean or count, remembered."""
        key = self._memo_key(plan, row.answers)
        if key is not None:
            found = self._records.get(key, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[no-any-return]
        indicator = plan.indicator
        scores = self._scores_read(row, indicator) if indicator.scores_read else None
        record = compute.answer_contribution(indicator, row.answers, scores, today=row.day)
        found = self.record_id(indicator.code, record)
        if key is not None:
            if len(self._records) >= MEMO_SIZE:
                self._records.clear()
            self._records[key] = found
        return found

    def _side(self, row: Answered, indicator: Indicator, plan: Plan | None) -> compute.Side:
        """One wave of an evolution for ``row``, remembered when ``plan`` (the row's own, defining ``indicator``
        the same way) is given."""
        key = None if plan is None else self._memo_key(plan, row.answers)
        if key is not None:
            found = self._sides.get(key)
            if found is not None:
                return found
        scores = self._scores_read(row, indicator) if indicator.scores_read else None
        side = compute.evolution_side(indicator, row.answers, scores, today=row.day)
        if key is not None:
            if len(self._sides) >= MEMO_SIZE:
                self._sides.clear()
            self._sides[key] = side
        return side

    def _pair_id(
        self, indicator: Indicator, before: Answered | None, after: Answered | None, home: Answered
    ) -> int | None:
        """The record id of one respondent's ``pair_contribution``, from the sides of their rows (remembered)."""
        home_plan = self.version(home.framework_version_id).plan(home.questionnaire_code, indicator)
        same = home_plan.same_id
        sides: list[compute.Side] = []
        for row in (before, after):
            if row is None:
                sides.append((False, None, False))
                continue
            plan: Plan | None = None
            if same is not None:
                version = self.version(row.framework_version_id)
                own = version.by_code.get(indicator.code)
                plan = version.plan(row.questionnaire_code, own) if own is not None else None
                if plan is not None and plan.same_id != same:
                    plan = None  # the row's version defines the indicator otherwise: computed, not remembered
            sides.append(self._side(row, indicator, plan))
        if same is None:
            return self.record_id(indicator.code, compute.pair_of_sides(indicator, sides[0], sides[1]))
        key = (same, sides[0], sides[1])
        found = self._pairs.get(key, _MISSING)
        if found is _MISSING:
            found = self.record_id(indicator.code, compute.pair_of_sides(indicator, sides[0], sides[1]))
            if len(self._pairs) >= MEMO_SIZE:
                self._pairs.clear()
            self._pairs[key] = found
        return found  # type: ignore[no-any-return]

    def _pair(self, indicator: Indicator, before: Answered | None, after: Answered | None, home: Answered) -> Stats:
        """``pair_contribution`` of one respondent (incremental updates)."""
        reads_scores = bool(indicator.scores_read)
        return compute.pair_contribution(
            indicator,
            before.answers if before else None,
            after.answers if after else None,
            before_scores=self.scores(before) if before and reads_scores else None,
            after_scores=self.scores(after) if after and reads_scores else None,
            today=home.day,
        )

    def version(self, version_pk: int) -> VersionIndicators:
        found = self._versions.get(version_pk)
        if found is not None:
            return found
        sha = self.shas.get(version_pk)
        if sha is None:
            sha = self.shas[version_pk] = FrameworkVersion.objects.values_list("content_sha256", flat=True).get(
                pk=version_pk
            )
        found = self._versions[version_pk] = version_indicators(version_pk, sha)
        return found

    def scores(self, row: Answered) -> Mapping[str, object]:
        found = self._scores.get(row.identity)
        if found is None:
            version = self.version(row.framework_version_id)
            rules = version.score_rules(row.questionnaire_code) if self.memo else None
            if rules is not None:  # the rebuild: the score expressions alone (see _score_rules)
                found = self._scores[row.identity] = _score_values(rules, row.answers)
            else:
                checked = version.questionnaire(row.questionnaire_code)
                found = self._scores[row.identity] = checked.check(row.answers, today=row.day).scores
        return found

    def _scores_read(self, row: Answered, indicator: Indicator) -> Mapping[str, object]:
        """The scores ``indicator`` reads (and the earlier ones they read), computed alone in the rebuild: a memo
        miss of one indicator need not compute the questionnaire's other scores."""
        found = self._scores.get(row.identity)
        if found is not None or not self.memo:
            return found if found is not None else self.scores(row)
        rules = self.version(row.framework_version_id).score_rules_for(row.questionnaire_code, indicator.scores_read)
        return self.scores(row) if rules is None else _score_values(rules, row.answers)

    def know_scores(self, row: Answered, scores: Mapping[str, object], scored_on: datetime.date) -> None:
        """Scores the caller already computed for this row (``submit`` checks the answers before storing them):
        taken only when computed for the day the row was received, the day ``today()`` means for facts."""
        if scored_on == row.day:
            self._scores[row.identity] = scores

    def forget(self) -> None:
        self._scores.clear()
        self._groups.clear()

    def breakdowns(self, version: VersionIndicators, row: Answered) -> dict[str, str]:
        values = compute.respondent_breakdowns(version.document, row.answers)
        values["mode"] = row.mode
        return values

    def _slots(self, version: VersionIndicators, row: Answered, into: Totals) -> list[list[int]]:
        """The lists of record ids of the row's cell in ``into``: its total and each of its breakdown values."""
        found = self._groups.get(row.identity)
        if found is None:
            questions = version._breakdown_questions
            if questions is None:
                breakdowns = version.document.get("breakdowns") or {}
                questions = version._breakdown_questions = tuple((str(k), str(q)) for k, q in breakdowns.items())
            answered = (row.framework_version_id, row.mode, *map(row.answers.get, (q for _, q in questions)))
            raw: tuple[Any, ...] | None = answered
            try:
                values = self._values.get(answered)
            except TypeError:  # a list given to a breakdown's question: not remembered
                raw, values = None, None
            if values is None:
                values = tuple(self.breakdowns(version, row).items())
                if raw is not None:
                    if len(self._values) >= MEMO_SIZE:
                        self._values.clear()
                    self._values[raw] = values
            found = self._groups[row.identity] = into.slots(
                (row.organisation_id, row.framework_version_id, row.establishment_id, row.campaign_id, row.wave), values
            )
        return found

    def submission_records(self, row: Answered, into: Deltas | Totals, sign: int = 1) -> None:
        """Adds (or with ``sign=-1`` subtracts) the submission's records for proportions, means and counts."""
        version = self.version(row.framework_version_id)
        if isinstance(into, Totals):
            # the rebuild: ids of the records, counted per cell and breakdown value, summed at the end
            plans = version.answer_plans(row.questionnaire_code)
            if not plans:
                return
            ids = []
            get = row.answers.get
            records = self._records
            for plan in plans:
                # _answer_record_id's first memo key, inline: a key that holds a tuple or cannot be hashed is
                # never stored in this form, so a miss here is found again (or computed) there
                if plan.inputs is not None:
                    try:
                        if plan.single:
                            value = get(plan.inputs[0])
                            found = records.get((plan.memo_id, value, type(value)), _MISSING)
                        else:
                            values = tuple(map(get, plan.inputs))
                            found = records.get((plan.memo_id, values, tuple(map(type, values))), _MISSING)
                    except TypeError:
                        found = _MISSING
                    if found is not _MISSING:
                        if found is not None:
                            ids.append(found)
                        continue
                found = self._answer_record_id(plan, row)
                if found is not None:
                    ids.append(found)
            for slot in self._slots(version, row, into):
                slot.extend(ids)
            return
        indicators = version.answers_for(row.questionnaire_code)
        if not indicators:
            return
        breakdowns = self.breakdowns(version, row)
        scores = self.scores(row) if version.reads_scores(row.questionnaire_code) else None
        for indicator in indicators:
            record = compute.answer_contribution(indicator, row.answers, scores, today=row.day)
            _add(into, _keys(row, indicator, breakdowns), record, sign)

    def respondent_records(self, rows: Sequence[Answered], into: Deltas | Totals, sign: int = 1) -> None:
        """Adds the evolution records of one respondent: ``rows`` are the latest versions of their submissions."""
        if not rows:
            return
        # For each evolution indicator (by code, as the versions of the rows define it): its before and after.
        befores: dict[str, tuple[Answered, Indicator]] = {}
        afters: dict[str, tuple[Answered, Indicator]] = {}
        for row in sorted(rows, key=lambda r: r.order) if len(rows) > 1 else rows:
            version = self.version(row.framework_version_id)
            for indicator in version.evolutions_for(row.questionnaire_code, row.wave):
                if row.wave == indicator.from_wave:
                    befores.setdefault(indicator.code, (row, indicator))
                if row.wave == indicator.to_wave:
                    afters[indicator.code] = (row, indicator)  # the last one
        for code in sorted(set(befores) | set(afters)):
            before = befores.get(code)
            after = afters.get(code)
            home, indicator = before or after  # type: ignore[misc]
            before_row = before[0] if before else None
            after_row = after[0] if after else None
            version = self.version(home.framework_version_id)
            if isinstance(into, Totals):
                found = self._pair_id(indicator, before_row, after_row, home)
                if found is not None:
                    for slot in self._slots(version, home, into):
                        slot.append(found)
                continue
            record = self._pair(indicator, before_row, after_row, home)
            _add(into, _keys(home, indicator, self.breakdowns(version, home)), record, sign)


def _keys(row: Answered, indicator: Indicator, breakdowns: Mapping[str, str]) -> list[Key]:
    base = (row.organisation_id, row.framework_version_id, indicator.code, row.establishment_id, row.campaign_id)
    keys: list[Key] = [(*base, row.wave, "", "", "")]
    for name in indicator.breakdowns:
        if name in breakdowns:
            keys.append((*base, row.wave, "", name, breakdowns[name]))
    return keys


class Totals:
    """The rebuild's sums. Records over answers and of evolutions are counted by their id (``Reader.record_id``)
    in one list per cell and breakdown value — the cell's total, and each value of each breakdown the row has
    (:meth:`slots`) — and summed at the end, once per fact: the same sums as adding records one by one, several
    times faster. Other records (activity) are counted per key."""

    def __init__(self) -> None:
        self.counts: dict[Key, Counter[Stats]] = defaultdict(Counter)
        # (organisation, version, establishment, campaign, wave, breakdown, value) -> record ids, once per record
        self.lists: dict[tuple[Any, ...], list[int]] = {}
        self._slots: dict[tuple[Any, ...], list[list[int]]] = {}

    def add(self, keys: Iterable[Key], record: Stats) -> None:
        for key in keys:
            self.counts[key][record] += 1

    def slots(self, cell: tuple[Any, ...], values: tuple[tuple[str, str], ...]) -> list[list[int]]:
        """The lists of a row of ``cell`` with these breakdown values: the total's and one per value."""
        found = self._slots.get((cell, values))
        if found is None:
            found = []
            for name, value in (("", ""), *values):
                slot = (*cell, name, value)
                listed = self.lists.get(slot)
                if listed is None:
                    listed = self.lists[slot] = []
                found.append(listed)
            self._slots[(cell, values)] = found
        return found

    def records(self, reader: Reader) -> Iterator[tuple[Key, dict[str, Any]]]:
        """Every key and its sum, as ``to_dict`` writes it (zero sums left out)."""
        summed: dict[Key, list[tuple[Stats, int]]] = defaultdict(list)
        identified = reader.identified
        kept: dict[tuple[int, str], frozenset[str]] = {}
        for (organisation_id, version_id, establishment_id, campaign_id, wave, name, value), ids in self.lists.items():
            for found, count in Counter(ids).items():
                code, record = identified[found]
                if name:
                    breakdowns = kept.get((version_id, code))
                    if breakdowns is None:
                        indicator = reader.version(version_id).by_code[code]
                        breakdowns = kept[(version_id, code)] = frozenset(indicator.breakdowns)
                    if name not in breakdowns:
                        continue
                key = (organisation_id, version_id, code, establishment_id, campaign_id, wave, "", name, value)
                summed[key].append((record, count))
        self.lists.clear()
        self._slots.clear()
        for key, counted in self.counts.items():
            summed[key].extend(counted.items())
        self.counts.clear()
        for key, pairs in summed.items():
            data = summed_dict(pairs)
            if data is not None:
                yield key, data


_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}


def summed_dict(counted: Iterable[tuple[Stats, int]]) -> dict[str, Any] | None:
    """``to_dict()`` of the sum of count times record over ``counted`` (records of one kind), None when zero: ints
    summed as ints, Decimals exactly (:data:`EXACT`), without building the records of the sums."""
    items = list(counted)
    cls = type(items[0][0])
    if cls is ProportionStats:  # most facts
        n = numerator = dont_know = 0
        for record, count in items:
            assert isinstance(record, ProportionStats)
            n += record.n * count
            numerator += record.numerator * count
            dont_know += record.dont_know * count
        if n == numerator == dont_know == 0:
            return None
        return {"kind": "proportion", "n": n, "numerator": numerator, "dont_know": dont_know}
    described = _FIELDS.get(cls)
    if described is None:
        described = _FIELDS[cls] = tuple((f.name, f.type in ("int", int)) for f in fields(cls))
    out: dict[str, Any] = {"kind": cls.kind}
    zero = True
    for name, whole in described:
        if whole:
            value: int | Decimal = sum(getattr(record, name) * count for record, count in items)
        else:
            value = ZERO
            for record, count in items:
                part = getattr(record, name)
                if part:
                    value = EXACT.add(value, EXACT.multiply(part, count))
        if value != 0:
            zero = False
        out[name] = value if whole else decimal_text(value)  # type: ignore[arg-type]
    return None if zero else out


def _add(into: Deltas | Totals, keys: Iterable[Key], record: Stats, sign: int) -> None:
    if record.is_zero():
        return
    if isinstance(into, Totals):
        into.add(keys, record)
        return
    for key in keys:
        found = into.get(key)
        if sign > 0:
            into[key] = record if found is None else found + record
        else:
            into[key] = -record if found is None else found - record


def has_evolutions(reader: Reader, row: Answered) -> bool:
    return bool(reader.version(row.framework_version_id).evolutions_for(row.questionnaire_code, row.wave))


def group_key(row: Answered) -> tuple[int, str] | None:
    """Rows of one respondent share this (organisation, follow-up hash); None: a respondent of their own."""
    return (row.organisation_id, row.followup_hash) if row.followup_hash else None


def respondents(rows: Iterable[Answered]) -> list[list[Answered]]:
    """Rows grouped by respondent (a row without follow-up hash alone)."""
    groups: dict[tuple[int, str], list[Answered]] = defaultdict(list)
    alone: list[list[Answered]] = []
    for row in rows:
        key = group_key(row)
        if key is None:
            alone.append([row])
        else:
            groups[key].append(row)
    return [*groups.values(), *alone]


# --- Activity -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reported:
    """What facts read of one activity report revision."""

    organisation_id: int
    framework_version_id: int
    establishment_id: int
    period: str
    period_kind: str
    values: Mapping[str, object]
    entered_at: datetime.datetime

    FIELDS = (
        "organisation_id",
        "framework_version_id",
        "establishment_id",
        "period",
        "period_kind",
        "values",
        "entered_at",
    )

    @classmethod
    def of(cls, report: Any) -> Reported:
        return cls(*(getattr(report, name) for name in cls.FIELDS))


def report_records(reader: Reader, report: Reported, into: Deltas | Totals, sign: int = 1) -> dict[Key, str]:
    """Adds the report's records; returns the period kind of each key (facts store it)."""
    version = reader.version(report.framework_version_id)
    day = timezone.localtime(report.entered_at).date()
    kinds: dict[Key, str] = {}
    for indicator in version.activity:
        record = compute.activity_contribution(indicator, report.values, today=day)
        key: Key = (
            report.organisation_id,
            report.framework_version_id,
            indicator.code,
            report.establishment_id,
            None,
            "",
            report.period,
            "",
            "",
        )
        kinds[key] = report.period_kind
        _add(into, [key], record, sign)
    return kinds
