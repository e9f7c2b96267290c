"""``socle export_opendata``: a sector campaign's published figures as open data (CSV files and a Frictionless Data
Package, ``socle.sector.opendata``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.collection.models import SectorCampaign
from socle.network.models import Network
from socle.sector import opendata
from socle.sector.access import publications_of


class Command(BaseCommand):
    help = (
        "Writes the published figures of a sector campaign as open data into a folder: indicators.csv, "
        "coverage.csv, definitions.csv and datapackage.json (Frictionless Data Package, Licence Ouverte 2.0). "
        "Only a publication is exported (its latest version unless --version), never a consolidation in draft or "
        "in review; counts are rounded to 5 and confidential cells are empty. Files of the same names are replaced."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version is the publication's version here, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--network", metavar="SLUG", required=True, help="the network's slug")
        parser.add_argument("--campaign", metavar="CODE", required=True, help="the sector campaign's code")
        parser.add_argument(
            "-o", "--output", metavar="DIR", required=True, help="the folder to write (made if missing)"
        )
        parser.add_argument("--version", dest="publication_version", metavar="N", type=int,
                            help="this published version (default: the latest)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        slug, code, number = options["network"], options["campaign"], options["publication_version"]
        network = Network.objects.filter(slug=slug).first()
        if network is None:
            raise CommandError(f"No network has the slug {slug!r}.")
        if not SectorCampaign.objects.filter(network=network, code=code).exists():
            raise CommandError(f"The network {slug!r} has no sector campaign with the code {code!r}.")
        publications = publications_of(network).filter(sector_campaign__code=code)
        if not publications.exists():
            raise CommandError(
                f"Nothing of the sector campaign {code!r} is published yet: open data is made from published "
                "figures only (publish a consolidation after the members' review)."
            )
        if number is not None:
            publications = publications.filter(version=number)
        publication = publications.select_related("network", "sector_campaign").order_by("-version").first()
        if publication is None:
            known = ", ".join(str(v) for v in publications_of(network).filter(sector_campaign__code=code)
                              .order_by("version").values_list("version", flat=True))  # fmt: skip
            raise CommandError(f"The sector campaign {code!r} has no published version {number}; published: {known}.")
        directory = Path(options["output"])
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a folder.")
        written = opendata.write(opendata.source_of(publication, base_url=settings.BASE_URL), directory)
        self.stdout.write(
            f"Wrote version {publication.version} of {code} ({network.name}) to {directory}: "
            f"{', '.join(p.name for p in written)}."
        )
