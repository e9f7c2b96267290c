"""What a sector consolidation reads: the frame of the sector framework's field, and, for every sector indicator
and wave, one record per participating establishment, summed from facts (never raw answers).

**Member indicators mapped to sector ones.** An organisation's own indicator that ``maps_to`` a sector indicator
feeds it when it is of the same kind and factor (otherwise it is left out, and said so). It counts for an
establishment only when that establishment has no record of the sector indicator itself in the cell: a respondent
is never counted twice. When several own indicators of one version map to the same sector indicator, the first
by code is used.

Facts of a campaign are read only with the campaign's own framework version (as the dashboard does), so that
statistics computed by two definitions are never summed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from socle.collection.models import Campaign, SectorCampaign
from socle.frameworks.models import FrameworkVersion
from socle.lib.measurement.stats import Stats, stats_from_dict
from socle.lib.sector.weighting import FrameEstablishment
from socle.measurement.access import facts_of, facts_of_sector_campaign
from socle.measurement.queries import TOTAL
from socle.network.models import Establishment, Organisation

__all__ = ["SectorInputs", "sector_inputs"]


@dataclass
class SectorInputs:
    sector_campaign: SectorCampaign
    version: FrameworkVersion
    document: dict[str, Any]
    frame: list[FrameEstablishment]
    # (sector indicator, wave) → establishment key → the record of all its respondents in the cell
    records: dict[tuple[str, str], dict[str, Stats]]
    organisation_of: dict[str, int]  # establishment key → organisation id (participating establishments)
    organisations: dict[int, Organisation]
    # sector indicator → organisations whose own indicator fed it / own indicators left out (code, reason)
    mapped_from: dict[str, set[int]] = field(default_factory=dict)
    not_mapped: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def waves(self) -> list[str]:
        order = {"entry": 0, "follow_up": 1, "exit": 2}
        return sorted({wave for _code, wave in self.records}, key=lambda w: (order.get(w, 9), w))


def _indicator_kinds(document: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """code → (kind, factor, maps_to) of a framework document's indicators."""
    out: dict[str, tuple[str, str, str]] = {}
    for indicator in document.get("indicators", []) or []:
        factor = str(Decimal(str(indicator.get("factor", 1))).normalize())
        out[str(indicator["code"])] = (str(indicator["kind"]), factor, str(indicator.get("maps_to", "")))
    return out


def _routes(sector: dict[str, tuple[str, str, str]], version: FrameworkVersion, not_mapped: list) -> dict[str, str]:
    """indicator code of an organisation version → the sector indicator it feeds. The version's effective
    indicators are its sector base's (a campaign joins a sector campaign only on a version based on its very
    sector version) and its own additions (``version.content``): no need to merge the documents."""
    routes = {code: code for code in sector}
    own = _indicator_kinds(version.content)
    for code in sorted(own):
        kind, factor, target = own[code]
        if code in sector or not target:
            continue
        if target not in sector:
            not_mapped.append((code, target, "unknown"))
        elif (kind, factor) != sector[target][:2]:
            not_mapped.append((code, target, "definition"))
        elif target not in {t for c, t in routes.items() if c != t}:
            routes[code] = target
        else:
            not_mapped.append((code, target, "duplicate"))
    return routes


def _collect(
    rows: Iterable[tuple[int, int, str, int, int, str, dict[str, Any]]],
    versions_of: Mapping[int, int],
    routes: Mapping[int, Mapping[str, str]],
    key_of: Mapping[int, str] | None,
) -> tuple[dict[tuple[str, str], dict[str, Stats]], dict[str, set[int]], dict[str, int]]:
    """Records per (sector indicator, wave) and establishment key, from fact rows (campaign, version, indicator,
    establishment, organisation, wave, stats); with the organisations that fed an indicator through a mapping, and
    the organisation of each establishment. ``key_of``: establishment id → key, establishments not in it skipped
    (None: every establishment, keyed by its id)."""
    direct: dict[tuple[str, str], dict[str, Stats]] = defaultdict(dict)
    via_mapping: dict[tuple[str, str], dict[str, tuple[Stats, int]]] = defaultdict(dict)
    organisation_of: dict[str, int] = {}
    for campaign_id, version_id, code, establishment_id, organisation_id, wave, data in rows:
        if versions_of.get(campaign_id) != version_id or (key_of is not None and establishment_id not in key_of):
            continue
        target = routes[version_id].get(code)
        if target is None:
            continue
        key = str(establishment_id) if key_of is None else key_of[establishment_id]
        record = stats_from_dict(data)
        organisation_of[key] = organisation_id
        if target == code:
            cell = direct[(target, wave)]
            cell[key] = record if key not in cell else cell[key] + record
        else:
            found = via_mapping[(target, wave)].get(key)
            via_mapping[(target, wave)][key] = (record if found is None else found[0] + record, organisation_id)
    mapped_from: dict[str, set[int]] = defaultdict(set)
    for cell_key, mapped in via_mapping.items():
        for key, (record, organisation_id) in mapped.items():
            if key not in direct[cell_key]:
                direct[cell_key][key] = record
                mapped_from[cell_key[0]].add(organisation_id)
    return {k: v for k, v in direct.items() if v}, dict(mapped_from), organisation_of


def organisation_records(
    organisation_id: int, sector_campaign: SectorCampaign
) -> dict[tuple[str, str], dict[str, Stats]]:
    """One organisation's records in a sector campaign, routed to the sector indicators as for the consolidation:
    read from its own facts only (``facts_of``), for its page beside the sector's figures."""
    sector = _indicator_kinds(sector_campaign.framework_version.content)
    campaigns = {
        c.pk: c
        for c in Campaign.objects.filter(
            sector_campaign=sector_campaign, organisation_id=organisation_id
        ).select_related("framework_version")
    }
    routes = {c.framework_version_id: _routes(sector, c.framework_version, []) for c in campaigns.values()}
    versions_of = {pk: c.framework_version_id for pk, c in campaigns.items()}
    rows = (
        facts_of(organisation_id)
        .filter(campaign_id__in=list(campaigns), breakdown=TOTAL, value=TOTAL)
        .values_list("campaign_id", "framework_version_id", "indicator", "establishment_id", "organisation_id",
                     "wave", "stats")
    )  # fmt: skip
    return _collect(rows, versions_of, routes, None)[0]


def sector_inputs(sector_campaign: SectorCampaign) -> SectorInputs:
    """The frame and the records of a sector campaign (five queries, whatever the number of members)."""
    version = FrameworkVersion.objects.select_related("framework").get(pk=sector_campaign.framework_version_id)
    document = version.content
    sector = _indicator_kinds(document)
    campaigns = {
        c.pk: c for c in Campaign.objects.filter(sector_campaign=sector_campaign).select_related("framework_version")
    }
    not_mapped: list[tuple[str, str, str]] = []
    routes = {
        v.pk: _routes(sector, v, not_mapped)
        for v in {c.framework_version_id: c.framework_version for c in campaigns.values()}.values()
    }
    versions_of = {pk: c.framework_version_id for pk, c in campaigns.items()}
    field_id = version.framework.field_id
    frame_rows = Establishment.objects.filter(network=sector_campaign.network_id)
    if field_id is not None:
        frame_rows = frame_rows.filter(field_id=field_id)
    frame_rows = frame_rows.select_related("type").order_by("finess")
    key_of: dict[int, str] = {}
    establishments = list(frame_rows)
    for establishment in establishments:
        key_of[establishment.pk] = str(establishment.public_id)

    rows = (
        facts_of_sector_campaign(sector_campaign.pk)
        .filter(breakdown=TOTAL, value=TOTAL)
        .values_list("campaign_id", "framework_version_id", "indicator", "establishment_id", "organisation_id",
                     "wave", "stats")
    )  # fmt: skip
    direct, mapped_from, organisation_of = _collect(rows, versions_of, routes, key_of)
    participating = set(organisation_of)
    frame = [
        FrameEstablishment(
            key=key_of[e.pk],
            type=e.type.code,
            region=e.region,
            people=e.people_supported or 0,
            participating=key_of[e.pk] in participating,
        )
        for e in establishments
    ]
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=set(organisation_of.values()))}
    return SectorInputs(
        sector_campaign=sector_campaign,
        version=version,
        document=document,
        frame=frame,
        records=direct,
        organisation_of=organisation_of,
        organisations=organisations,
        mapped_from=mapped_from,
        not_mapped=not_mapped,
    )
