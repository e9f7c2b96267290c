from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.lib.frame import SUPPORTED_EXTENSIONS
from socle.network.frame_import import FrameFileError, import_frame_file
from socle.network.models import Network


class Command(BaseCommand):
    help = (
        "Imports a network's frame (every establishment of its fields, participating or not) from a CSV or "
        "Excel (.xlsx) file. Every row is checked first: if any is wrong, every error is listed and nothing "
        "is imported. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the frame file, .csv or .xlsx")
        parser.add_argument("--network", required=True, metavar="SLUG", help="the network's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and say what would change; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            slugs = list(Network.objects.order_by("slug").values_list("slug", flat=True)[:21])
            known = ", ".join(slugs[:20]) + (", …" if len(slugs) > 20 else "") if slugs else "none yet"
            raise CommandError(f"No network has the slug {options['network']!r} (networks: {known}).")
        path = Path(options["file"])
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise CommandError(f"{path}: unsupported file type {path.suffix or '(no extension)'!r}: use .csv or .xlsx.")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror or error}.") from None
        try:
            outcome = import_frame_file(
                network=network,
                filename=path.name,
                content=content,
                acting_user=None,
                dry_run=options["dry_run"],
            )
        except FrameFileError as error:
            raise CommandError(f"{path}: {error}.") from None

        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"row {error.row}, column {error.column}, value '{error.value}': {error.reason}")
            count = len(outcome.errors)
            raise CommandError(f"Nothing was imported: {count} error{'s' if count != 1 else ''}.")

        result = outcome.result
        assert result is not None
        r = result
        counts = (
            f"establishments: {r.establishments_created} created, {r.establishments_updated} updated, "
            f"{r.establishments_unchanged} unchanged; "
            f"organisations: {r.organisations_created} created, {r.organisations_updated} updated."
        )
        if outcome.dry_run:
            self.stdout.write(f"{path.name}: {outcome.rows} rows, all valid. Dry run, nothing was written.")
            self.stdout.write(f"Importing it would give {counts}")
        else:
            self.stdout.write(self.style.SUCCESS(f"{path.name} imported into {network.slug}: {outcome.rows} rows."))
            self.stdout.write(counts[0].upper() + counts[1:])
