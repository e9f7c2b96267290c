"""The organisation dashboard's reads: every indicator of a campaign with its value, n, interval and flags, the
previous campaign beside it, breakdowns with small cells masked, the trend over campaigns, activity figures and
the theory of change coloured by results.

Everything is read from facts (``socle.measurement.access.facts_of``) in a few queries per page, whatever the
number of indicators or establishments: one for the totals of the campaigns shown, one for the establishments
taking part, one for activity facts; an indicator's page adds one for its breakdowns. Figures of an
establishment are its own records (a simple random sample of its respondents); figures of the organisation are
the sum of its establishments' records with establishments as clusters (``queries.combined_estimate``).

Masking inside the organisation (METHODS.md §4): an estimate from fewer than 5 respondents shows no value
(``Estimate.redacted``); in a breakdown, secondary suppression masks enough other cells that no masked value is
the total minus the cells shown (``socle.lib.measurement.masking``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from socle.collection.models import Campaign, CollectionLink, Mode
from socle.frameworks import presentation
from socle.frameworks.models import text_in
from socle.lib.measurement import compute
from socle.lib.measurement.compute import Indicator
from socle.lib.measurement.estimate import Estimate
from socle.lib.measurement.masking import masked_cells
from socle.lib.measurement.stats import STATS_CLASSES, Stats, stats_from_dict, total
from socle.measurement.access import facts_of
from socle.measurement.contributions import version_indicators
from socle.measurement.queries import TOTAL, combined_estimate
from socle.network.models import Establishment

__all__ = [
    "ActivityRow",
    "BreakdownTable",
    "Cell",
    "Dashboard",
    "IndicatorInfo",
    "IndicatorPage",
    "Result",
    "dashboard",
    "estimates_at",
    "indicator_page",
    "outcome_status",
]

ACTIVITY_PERIOD_KINDS = ("year", "quarter", "month")  # the first kind with reports in the year is summed


@dataclass(frozen=True)
class IndicatorInfo:
    """What a reader needs of an indicator's definition, in the active language."""

    code: str
    label: str
    definition: str
    kind: str
    source: str
    unit: str
    direction: str
    outcomes: tuple[str, ...]
    breakdowns: tuple[str, ...]

    @property
    def percent(self) -> bool:
        return self.unit == "%"


def indicator_infos(document: Mapping[str, Any]) -> dict[str, IndicatorInfo]:
    return {
        str(ind["code"]): IndicatorInfo(
            code=str(ind["code"]),
            label=text_in(ind.get("label")),
            definition=text_in(ind.get("definition")),
            kind=str(ind["kind"]),
            source=str(ind.get("source", "answers")),
            unit=str(ind.get("unit", "")),
            direction=str(ind.get("direction", "none")),
            outcomes=tuple(str(o) for o in ind.get("outcomes", []) or []),
            breakdowns=tuple(str(b) for b in ind.get("breakdowns", []) or []),
        )
        for ind in document.get("indicators", []) or []
    }


@dataclass
class Result:
    """One indicator at one campaign: the estimate as it may be shown, the previous campaign's, the target."""

    info: IndicatorInfo
    estimate: Estimate
    previous: Estimate | None = None
    target: Decimal | None = None

    @property
    def target_status(self) -> str:
        """``reached``, ``not_reached``, or ``""`` (no target, or no value to compare)."""
        value = self.estimate.value
        if self.target is None or value is None:
            return ""
        if self.info.direction == "down":
            return "reached" if value <= self.target else "not_reached"
        return "reached" if value >= self.target else "not_reached"

    @property
    def change(self) -> float | None:
        """The value minus the previous campaign's, when both can be shown."""
        if self.previous is None or self.previous.value is None or self.estimate.value is None:
            return None
        return self.estimate.value - self.previous.value


@dataclass
class ActivityRow:
    info: IndicatorInfo
    estimate: Estimate
    period: str  # the year
    period_kind: str  # the kind of periods summed: year, quarter, month
    total: Stats | None = None  # the establishments' records summed (for a public page's disclosure control)


@dataclass
class Dashboard:
    campaign: Campaign
    establishment: Establishment | None
    previous_campaign: Campaign | None
    results: list[Result]  # proportions, means and counts over answers
    evolutions: list[Result]  # entry → follow-up, by respondent (the campaign is the cohort's entry)
    activity: list[ActivityRow]
    follow_up: list[tuple[IndicatorInfo, Estimate, Estimate]]  # same indicator at entry and at a later wave
    follow_up_campaign: Campaign | None
    statuses: dict[str, str] = field(default_factory=dict)  # outcome code → good / mixed / poor / none

    @property
    def percent_results(self) -> list[Result]:
        return [r for r in self.results if r.info.percent and r.estimate.value is not None]


# --- Reading facts ---------------------------------------------------------------------------------------------


def _accumulate(cell: dict[int, Stats], establishment_id: int, data: dict[str, Any]) -> None:
    """Adds a fact's statistics to an establishment's record of a cell (facts of one establishment and cell
    differ by breakdown, or by period when several periods are summed)."""
    record = stats_from_dict(data)
    found = cell.get(establishment_id)
    cell[establishment_id] = record if found is None else found + record


def taking_part(campaign_ids: Iterable[int]) -> dict[int, set[int]]:
    """The establishments of each campaign (its links), in one query."""
    out: dict[int, set[int]] = defaultdict(set)
    for campaign_id, establishment_id in CollectionLink.objects.filter(campaign_id__in=list(campaign_ids)).values_list(
        "campaign_id", "establishment_id"
    ):
        out[campaign_id].add(establishment_id)
    return out


def campaign_totals(organisation_id: int, campaigns: Sequence[Campaign]) -> dict[tuple[int, str], dict[int, Stats]]:
    """(campaign id, indicator) → establishment id → total record, for every indicator over answers, in one query."""
    out: dict[tuple[int, str], dict[int, Stats]] = defaultdict(dict)
    versions = {c.pk: c.framework_version_id for c in campaigns}
    rows = (
        facts_of(organisation_id)
        .filter(campaign_id__in=list(versions), breakdown=TOTAL, value=TOTAL)
        .values_list("campaign_id", "framework_version_id", "indicator", "establishment_id", "stats")
    )
    for campaign_id, version_id, indicator, establishment_id, data in rows:
        if versions[campaign_id] != version_id:
            continue  # a fact of another version cannot be in this campaign's cell; never summed with it
        _accumulate(out[(campaign_id, indicator)], establishment_id, data)
    return out


def estimates_at(
    organisation_id: int, campaigns: Sequence[Campaign], codes: Iterable[str] | None = None
) -> dict[tuple[int, str], Estimate]:
    """(campaign id, indicator) → the organisation's estimate (not redacted), for the indicators over answers of
    each campaign's version (``codes`` only, when given) that have facts in it: two queries in all, whatever the
    number of campaigns and indicators. An indicator without facts in a campaign is absent (not measured there)."""
    totals = campaign_totals(organisation_id, campaigns)
    parts = taking_part(c.pk for c in campaigns)
    wanted = None if codes is None else set(codes)
    out: dict[tuple[int, str], Estimate] = {}
    for campaign in campaigns:
        version = campaign.framework_version
        for code, indicator in version_indicators(version.pk, version.content_sha256).by_code.items():
            records = totals.get((campaign.pk, code))
            if indicator.source != "answers" or records is None or (wanted is not None and code not in wanted):
                continue
            out[(campaign.pk, code)] = combined_estimate(indicator, records, parts.get(campaign.pk, set()))
    return out


def _estimate(
    indicator: Indicator,
    records: Mapping[int, Stats],
    establishments: Iterable[int],
    only: int | None,
) -> Estimate:
    if only is not None:
        return combined_estimate(indicator, {only: records[only]} if only in records else {}, [only]).redacted()
    return combined_estimate(indicator, records, establishments).redacted()


def _follow_up_campaign(campaign: Campaign, candidates: Sequence[Campaign]) -> Campaign | None:
    """The latest follow-up or exit campaign of the same framework version that started after this entry one."""
    later = [
        c
        for c in candidates
        if c.wave != "entry"
        and c.framework_version_id == campaign.framework_version_id
        and c.starts_on >= campaign.starts_on
    ]
    return max(later, key=lambda c: (c.starts_on, c.pk), default=None)


def dashboard(
    organisation_id: int,
    campaign: Campaign,
    campaigns: Sequence[Campaign],
    *,
    establishment: Establishment | None = None,
    targets: Mapping[str, Decimal] | None = None,
) -> Dashboard:
    """The dashboard of ``campaign`` (for one of its establishments, or the organisation); ``campaigns`` are the
    organisation's campaigns (to find the previous campaign of the same wave and the follow-up of an entry)."""
    same_wave = sorted((c for c in campaigns if c.wave == campaign.wave), key=lambda c: (c.starts_on, c.pk))
    earlier = [c for c in same_wave if (c.starts_on, c.pk) < (campaign.starts_on, campaign.pk)]
    previous = earlier[-1] if earlier else None
    follow_up = _follow_up_campaign(campaign, campaigns) if campaign.wave == "entry" else None
    shown = [c for c in (campaign, previous, follow_up) if c is not None]
    totals = campaign_totals(organisation_id, shown)
    parts = taking_part(c.pk for c in shown)
    only = establishment.pk if establishment is not None else None
    version = campaign.framework_version
    compiled = version_indicators(version.pk, version.content_sha256)
    infos = indicator_infos(compiled.document)
    targets = targets or {}

    def estimate_at(c: Campaign, code: str) -> Estimate | None:
        other = version_indicators(c.framework_version_id, c.framework_version.content_sha256).by_code.get(code)
        if other is None:
            return None
        return _estimate(other, totals.get((c.pk, code), {}), parts.get(c.pk, set()), only)

    results: list[Result] = []
    evolutions: list[Result] = []
    follow_ups: list[tuple[IndicatorInfo, Estimate, Estimate]] = []
    for code, indicator in compiled.by_code.items():
        if indicator.source != "answers":
            continue
        info = infos[code]
        here = _estimate(indicator, totals.get((campaign.pk, code), {}), parts.get(campaign.pk, set()), only)
        if indicator.kind == "evolution":
            if campaign.wave == indicator.from_wave:
                evolutions.append(Result(info, here, target=targets.get(code)))
            continue
        if not indicator.applies_to(_questionnaire_of_wave(compiled.document, campaign.wave, indicator)):
            continue
        before = estimate_at(previous, code) if previous is not None else None
        results.append(Result(info, here, previous=before, target=targets.get(code)))
        if follow_up is not None and indicator.kind in ("proportion", "mean"):
            later = estimate_at(follow_up, code)
            if later is not None and later.n:
                follow_ups.append((info, here, later))
    activity = activity_results(organisation_id, campaign, infos, compiled.by_code, only=only)
    board = Dashboard(
        campaign=campaign,
        establishment=establishment,
        previous_campaign=previous,
        results=results,
        evolutions=evolutions,
        activity=activity,
        follow_up=follow_ups,
        follow_up_campaign=follow_up,
    )
    board.statuses = outcome_status(compiled.document, [*results, *evolutions])
    return board


def _questionnaire_of_wave(document: Mapping[str, Any], wave: str, indicator: Indicator) -> str:
    """A questionnaire of this wave that feeds the indicator (``""`` when none: the indicator is not measured at
    this wave, e.g. a follow-up question at entry)."""
    for questionnaire in document.get("questionnaires", []) or []:
        if wave in (questionnaire.get("waves") or []) and indicator.applies_to(str(questionnaire["code"])):
            return str(questionnaire["code"])
    return ""


def activity_results(
    organisation_id: int,
    campaign: Campaign,
    infos: Mapping[str, IndicatorInfo],
    indicators: Mapping[str, Indicator],
    *,
    only: int | None = None,
    year: int | None = None,
) -> list[ActivityRow]:
    """Activity indicators of the campaign's version for the campaign's year (or ``year``) (one query): the reports
    of one kind of period only, the longest kind that has any (a year contains its quarters and months)."""
    year_text = str(year if year is not None else campaign.starts_on.year)
    rows = facts_of(organisation_id).filter(
        framework_version_id=campaign.framework_version_id,
        campaign__isnull=True,
        breakdown=TOTAL,
        value=TOTAL,
        period__startswith=year_text,
    )
    if only is not None:
        rows = rows.filter(establishment_id=only)
    by_kind: dict[str, dict[str, dict[int, Stats]]] = defaultdict(lambda: defaultdict(dict))
    for indicator, establishment_id, kind, data in rows.values_list(
        "indicator", "establishment_id", "period_kind", "stats"
    ):
        _accumulate(by_kind[kind][indicator], establishment_id, data)
    kind = next((k for k in ACTIVITY_PERIOD_KINDS if by_kind.get(k)), None)
    if kind is None:
        return []
    out = []
    for code, indicator in indicators.items():
        if indicator.source != "activity" or code not in by_kind[kind]:
            continue
        records = by_kind[kind][code]
        summed = total(records.values(), STATS_CLASSES[indicator.kind]())
        estimate = combined_estimate(indicator, records, records)
        out.append(ActivityRow(infos[code], estimate, year_text, kind, summed))
    return out


# --- Theory of change ------------------------------------------------------------------------------------------


def outcome_status(document: Mapping[str, Any], results: Sequence[Result]) -> dict[str, str]:
    """Each node measured by an indicator: ``good`` when every indicator of it with a target and a value reaches
    its target, ``poor`` when none does, ``mixed`` otherwise, ``none`` when no indicator of it can be compared
    with a target (no target, or no value to show)."""
    verdicts: dict[str, list[bool]] = defaultdict(list)
    measured: set[str] = set()
    for result in results:
        for outcome in result.info.outcomes:
            measured.add(outcome)
            if result.target_status:
                verdicts[outcome].append(result.target_status == "reached")
    out: dict[str, str] = {}
    for node in measured:
        found = verdicts.get(node, [])
        if not found:
            out[node] = "none"
        elif all(found):
            out[node] = "good"
        elif not any(found):
            out[node] = "poor"
        else:
            out[node] = "mixed"
    return out


# --- One indicator ---------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One row of a breakdown table: what it is, and its estimate as it may be shown."""

    key: str
    label: str
    estimate: Estimate
    masked_by_complement: bool = False


@dataclass
class BreakdownTable:
    key: str
    title: str
    cells: list[Cell]


@dataclass
class IndicatorPage:
    info: IndicatorInfo
    campaign: Campaign
    total: Estimate
    establishments: BreakdownTable
    breakdowns: list[BreakdownTable]
    trend: list[tuple[Campaign, Estimate]]


def _masked_table(key: str, title: str, cells: list[Cell]) -> BreakdownTable:
    """Secondary suppression over one margin; then every masked cell is shown without its value."""
    hidden = masked_cells({c.key: c.estimate.n for c in cells})
    for cell in cells:
        if cell.key in hidden:
            cell.masked_by_complement = not cell.estimate.masked
            cell.estimate = _hidden(cell.estimate)
    return BreakdownTable(key, title, cells)


def _hidden(estimate: Estimate) -> Estimate:
    from dataclasses import replace

    return replace(estimate, masked=True).redacted()


def _value_labels(document: Mapping[str, Any], breakdown: str) -> dict[str, str]:
    """Labels of a respondent breakdown's values: the choices of the question it reads."""
    if breakdown == "mode":
        return {str(value): str(label) for value, label in Mode.choices}
    question = (document.get("breakdowns") or {}).get(breakdown)
    lists = {str(c["name"]): c for c in document.get("choice_lists", []) or []}
    for questionnaire in document.get("questionnaires", []) or []:
        for section in questionnaire.get("sections", []) or []:
            for item in section.get("questions", []) or []:
                if item.get("name") == question and item.get("choices") in lists:
                    return {
                        str(choice["value"]): text_in(choice.get("label"))
                        for choice in lists[item["choices"]].get("choices", [])
                    }
    return {}


def _special(value: str) -> str:
    if value == compute.DONT_KNOW:
        return _("Don't know / prefer not to say")
    return _("Not answered")


Cells = dict[str, dict[tuple[str, str], dict[int, Stats]]]  # indicator → (breakdown, value) → establishment → record


def campaign_cells(organisation_id: int, campaign: Campaign, indicator: str | None = None) -> Cells:
    """Every fact of a campaign (of one indicator, or all), totals and breakdowns, in one query."""
    rows = facts_of(organisation_id).filter(campaign=campaign, framework_version_id=campaign.framework_version_id)
    if indicator is not None:
        rows = rows.filter(indicator=indicator)
    out: Cells = defaultdict(lambda: defaultdict(dict))
    for code, establishment_id, breakdown, value, data in rows.values_list(
        "indicator", "establishment_id", "breakdown", "value", "stats"
    ):
        _accumulate(out[code][(breakdown, value)], establishment_id, data)
    return out


def indicator_page(
    organisation_id: int,
    campaign: Campaign,
    code: str,
    campaigns: Sequence[Campaign],
    establishments: Sequence[Establishment],
    *,
    preloaded: Cells | None = None,
    taking_part_in: Mapping[int, set[int]] | None = None,
) -> IndicatorPage:
    """One indicator of a campaign: the organisation's figure, each establishment's, each breakdown's (masked as
    the module says), and the trend over ``campaigns`` of the same wave (KeyError for an unknown code). A caller
    that shows several indicators reads ``campaign_cells`` and ``taking_part`` once and passes them (``preloaded``,
    ``taking_part_in``)."""
    version = campaign.framework_version
    compiled = version_indicators(version.pk, version.content_sha256)
    indicator = compiled.by_code[code]
    info = indicator_infos(compiled.document)[code]
    same_wave = sorted(
        (c for c in campaigns if c.wave == campaign.wave and c.starts_on <= campaign.starts_on),
        key=lambda c: (c.starts_on, c.pk),
    )
    parts = taking_part_in if taking_part_in is not None else taking_part([c.pk for c in same_wave])
    here = parts.get(campaign.pk, set())
    found = preloaded if preloaded is not None else campaign_cells(organisation_id, campaign, code)
    by_breakdown = found.get(code, {})
    totals = by_breakdown.get((TOTAL, TOTAL), {})
    total = combined_estimate(indicator, totals, here).redacted()

    named = {e.pk: e for e in establishments}
    rows = [
        Cell(
            str(e),
            named[e].name if e in named else "?",
            combined_estimate(indicator, {e: totals[e]} if e in totals else {}, [e]),
        )
        for e in sorted(here, key=lambda pk: named[pk].name if pk in named else "")
    ]
    by_establishment = _masked_table("establishment", _("Establishment"), rows)

    tables: list[BreakdownTable] = []
    for attribute, title in (("type", _("Establishment type")), ("region", _("Region"))):
        groups: dict[str, dict[int, Stats]] = defaultdict(dict)
        labels: dict[str, str] = {}
        for establishment_id in here:
            establishment = named.get(establishment_id)
            if establishment is None:
                continue
            if attribute == "type":
                key, label = establishment.type.code, establishment.type.name
            else:
                key, label = establishment.region, establishment.region_name
            labels[key] = label
            if establishment_id in totals:
                groups[key][establishment_id] = totals[establishment_id]
        if 1 < len(labels) < len(here):  # one group, or one per establishment: nothing the other tables lack
            cells = [
                Cell(
                    key,
                    labels[key],
                    combined_estimate(
                        indicator,
                        groups.get(key, {}),
                        [
                            e
                            for e in here
                            if e in named and (named[e].type.code if attribute == "type" else named[e].region) == key
                        ],
                    ),
                )
                for key in sorted(labels, key=lambda k: labels[k])
            ]
            tables.append(_masked_table(attribute, title, cells))
    for breakdown in sorted({b for b, _v in by_breakdown if b}, key=_breakdown_order):
        labels = _value_labels(compiled.document, breakdown)
        values = sorted((v for b, v in by_breakdown if b == breakdown), key=lambda v: (v in ("", "dk"), v))
        cells = [
            Cell(value, labels.get(value, value) if value not in ("", "dk") else _special(value),
                 combined_estimate(indicator, by_breakdown[(breakdown, value)], here))
            for value in values
        ]  # fmt: skip
        tables.append(_masked_table(breakdown, str(presentation.BREAKDOWN_LABELS.get(breakdown, breakdown)), cells))

    trend_totals = campaign_totals(organisation_id, same_wave) if len(same_wave) > 1 else {(campaign.pk, code): totals}
    trend = []
    for other in same_wave:
        other_indicator = version_indicators(
            other.framework_version_id, other.framework_version.content_sha256
        ).by_code.get(code)
        if other_indicator is None or other_indicator.kind != indicator.kind:
            continue
        trend.append(
            (
                other,
                combined_estimate(
                    other_indicator, trend_totals.get((other.pk, code), {}), parts.get(other.pk, set())
                ).redacted(),
            )
        )
    return IndicatorPage(info, campaign, total, by_establishment, tables, trend)


def _breakdown_order(key: str) -> tuple[int, str]:
    order = ("sex", "age_band", "mode")
    return (order.index(key) if key in order else len(order), key)
