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
from socle.lib.measurement.stats import EXACT, Stats

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

    def score_rules(self, questionnaire: str) -> list[ScoreRule] | None:
        """The questionnaire's scores, for the rebuild's memo (:func:`_score_rules`), compiled once."""
        if questionnaire not in self._score_rules:
            self._score_rules[questionnaire] = _score_rules(self.document, questionnaire)
        return self._score_rules[questionnaire]

    def inputs(self, questionnaire: str, indicator: Indicator) -> tuple[str, ...] | None:
        """The questions a record of ``indicator`` for a submission of ``questionnaire`` depends on: those its
        expressions read, and those behind the scores they read. None when the record may depend on more: when the
        indicator's expressions or the questionnaire's (relevance, constraints, scores) call ``today()``, which
        could make a score of stored answers depend on the day and on other answers."""
        key = (questionnaire, indicator.code)
        if key not in self._inputs:
            self._inputs[key] = _inputs(self.document, questionnaire, indicator, self.definitions.get(indicator.code))
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


@lru_cache(maxsize=256)
def _compiled(version_pk: int, content_sha256: str) -> VersionIndicators:
    version = FrameworkVersion.objects.select_related("base_version").get(pk=version_pk)
    document = version.effective_content()
    by_code: dict[str, Indicator] = {}
    definitions: dict[str, Mapping[str, Any]] = {}
    for definition in document.get("indicators", []) or []:
        indicator = compute.compile_indicator(definition, document)
        by_code[indicator.code] = indicator
        definitions[indicator.code] = definition
    return VersionIndicators(document, by_code, definitions=definitions)


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
    """Computes records of submissions, caching scores per submission (one ``Questionnaire.check`` each)."""

    def __init__(self, shas: Mapping[int, str] | None = None, *, memo: bool = False) -> None:
        self.shas = dict(shas or {})
        self._scores: dict[tuple[int, str, Any], Mapping[str, object]] = {}
        # memo (the rebuild): records and scores remembered by the answers they depend on (VersionIndicators.inputs)
        self.memo = memo
        self._versions: dict[int, VersionIndicators] = {}
        self._records: dict[Hashable, Stats | None] = {}
        self._side_scores: dict[Hashable, Mapping[str, object]] = {}
        self._pairs: dict[Hashable, Stats] = {}

    def _memo_key(self, version: VersionIndicators, row: Answered, indicator: Indicator) -> Hashable | None:
        inputs = version.inputs(row.questionnaire_code, indicator)
        if inputs is None:
            return None
        answers = row.answers
        try:
            key = (row.framework_version_id, row.questionnaire_code, indicator.code,
                   tuple([_frozen(answers.get(name)) for name in inputs]))  # fmt: skip
            hash(key)
        except TypeError:  # an answer that cannot be a key (never stored by Socle): no memo
            return None
        return key

    def record(self, version: VersionIndicators, row: Answered, indicator: Indicator) -> Stats | None:
        """The row's record for a proportion, mean or count (None when zero), remembered in memo mode."""
        key = self._memo_key(version, row, indicator) if self.memo else None
        if key is not None:
            found = self._records.get(key, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[return-value]
        scores = self.scores(row) if indicator.scores_read else None
        record: Stats | None = compute.answer_contribution(indicator, row.answers, scores, today=row.day)
        if record is not None and record.is_zero():
            record = None
        if key is not None:
            if len(self._records) >= MEMO_SIZE:
                self._records.clear()
            self._records[key] = record
        return record

    def _pair(self, indicator: Indicator, before: Answered | None, after: Answered | None, home: Answered) -> Stats:
        """``pair_contribution`` of one respondent, remembered in memo mode by the answers each side depends on."""
        keys: list[Hashable] = []
        if self.memo:
            for row in (before, after):
                if row is None:
                    keys.append(None)
                    continue
                key = self._memo_key(self.version(row.framework_version_id), row, indicator)
                if key is None:
                    keys = []
                    break
                keys.append(key)
        pair_key = (indicator.code, *keys) if keys else None
        if pair_key is not None:
            found = self._pairs.get(pair_key)
            if found is not None:
                return found
        reads_scores = bool(indicator.scores_read)
        sides = [
            self._scores_of(row, indicator, keys[index] if keys else None) if row and reads_scores else None
            for index, row in enumerate((before, after))
        ]
        record = compute.pair_contribution(
            indicator,
            before.answers if before else None,
            after.answers if after else None,
            before_scores=sides[0],
            after_scores=sides[1],
            today=home.day,  # computed only when the record is not remembered: localtime() is not free
        )
        if pair_key is not None:
            if len(self._pairs) >= MEMO_SIZE:
                self._pairs.clear()
            self._pairs[pair_key] = record
        return record

    def _scores_of(self, row: Answered, indicator: Indicator, key: Hashable | None) -> Mapping[str, object]:
        if key is None:
            return self.scores(row)
        found = self._side_scores.get(key)
        if found is None:
            scores = self.scores(row)
            found = {name: scores.get(name) for name in indicator.scores_read if name in scores}
            if len(self._side_scores) >= MEMO_SIZE:
                self._side_scores.clear()
            self._side_scores[key] = found
        return found

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

    def know_scores(self, row: Answered, scores: Mapping[str, object], scored_on: datetime.date) -> None:
        """Scores the caller already computed for this row (``submit`` checks the answers before storing them):
        taken only when computed for the day the row was received, the day ``today()`` means for facts."""
        if scored_on == row.day:
            self._scores[row.identity] = scores

    def forget(self) -> None:
        self._scores.clear()

    def breakdowns(self, version: VersionIndicators, row: Answered) -> dict[str, str]:
        values = compute.respondent_breakdowns(version.document, row.answers)
        values["mode"] = row.mode
        return values

    def submission_records(self, row: Answered, into: Deltas | Totals, sign: int = 1) -> None:
        """Adds (or with ``sign=-1`` subtracts) the submission's records for proportions, means and counts."""
        version = self.version(row.framework_version_id)
        indicators = version.answers_for(row.questionnaire_code)
        if not indicators:
            return
        breakdowns = self.breakdowns(version, row)
        if isinstance(into, Totals):
            # the rebuild: records counted per (row's cell and breakdown values, indicator), expanded at the end
            counted = into.rows[(row.organisation_id, row.framework_version_id, row.establishment_id,
                                 row.campaign_id, row.wave, tuple(breakdowns.items()))]  # fmt: skip
            for indicator in indicators:
                found = self.record(version, row, indicator)
                if found is not None:
                    counted[(indicator.code, found)] += 1
            return
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
        for row in sorted(rows, key=lambda r: r.order):
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
            record = self._pair(indicator, before_row, after_row, home)
            breakdowns = self.breakdowns(self.version(home.framework_version_id), home)
            _add(into, _keys(home, indicator, breakdowns), record, sign)


def _keys(row: Answered, indicator: Indicator, breakdowns: Mapping[str, str]) -> list[Key]:
    base = (row.organisation_id, row.framework_version_id, indicator.code, row.establishment_id, row.campaign_id)
    keys: list[Key] = [(*base, row.wave, "", "", "")]
    for name in indicator.breakdowns:
        if name in breakdowns:
            keys.append((*base, row.wave, "", name, breakdowns[name]))
    return keys


class Totals:
    """The rebuild's sums: per key, how many times each distinct record was added (most submissions add the same
    few records: ``n=1, numerator=1``…), summed exactly at the end. The same sums as adding records one by one,
    several times faster."""

    def __init__(self) -> None:
        self.counts: dict[Key, Counter[Stats]] = defaultdict(Counter)
        # (organisation, version, establishment, campaign, wave, breakdown values) -> (indicator, record) -> count
        self.rows: dict[tuple[Any, ...], Counter[tuple[str, Stats]]] = defaultdict(Counter)

    def add(self, keys: Iterable[Key], record: Stats) -> None:
        for key in keys:
            self.counts[key][record] += 1

    def records(self, reader: Reader) -> Iterator[tuple[Key, Stats]]:
        for (organisation_id, version_id, establishment_id, campaign_id, wave, values), counted in self.rows.items():
            by_code = reader.version(version_id).by_code
            breakdowns = dict(values)
            for (code, record), count in counted.items():
                base = (organisation_id, version_id, code, establishment_id, campaign_id, wave, "")
                self.counts[(*base, "", "")][record] += count
                for name in by_code[code].breakdowns:
                    if name in breakdowns:
                        self.counts[(*base, name, breakdowns[name])][record] += count
        self.rows.clear()
        for key, counted in self.counts.items():
            yield key, _scaled_sum(counted)


def _scaled_sum(counted: Mapping[Stats, int]) -> Stats:
    """The sum of count * record, exactly (ints as ints, Decimals in the exact context)."""
    first = next(iter(counted))
    names = [f.name for f in fields(first)]
    totals: list[int | Decimal] = [getattr(type(first)(), name) for name in names]
    for record, count in counted.items():
        for index, name in enumerate(names):
            value = getattr(record, name)
            if not value:
                continue
            if isinstance(value, int):
                totals[index] = totals[index] + value * count  # type: ignore[operator]
            else:
                totals[index] = EXACT.add(totals[index], EXACT.multiply(value, count))
    return type(first)(*totals)


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
