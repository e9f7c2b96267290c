from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.measurement.actions import rebuild
from socle.network.models import Organisation


class Command(BaseCommand):
    help = (
        "Recomputes every fact (the statistics of indicators per establishment, campaign, wave and breakdown) from "
        "the raw data: the latest version of each submission and the current activity reports. The facts are "
        "replaced in one transaction; running it again gives the same facts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", metavar="SLUG", action="append", help="only this organisation (repeatable)"
        )
        parser.add_argument("--chunk-size", type=int, default=2000, help="submissions read from the database at once")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["organisation"]
        ids = None
        if slugs:
            found = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            unknown = sorted(set(slugs) - set(found))
            if unknown:
                raise CommandError(f"No organisation has the slug {', '.join(unknown)}.")
            ids = [found[slug] for slug in slugs]
        outcome = rebuild(ids, chunk_size=options["chunk_size"])
        self.stdout.write(
            f"Rebuilt {outcome.facts} facts of {outcome.organisations} organisation(s) from {outcome.submissions} "
            f"submissions and {outcome.reports} activity reports in {outcome.seconds:.1f} s."
        )
