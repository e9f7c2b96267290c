"""socle load_learning_paths --network SLUG: publishes the learning paths shipped with Socle in a network."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.learning.content import load_shipped_paths
from socle.network.actions import ActionError
from socle.network.models import Network


class Command(BaseCommand):
    help = "Publishes the learning paths shipped with Socle (the introduction and the full course) in a network."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--network", required=True, help="the network's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(f"no network {options['network']!r}")
        try:
            versions = load_shipped_paths(network)
        except ActionError as error:
            raise CommandError(str(error)) from None
        for version in versions:
            self.stdout.write(f"{version.path.code}: version {version.number}, published")
