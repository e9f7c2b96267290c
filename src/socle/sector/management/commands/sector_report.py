from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string
from django.utils import translation

from socle.collection.models import SectorCampaign
from socle.network.models import Network
from socle.sector import report
from socle.sector.access import publications_of


class Command(BaseCommand):
    help = (
        "Writes the advocacy report of a sector campaign's published figures (the latest version unless --version) "
        "as a PDF or an HTML page, for the whole sector or one région (--region). Only published figures are read: "
        "never a consolidation in draft or review. See docs/sector.md."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version is the publication's version here, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--network", required=True, metavar="SLUG", help="the network's slug")
        parser.add_argument("--campaign", required=True, metavar="CODE", help="the sector campaign's code")
        parser.add_argument("--format", choices=("pdf", "html"), default="pdf", help="pdf (default) or html")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
        parser.add_argument("--region", default="", metavar="CODE", help="a région's code (INSEE), e.g. 84")
        parser.add_argument("--version", dest="publication_version", type=int, metavar="N",
                            help="the published version (default: the latest)")  # fmt: skip
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, choices=[code for code, _name in settings.LANGUAGES]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(f"No network has the slug {options['network']!r}.")
        code = options["campaign"]
        if not SectorCampaign.objects.filter(network=network, code=code).exists():
            raise CommandError(f"The network {network.slug} has no sector campaign with the code {code!r}.")
        publications = publications_of(network).filter(sector_campaign__code=code)
        wanted = options["publication_version"]
        if wanted is not None:
            publications = publications.filter(version=wanted)
        publication = (
            publications.select_related("network", "sector_campaign__framework_version__framework")
            .order_by("-version")
            .first()
        )
        if publication is None:
            if wanted is not None:
                raise CommandError(f"The sector campaign {code} has no published version {wanted}.")
            raise CommandError(f"Nothing of the sector campaign {code} is published yet: publish its figures first.")
        region = options["region"].strip()
        with translation.override(options["language"]):
            try:
                context = report.report_context(publication, region=region)
            except report.UnknownRegion as error:
                known = ", ".join(c for c, _name in report.regions_of(publication.figures))
                raise CommandError(f"{error} Régions covered: {known}.") from None
            if options["format"] == "pdf":
                content = report.render_pdf(context, base_url=f"{settings.BASE_URL}/")
            else:
                content = render_to_string("sector/report.html", context).encode()
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from None
        where = f", région {region}" if region else ""
        self.stdout.write(
            f"Wrote {path} ({len(content)} bytes): {options['format']} report of {network.slug}/{code}, "
            f"published version {publication.version}{where}."
        )
