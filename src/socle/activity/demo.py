"""The demo's activity data: Horizon Solidaire's figures for 2025, one report per establishment, and one
correction (so that the history has something to show). Safe to run again: a report that exists is left alone."""

from __future__ import annotations

from dataclasses import dataclass

from socle.activity.access import activity_frameworks, current_reports
from socle.activity.actions import save_report
from socle.activity.models import ActivityReport
from socle.lib.activity.periods import Period
from socle.network.access import establishments_of
from socle.network.models import Establishment, Membership, Network, Organisation, Role

DEMO_YEAR = 2025
CORRECTION_COMMENT = (
    "Nuitées mal saisies (un chiffre oublié) : {right} d'après le rapport d'activité 2025, et non {wrong}."
)


@dataclass(frozen=True)
class _Profile:
    """Shares of the people supported in a year, by type of establishment."""

    entries: float
    exits: float
    # stable housing, temporary, institution, street or unknown (the rest of the exits are "other")
    destinations: tuple[float, float, float, float]
    occupancy: float  # nights per place and year, as a share of 365 (0 without accommodation)
    fte_per_employee: float


_PROFILES = {
    "chrs": _Profile(0.53, 0.51, (0.37, 0.29, 0.07, 0.12), 0.92, 0.93),
    "accueil-de-jour": _Profile(0.43, 0.40, (0.11, 0.22, 0.04, 0.55), 0.0, 0.9),
    "pension-de-famille": _Profile(0.19, 0.16, (0.6, 0.0, 0.2, 0.0), 0.96, 0.875),
    "maraude": _Profile(0.42, 0.39, (0.05, 0.40, 0.08, 0.37), 0.0, 0.97),
}


def figures(establishment: Establishment) -> dict[str, object]:
    """Plausible yearly figures for an establishment, from its size in the frame; they pass LCEP's checks."""
    profile = _PROFILES.get(establishment.type.code, _PROFILES["chrs"])
    people = establishment.people_supported or 100
    exits = round(people * profile.exits)
    by_destination = [round(exits * share) for share in profile.destinations]
    nights = round((establishment.places or 0) * 365 * profile.occupancy)
    fte = round((establishment.employees or 1) * profile.fte_per_employee, 1)
    return {
        "people_supported": people,
        "entries": round(people * profile.entries),
        "exits_total": exits,
        "exits_stable_housing": by_destination[0],
        "exits_temporary": by_destination[1],
        "exits_institution": by_destination[2],
        "exits_street_unknown": by_destination[3],
        "exits_other": max(exits - sum(by_destination), 0),
        "nights": nights,
        "staff_fte": str(fte),
    }


def _user_with(organisation: Organisation, role: str):  # type: ignore[no-untyped-def]
    membership = Membership.objects.filter(organisation=organisation, role=role).select_related("user").first()
    return membership.user if membership else None


def load_demo_activity(network: Network) -> list[ActivityReport]:
    """Horizon Solidaire's 2025 activity data (its framework's items), entered by its staff member; the CHRS's
    nights entered wrong first, then corrected by its admin. Returns the current reports of 2025."""
    horizon = Organisation.objects.get(network=network, slug="horizon-solidaire")
    frameworks = activity_frameworks(horizon)
    if not frameworks:
        return []
    framework, version = frameworks[0]
    codes = {item["code"] for item in version.effective_content().get("activity_items", [])}
    staff = _user_with(horizon, Role.ORG_STAFF)
    admin = _user_with(horizon, Role.ORG_ADMIN)
    period = Period("year", DEMO_YEAR)
    existing = set(
        current_reports(horizon.pk)
        .filter(framework=framework, period=period.code)
        .values_list("establishment_id", flat=True)
    )
    establishments = list(establishments_of(horizon).select_related("type").order_by("name"))
    corrected = next(
        (e for e in establishments if e.type.code == "chrs"), establishments[0] if establishments else None
    )
    for establishment in establishments:
        if establishment.pk in existing:
            continue
        values = {code: value for code, value in figures(establishment).items() if code in codes}
        if establishment == corrected and "nights" in values:
            right = int(str(values["nights"]))
            mistaken = {**values, "nights": right // 10}
            save_report(
                organisation=horizon,
                establishment=establishment,
                version=version,
                period=period,
                raw=mistaken,
                acting_user=staff,
            )
            save_report(
                organisation=horizon,
                establishment=establishment,
                version=version,
                period=period,
                raw=values,
                comment=CORRECTION_COMMENT.format(right=right, wrong=right // 10),
                acting_user=admin,
            )
        else:
            save_report(
                organisation=horizon,
                establishment=establishment,
                version=version,
                period=period,
                raw=values,
                acting_user=staff,
            )
    return list(current_reports(horizon.pk).filter(framework=framework, period=period.code))
