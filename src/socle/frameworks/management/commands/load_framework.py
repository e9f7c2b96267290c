from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.frameworks.actions import ActionError, DocumentRejected, load_framework_text
from socle.network.models import Network


class Command(BaseCommand):
    help = (
        "Loads one framework version from a YAML or JSON file (docs/framework-format.md). The file is checked "
        "first; every problem is listed with its line and path, and nothing is written. A published version is "
        "never changed: loading it again with the same content does nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the framework file, .yaml, .yml or .json")
        parser.add_argument(
            "--network", metavar="SLUG", help="the network of a sector framework (if there are several)"
        )
        parser.add_argument("--publish", action="store_true", help="publish the version once loaded")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if path.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise CommandError(
                f"{path}: unsupported file type {path.suffix or '(no extension)'!r}: use .yaml or .json."
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path} cannot be read: {error}.") from None
        network = None
        if options["network"]:
            network = Network.objects.filter(slug=options["network"]).first()
            if network is None:
                raise CommandError(f"No network has the slug {options['network']!r}.")
        try:
            result = load_framework_text(text, filename=str(path), network=network, publish=options["publish"])
        except DocumentRejected as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            count = len(error.problems)
            raise CommandError(f"Nothing was loaded: {count} problem{'s' if count != 1 else ''}.") from None
        except ActionError as error:
            raise CommandError(str(error)) from None
        version = result.version
        if result.unchanged:
            self.stdout.write(f"{version} is already published with this content: nothing to do.")
        else:
            state = "published" if version.is_published else "saved as a draft"
            self.stdout.write(self.style.SUCCESS(f"{path.name}: {version} {state}."))
