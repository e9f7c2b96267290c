"""Reads for the sector pages: a few queries per page, never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import Http404

from socle.frameworks.models import text_in
from socle.lib.measurement import cluster
from socle.lib.measurement.estimate import Estimate
from socle.measurement.contributions import version_indicators
from socle.network.models import Network, Organisation
from socle.sector.access import publications_of
from socle.sector.inputs import organisation_records
from socle.sector.models import Consolidation, Publication
from socle.sector.presentation import wave_labels

__all__ = [
    "Benchmark",
    "OwnResults",
    "consolidations_by_campaign",
    "latest_publications",
    "member_benchmarks",
    "own_results",
    "participant_names",
    "publications_by_campaign",
]


def consolidations_by_campaign(consolidations: Iterable[Consolidation]) -> dict[int, list[Consolidation]]:
    out: dict[int, list[Consolidation]] = defaultdict(list)
    for found in consolidations:
        out[found.sector_campaign_id].append(found)
    return dict(out)


def publications_by_campaign(publications: Iterable[Publication]) -> dict[int, list[Publication]]:
    out: dict[int, list[Publication]] = defaultdict(list)
    for found in publications:
        out[found.sector_campaign_id].append(found)
    return dict(out)


def participant_names(consolidation: Consolidation) -> list[tuple[int, str]]:
    ids = consolidation.results.get("participants", {}).get("organisation_ids", [])
    return list(Organisation.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))


def latest_publications(network_slug: str) -> tuple[Network, list[Publication]]:
    """The network and the latest published version of each of its sector campaigns; 404 for an unknown network
    or one that has published nothing."""
    network = Network.objects.filter(slug=network_slug).first()
    if network is None:
        raise Http404
    latest: dict[int, Publication] = {}
    for publication in publications_of(network).select_related("sector_campaign").order_by("-version"):
        latest.setdefault(publication.sector_campaign_id, publication)
    if not latest:
        raise Http404
    return network, sorted(latest.values(), key=lambda p: p.sector_campaign.starts_on, reverse=True)


@dataclass(frozen=True)
class Benchmark:
    code: str
    label: str
    unit: str
    wave: str
    wave_label: str
    own: float | None
    own_n: int
    q1: float
    median: float
    q3: float
    organisations: int

    @property
    def position(self) -> str:
        """``below``, ``middle`` or ``above`` the sector's middle half; ``""`` without an own value."""
        if self.own is None:
            return ""
        if self.own < self.q1:
            return "below"
        if self.own > self.q3:
            return "above"
        return "middle"


@dataclass(frozen=True)
class OwnResults:
    """An organisation's own estimates in a sector campaign, per (sector indicator, wave), from its own facts (routed
    as for the consolidation), and the establishments behind them: read once per page."""

    estimates: dict[tuple[str, str], Estimate]
    establishment_ids: frozenset[int]


def own_results(organisation_id: int, consolidation: Consolidation) -> OwnResults:
    sector_campaign = consolidation.sector_campaign
    records = organisation_records(organisation_id, sector_campaign)
    version = sector_campaign.framework_version
    compiled = version_indicators(version.pk, version.content_sha256).by_code
    estimates: dict[tuple[str, str], Estimate] = {}
    establishments: set[int] = set()
    for (code, wave), cell in records.items():
        indicator = compiled.get(code)
        if indicator is None or not cell:
            continue
        establishments |= {int(key) for key in cell}
        estimates[(code, wave)] = cluster.consolidate_indicator(indicator, cluster.cluster_sums(cell.values()))
    return OwnResults(estimates, frozenset(establishments))


def member_benchmarks(consolidation: Consolidation, own: OwnResults) -> list[Benchmark]:
    """The organisation's own value beside the quartiles of the participating organisations' values, for every
    indicator and wave the rules allow (``compute.BENCHMARK_MIN_ORGANISATIONS``)."""
    results: dict[str, Any] = consolidation.results
    quartiles = results.get("benchmarks", {})
    if not any(quartiles.values()):
        return []
    out: list[Benchmark] = []
    for data in results.get("indicators", []):
        code = str(data["code"])
        for wave_data in data.get("waves", []):
            wave = str(wave_data["wave"])
            found = quartiles.get(f"{code}/{wave}")
            if not found:
                continue
            estimate = own.estimates.get((code, wave))
            out.append(
                Benchmark(
                    code=code,
                    label=text_in(data.get("label")),
                    unit=str(data.get("unit", "")),
                    wave=wave,
                    wave_label=str(wave_labels().get(wave, wave)),
                    own=estimate.value if estimate is not None and not estimate.masked else None,
                    own_n=estimate.n if estimate is not None else 0,
                    q1=found["q1"],
                    median=found["median"],
                    q3=found["q3"],
                    organisations=found["organisations"],
                )
            )
    return out


def proportion_indicators(network: Network) -> list[tuple[str, str]]:
    """(code, label) of the proportions of the network's sector frameworks (latest published version of each), the
    indicators whose outcomes can be valued with a unit cost."""
    from socle.frameworks.models import FrameworkVersion

    found: dict[str, str] = {}
    versions = FrameworkVersion.objects.filter(
        framework__network=network, framework__organisation__isnull=True, status=FrameworkVersion.Status.PUBLISHED
    ).order_by("framework_id", "number")
    for version in versions:
        for indicator in version.content.get("indicators", []) or []:
            if indicator.get("kind") == "proportion" and indicator.get("source", "answers") == "answers":
                found[str(indicator["code"])] = text_in(indicator.get("label"))
    return sorted(found.items(), key=lambda item: item[1])
