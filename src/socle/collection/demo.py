"""The demo's collection: the network's sector campaign "LCEP 2026 (démo)", and Horizon Solidaire's entry
campaign on its framework, open for a year, that joins it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from socle.collection.actions import open_campaign, open_sector_campaign
from socle.collection.models import Campaign, SectorCampaign
from socle.frameworks.models import FrameworkVersion
from socle.network.access import establishments_of
from socle.network.models import Network, Organisation

DEMO_CAMPAIGN = "Entrées 2026 (démo)"
DEMO_SECTOR_CAMPAIGN = "LCEP 2026 (démo)"


def load_demo_sector_campaign(network: Network) -> SectorCampaign:
    """The network's sector campaign on the published LCEP version, open for a year around today."""
    existing = SectorCampaign.objects.filter(network=network, name=DEMO_SECTOR_CAMPAIGN).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    version = FrameworkVersion.objects.get(framework__slug="lcep", number=1)
    return open_sector_campaign(
        network,
        version,
        name=DEMO_SECTOR_CAMPAIGN,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=365),
        acting_user=None,
    )


def load_demo_campaign(network: Network) -> Campaign:
    """Opened once; running the demo again finds it (and moves its dates so that it stays open)."""
    horizon = Organisation.objects.get(network=network, slug="horizon-solidaire")
    today = timezone.localdate()
    existing = Campaign.objects.filter(organisation=horizon, name=DEMO_CAMPAIGN).first()
    if existing is not None:
        if not existing.starts_on <= today <= existing.ends_on:
            Campaign.objects.filter(pk=existing.pk).update(
                starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=335)
            )
            existing.refresh_from_db()
        return existing
    version = FrameworkVersion.objects.get(framework__slug="horizon-solidaire-lcep", number=1)
    sector_campaign = load_demo_sector_campaign(network)
    return open_campaign(
        horizon,
        version,
        name=DEMO_CAMPAIGN,
        wave="entry",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=335),
        establishments=establishments_of(horizon),
        acting_user=None,
        sector_campaign=sector_campaign,
    )
