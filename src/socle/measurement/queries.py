"""Reads of facts: statistics and estimates of an organisation's indicators, for pages, reports and the API.

Everything here reads facts (``socle.measurement.access.facts_of``), never raw submissions: a few aggregate-free
queries that fetch the facts of one cell, then sums of records in Python (exact). An organisation's figure is the
**sum of its establishments' records** (a ratio of sums, never a mean of establishment percentages); its interval
treats establishments as clusters (``socle.lib.measurement.cluster``), with a zero record for an establishment of
the campaign without respondents in the cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from socle.collection.models import Campaign
from socle.frameworks.models import FrameworkVersion
from socle.lib.measurement import cluster, compute, estimate
from socle.lib.measurement.compute import Indicator
from socle.lib.measurement.estimate import Estimate
from socle.lib.measurement.stats import Stats, stats_from_dict
from socle.measurement.access import facts_of
from socle.measurement.contributions import version_indicators

__all__ = [
    "activity_records",
    "campaign_records",
    "combined_estimate",
    "establishment_estimates",
    "indicator_of",
    "organisation_estimates",
]

TOTAL = ""


def indicator_of(version: FrameworkVersion, code: str) -> Indicator:
    """The compiled indicator ``code`` of a version (KeyError when it has none)."""
    return version_indicators(version.pk, version.content_sha256).by_code[code]


def _summed(rows: Iterable[tuple[int, str, dict[str, object]]]) -> dict[int, dict[str, Stats]]:
    out: dict[int, dict[str, Stats]] = defaultdict(dict)
    for establishment_id, value, data in rows:
        record = stats_from_dict(data)
        found = out[establishment_id].get(value)
        out[establishment_id][value] = record if found is None else found + record
    return dict(out)


def campaign_records(
    organisation_id: int, campaign: Campaign, indicator: str, *, breakdown: str = TOTAL
) -> dict[int, dict[str, Stats]]:
    """Records of an indicator over answers in a campaign: establishment id → breakdown value → record (the value
    ``""`` of the total when ``breakdown`` is empty). For an evolution, the campaign is the cohort's first wave."""
    rows = (
        facts_of(organisation_id)
        .filter(campaign=campaign, framework_version_id=campaign.framework_version_id, indicator=indicator)
        .filter(breakdown=breakdown)
        .values_list("establishment_id", "value", "stats")
    )
    if breakdown == TOTAL:
        rows = rows.filter(value="")
    return _summed(rows)


def activity_records(
    organisation_id: int, version: FrameworkVersion, indicator: str, *, period_kind: str, year: int | None = None
) -> dict[int, dict[str, Stats]]:
    """Records of an indicator over activity data: establishment id → period → record, for periods of one kind
    only (a year contains its quarters: never sum two kinds)."""
    rows = facts_of(organisation_id).filter(
        framework_version=version, indicator=indicator, campaign__isnull=True, period_kind=period_kind
    )
    if year is not None:
        rows = rows.filter(period__startswith=str(year))
    return _summed(rows.values_list("establishment_id", "period", "stats"))


def establishment_estimates(
    organisation_id: int, campaign: Campaign, indicator: str, *, breakdown: str = TOTAL, level: float = 0.95
) -> dict[int, dict[str, Estimate]]:
    """Each establishment's estimate (a simple random sample of its respondents), by breakdown value."""
    compiled = indicator_of(campaign.framework_version, indicator)
    return {
        establishment_id: {
            value: estimate.estimate_indicator(compiled, record, level=level) for value, record in values.items()
        }
        for establishment_id, values in campaign_records(
            organisation_id, campaign, indicator, breakdown=breakdown
        ).items()
    }


def combined_estimate(
    indicator: Indicator, records: Mapping[int, Stats], establishments: Iterable[int], *, level: float = 0.95
) -> Estimate:
    """The estimate of a group of establishments from their records (establishment id → record): the sum of the
    records, with the establishments as clusters for the interval — a zero record for one that took part without
    respondents in the cell (``establishments``: those taking part). Counts are summed, without interval. Not
    redacted: call ``.redacted()`` before showing it."""
    zero = compute.empty_stats(indicator)
    taking_part = sorted(set(establishments) | set(records))
    per_establishment = [records.get(e, zero) for e in taking_part]
    if zero.kind in cluster.CLUSTER_KINDS:
        return cluster.consolidate_indicator(indicator, cluster.cluster_sums(per_establishment, zero.kind), level=level)
    return estimate.estimate_indicator(indicator, sum(per_establishment, zero), level=level)


def organisation_estimates(
    organisation_id: int, campaign: Campaign, indicator: str, *, breakdown: str = TOTAL, level: float = 0.95
) -> dict[str, Estimate]:
    """The organisation's estimate by breakdown value: the sum of its establishments' records, with establishments
    as clusters for the interval (counts: the sum, no interval)."""
    compiled = indicator_of(campaign.framework_version, indicator)
    records = campaign_records(organisation_id, campaign, indicator, breakdown=breakdown)
    taking_part = set(campaign.links.values_list("establishment_id", flat=True)) | set(records)
    values = sorted({value for by_value in records.values() for value in by_value}) or [TOTAL]
    return {
        value: combined_estimate(
            compiled,
            {e: by_value[value] for e, by_value in records.items() if value in by_value},
            taking_part,
            level=level,
        )
        for value in values
    }
