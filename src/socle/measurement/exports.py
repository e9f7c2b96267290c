"""An organisation's results as a table (CSV or XLSX through ``socle.collection.exports``): for each indicator over
answers of a campaign, the organisation's figure, each establishment's and each breakdown's, masked exactly as on
the pages (a masked cell has its status and n, never its value). Read from facts only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from socle.collection.models import Campaign
from socle.lib.measurement.estimate import Estimate
from socle.measurement import dashboard as reads
from socle.network.models import Establishment

COLUMNS = [
    "campaign",
    "wave",
    "framework_version",
    "indicator",
    "label",
    "unit",
    "level",
    "group",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "dont_know_share",
    "effective_n",
    "design_effect",
    "reliability",
    "fragile",
    "status",
]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _row(campaign: Campaign, info: reads.IndicatorInfo, level: str, group: str, estimate: Estimate) -> list[object]:
    interval = estimate.interval
    return [
        campaign.name,
        campaign.wave,
        str(campaign.framework_version),
        info.code,
        info.label,
        info.unit,
        level,
        group,
        _round(estimate.value),
        _round(interval.low) if interval else None,
        _round(interval.high) if interval else None,
        estimate.n,
        _round(estimate.dont_know_share),
        _round(estimate.effective_n, 1),
        _round(estimate.design_effect, 3),
        estimate.flag,
        "yes" if estimate.fragile else "no",
        "masked" if estimate.masked else "ok",
    ]


def results_rows(
    organisation_id: int,
    campaign: Campaign,
    campaigns: Sequence[Campaign],
    establishments: Sequence[Establishment],
) -> Iterator[tuple[reads.IndicatorInfo, str, str, Estimate]]:
    """(indicator, level, group, estimate as it may be shown) for each indicator over answers of the campaign and
    each group: the organisation (level ``organisation``, group ``""``), each establishment, each breakdown value."""
    board = reads.dashboard(organisation_id, campaign, campaigns)
    cells = reads.campaign_cells(organisation_id, campaign)
    parts = reads.taking_part([campaign.pk])
    for result in [*board.results, *board.evolutions]:
        info = result.info
        page = reads.indicator_page(
            organisation_id, campaign, info.code, [campaign], establishments, preloaded=cells, taking_part_in=parts
        )
        yield info, "organisation", "", page.total
        for cell in page.establishments.cells:
            yield info, "establishment", cell.label, cell.estimate
        for breakdown in page.breakdowns:
            for cell in breakdown.cells:
                yield info, breakdown.key, cell.label, cell.estimate


def results_table(
    organisation_id: int,
    campaign: Campaign,
    campaigns: Sequence[Campaign],
    establishments: Sequence[Establishment],
) -> list[list[object]]:
    """The header, then one row per indicator and group (organisation, establishment, breakdown value)."""
    table: list[list[object]] = [list(COLUMNS)]
    for info, level, group, estimate in results_rows(organisation_id, campaign, campaigns, establishments):
        table.append(_row(campaign, info, level, group, estimate))
    return table
