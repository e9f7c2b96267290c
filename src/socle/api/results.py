"""The organisation's results through the API (scope `results:read`): the figures of the results pages and exports,
as JSON — for each indicator over answers of a campaign, the organisation's estimate, each establishment's and each
breakdown value's, hidden exactly as on the pages (a hidden group keeps its status and n, never its value).
Read from facts only; a token reads its own organisation's campaigns."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from socle.api.models import Scope
from socle.api.schemas import ErrorOut
from socle.api.submissions import require_scope, token_auth
from socle.collection.access import campaigns_of
from socle.measurement.exports import results_rows
from socle.network.access import establishments_of

router = Router(auth=token_auth, tags=["results"])


class ResultsIn(Schema):
    campaign: UUID = Field(description="The campaign's id.")


class GroupOut(Schema):
    level: str = Field(description="organisation, establishment, or a breakdown: type, region, sex, age_band, mode…")
    group: str = Field(
        description="The establishment or the breakdown value, as the pages name it; empty for the organisation."
    )
    value: float | None = Field(description="In the indicator's unit; null when hidden or not computable.")
    ci_low: float | None = None
    ci_high: float | None = None
    n: int = Field(description="People in the denominator (pairs for an evolution).")
    dont_know_share: float | None = None
    effective_n: float | None = None
    design_effect: float | None = None
    reliability: Literal["", "E", "F"] = Field(description="Statistics Canada's flag: E with caution, F unreliable.")
    fragile: bool = Field(description="Fewer than 30 people.")
    status: Literal["ok", "masked"] = Field(description="masked: fewer than 5 people, or hidden with such a group.")


class IndicatorOut(Schema):
    code: str
    label: str
    unit: str
    kind: str
    groups: list[GroupOut]


class ResultsOut(Schema):
    campaign: UUID
    name: str
    wave: str
    framework: str
    framework_version: int
    indicators: list[IndicatorOut]


@router.get("/results", response={200: ResultsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def get_results(request: HttpRequest, params: Query[ResultsIn]) -> Any:
    """A campaign's results: every indicator over answers measured at its wave, for the organisation, each
    establishment and each breakdown value, with n, the 95 % interval and reliability flags."""
    token = require_scope(request, Scope.RESULTS_READ)
    campaigns = list(campaigns_of(token.organisation_id).select_related("framework_version__framework"))
    campaign = next((c for c in campaigns if c.public_id == params.campaign), None)
    if campaign is None:
        raise HttpError(404, "No campaign of your organisation has this id.")
    organisation = token.organisation
    establishments = list(establishments_of(organisation).select_related("type"))
    indicators: dict[str, dict[str, Any]] = {}
    for info, level, group, estimate in results_rows(token.organisation_id, campaign, campaigns, establishments):
        entry = indicators.setdefault(
            info.code, {"code": info.code, "label": info.label, "unit": info.unit, "kind": info.kind, "groups": []}
        )
        interval = estimate.interval
        entry["groups"].append(
            {
                "level": level,
                "group": group,
                "value": estimate.value,
                "ci_low": interval.low if interval else None,
                "ci_high": interval.high if interval else None,
                "n": estimate.n,
                "dont_know_share": estimate.dont_know_share,
                "effective_n": estimate.effective_n,
                "design_effect": estimate.design_effect,
                "reliability": estimate.flag,
                "fragile": estimate.fragile,
                "status": "masked" if estimate.masked else "ok",
            }
        )
    version = campaign.framework_version
    return {
        "campaign": campaign.public_id,
        "name": campaign.name,
        "wave": campaign.wave,
        "framework": version.framework.slug,
        "framework_version": version.number,
        "indicators": list(indicators.values()),
    }
