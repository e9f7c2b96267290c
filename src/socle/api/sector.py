"""Published sector figures through the API: public, without a token or a session, since they are published.

The same content as the open data (``socle.sector.opendata``): the rows of ``indicators.csv``, ``coverage.csv``,
``definitions.csv`` and ``avoided_costs.csv`` and the package's Socle metadata, built by the same functions from a
publication only (never a consolidation in draft or in review). Counts are rounded to 5; a confidential cell (``x``)
has no value, interval nor count; an unreliable one (``F``) has its counts but no value; avoided costs are rounded
to the person and the euro."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from socle.api.schemas import ErrorOut
from socle.network.models import Network
from socle.sector import opendata
from socle.sector.access import publications_of

router = Router(auth=None, tags=["sector"])

MAX_INT = 2_147_483_647
SLUG = r"^[-a-zA-Z0-9_]+$"
NetworkSlug = Path(..., pattern=SLUG, max_length=80, description="The network's slug.")
Code = Path(..., pattern=SLUG, max_length=64, description="The sector campaign's code.")


class TextOut(Schema):
    fr: str
    en: str


class NetworkOut(Schema):
    slug: str
    name: str


class VersionOut(Schema):
    version: int = Field(description="Published versions are numbered 1, 2… per sector campaign and never change.")
    published_at: datetime


class PublishedCampaignOut(Schema):
    code: str = Field(description="The sector campaign's code, for /api/v1/sector/{network}/publications/{code}.")
    name: str
    starts_on: str
    ends_on: str
    latest_version: int
    versions: list[VersionOut]


class PublicationsOut(Schema):
    network: NetworkOut
    campaigns: list[PublishedCampaignOut]


class CampaignOut(Schema):
    code: str
    name: str
    starts_on: str
    ends_on: str


class FrameworkOut(Schema):
    slug: str
    number: int | None
    title_fr: str
    title_en: str


class ParticipantsOut(Schema):
    organisations: int
    establishments: int


class MethodOut(Schema):
    weighting: str = Field(description="poststratification or raking.")
    description: str
    clusters: str
    coverage_rules: dict[str, Any] = Field(description="The network's thresholds of coverage and weighting.")
    disclosure_rules: dict[str, Any] = Field(description="The thresholds of disclosure control (METHODS.md §4).")
    rounding: str


class IndicatorRowOut(Schema):
    code: str
    label_fr: str
    label_en: str
    wave: str
    group_kind: Literal["sector", "region", "type"]
    group_code: str = Field(description="* for the sector; the region's INSEE code; the type's code.")
    group_label: str = Field(description="In French.")
    group_label_en: str
    status: Literal["ok", "E", "F", "x", "-"]
    value: float | None = Field(description="null unless the status is ok or E.")
    low: float | None
    high: float | None
    n_rounded: int | None = Field(description="Respondents, rounded to 5; null for x and -.")
    establishments: int | None = Field(description="Establishments behind the figure, rounded to 5.")
    representative: bool
    unit: str


class CoverageRowOut(Schema):
    level: Literal["overall", "type", "region", "stratum"]
    type_code: str
    region_code: str
    label: str
    label_en: str
    establishments: int
    participating: int
    establishment_share: float | None
    people: int | None = Field(description="Rounded to 5.")
    people_covered: int | None = Field(description="Rounded to 5.")
    people_share: float | None
    unknown_size: int
    meets_rules: bool
    failed: str


class DefinitionOut(Schema):
    code: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    kind: str
    unit: str
    direction: str


class AvoidedCostRowOut(Schema):
    indicator: str
    wave: str
    baseline_wave: str = Field(description="When given, the outcomes are the change of the share since this wave.")
    description: str
    quantity: float | None = Field(description="Units of the cost avoided in a year per person counted.")
    unit_cost_code: str
    unit_cost_label_fr: str
    unit_cost_label_en: str
    unit_cost: float | None = Field(description="In euros of unit_cost_year.")
    cost_unit: str
    unit_cost_year: int | None
    source: str
    to_verify: bool
    outcomes_low: int | None = Field(description="People counted as outcomes, to the nearest person.")
    outcomes_central: int | None
    outcomes_high: int | None
    low: int | None = Field(description="Costs avoided in a year, in euros of price_year.")
    central: int | None
    high: int | None
    price_year: int | None
    comparison_group: bool
    label: str = Field(description="illustratif without a comparison group.")


class CostRangeOut(Schema):
    low: int | None
    central: int | None
    high: int | None


class MappingScenariosOut(Schema):
    indicator: str
    wave: str
    unit_cost_code: str
    scenarios: dict[str, Any] = Field(
        description="low, central and high: deadweight, attribution, displacement, drop_off, discount_rate, years."
    )


class AvoidedCostsOut(Schema):
    label: str = Field(description="illustratif unless every outcome has a comparison group.")
    price_year: int | None
    total: CostRangeOut
    description: str
    scenarios: list[MappingScenariosOut]
    rows: list[AvoidedCostRowOut] = Field(description="The rows of the open data's avoided_costs.csv.")


class FiguresOut(Schema):
    network: NetworkOut
    sector_campaign: CampaignOut
    framework: FrameworkOut
    version: int
    published_at: str = Field(description="ISO 8601, UTC.")
    versions: list[VersionOut]
    representative: bool
    representative_label: TextOut
    participants: ParticipantsOut
    named_organisations: list[str] = Field(description="Participating organisations that agreed to be named.")
    method: MethodOut
    statuses: dict[str, TextOut] = Field(description="What each status means.")
    license: dict[str, str]
    definitions: list[DefinitionOut]
    indicators: list[IndicatorRowOut]
    coverage: list[CoverageRowOut]
    avoided_costs: AvoidedCostsOut | None = Field(
        description="Public costs avoided for the whole sector (null when the network values no outcome)."
    )


def _network(slug: str) -> Network:
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise HttpError(404, "No network has this slug.")
    return network


@router.get("/sector/{network}/publications", response={200: PublicationsOut, 404: ErrorOut}, auth=None)
def list_sector_publications(request: HttpRequest, network: str = NetworkSlug) -> Any:
    """The network's sector campaigns with published figures, and their versions (public)."""
    found = _network(network)
    campaigns: dict[int, dict[str, Any]] = {}
    publications = (
        publications_of(found)
        .select_related("sector_campaign")
        .order_by("-sector_campaign__starts_on", "sector_campaign__code", "-version")
    )
    for publication in publications:
        campaign = publication.sector_campaign
        entry = campaigns.setdefault(
            campaign.pk,
            {
                "code": campaign.code,
                "name": campaign.name,
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat(),
                "latest_version": publication.version,
                "versions": [],
            },
        )
        entry["versions"].append({"version": publication.version, "published_at": publication.published_at})
    if not campaigns:
        raise HttpError(404, "This network has published no sector figures.")
    return {"network": {"slug": found.slug, "name": found.name}, "campaigns": list(campaigns.values())}


@router.get("/sector/{network}/publications/{code}", response={200: FiguresOut, 404: ErrorOut}, auth=None)
def get_sector_publication(
    request: HttpRequest,
    network: str = NetworkSlug,
    code: str = Code,
    version: int | None = Query(None, ge=1, le=MAX_INT, description="A published version (default: the latest)."),
) -> Any:
    """A sector campaign's published figures (its latest version unless `version`): the rows of the open data's
    indicators.csv, coverage.csv, definitions.csv and avoided_costs.csv, with its metadata (public)."""
    found = _network(network)
    publications = publications_of(found).filter(sector_campaign__code=code)
    versions = [
        {"version": number, "published_at": when}
        for number, when in publications.order_by("-version").values_list("version", "published_at")
    ]
    if not versions:
        raise HttpError(404, "Nothing of this sector campaign is published.")
    if version is not None:
        publications = publications.filter(version=version)
    publication = publications.select_related("network", "sector_campaign").order_by("-version").first()
    if publication is None:
        raise HttpError(404, "This sector campaign has no such published version.")
    source = opendata.source_of(publication, base_url=settings.BASE_URL)
    about = opendata.metadata(source)
    about.pop("schema", None)
    costs = about.pop("avoided_costs", None)
    if costs is not None:
        costs = {**costs, "rows": opendata.avoided_cost_rows(source.figures)}
    return {
        **about,
        "versions": versions,
        "license": opendata.LICENSE,
        "definitions": opendata.definition_rows(source.figures),
        "indicators": opendata.indicator_rows(source.figures, source.rules),
        "coverage": opendata.coverage_rows(source.figures, source.rules),
        "avoided_costs": costs,
    }
