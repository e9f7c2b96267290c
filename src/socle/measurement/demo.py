"""The demo's results: a past year of Horizon Solidaire — an entry campaign and its follow-up campaign, answered by
invented people of ``socle.collection.synthetic`` (plausible correlations, "don't know", follow-up codes that
pair) — so that the dashboard has a trend, entry → follow-up changes and intervals worth reading."""

from __future__ import annotations

from django.utils import timezone

from socle.collection.actions import open_campaign
from socle.collection.models import Campaign
from socle.collection.synthetic import populate
from socle.frameworks.models import FrameworkVersion
from socle.lib.collection.synthetic import default_periods
from socle.network.access import establishments_of
from socle.network.models import Network, Organisation

PEOPLE_PER_ESTABLISHMENT = 45
SEED = 2025
NAMES = {"entry": "Entrées {year} (démo)", "follow_up": "Suivis {year} (démo)"}


def load_demo_results(network: Network) -> dict[str, Campaign]:
    """Last year's entry and follow-up campaigns of Horizon Solidaire with their answers (once; running the demo
    again adds nothing)."""
    horizon = Organisation.objects.get(network=network, slug="horizon-solidaire")
    version = FrameworkVersion.objects.get(framework__slug="horizon-solidaire-lcep", number=1)
    year = timezone.localdate().year - 1
    establishments = list(establishments_of(horizon).select_related("type").order_by("finess"))
    periods = default_periods(year)  # the dates the invented people answer within
    campaigns: dict[str, Campaign] = {}
    for wave, name in NAMES.items():
        label = name.format(year=year)
        found = Campaign.objects.filter(organisation=horizon, name=label, wave=wave).first()
        if found is None:
            starts_on, ends_on = periods[wave]
            found = open_campaign(
                horizon,
                version,
                name=label,
                wave=wave,
                starts_on=starts_on,
                ends_on=ends_on,
                establishments=establishments,
                acting_user=None,
            )
        campaigns[wave] = found
    populate(
        horizon,
        version,
        campaigns,
        establishments,
        people_per_establishment=PEOPLE_PER_ESTABLISHMENT,
        seed=SEED,
        year=year,
    )
    return campaigns
