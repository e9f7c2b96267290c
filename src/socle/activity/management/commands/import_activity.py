from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from socle.accounts.models import User, normalise_email
from socle.activity.access import ActivityAccess, activity_frameworks
from socle.activity.actions import import_reports
from socle.activity.messages import row_message
from socle.lib.activity.imports import ImportFileError
from socle.lib.frame import SUPPORTED_EXTENSIONS
from socle.network.actions import ActionError
from socle.network.models import Membership, Organisation


class Command(BaseCommand):
    help = (
        "Imports an organisation's activity data (one row per establishment and period) from a CSV or Excel "
        "(.xlsx) file, exactly as the import page does. Every row is checked first: if any is wrong, every error "
        "is listed and nothing is imported. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the file, .csv or .xlsx")
        parser.add_argument("--organisation", required=True, metavar="SLUG", help="the organisation's slug")
        parser.add_argument(
            "--framework",
            metavar="SLUG",
            help="the organisation's framework (needed only when the organisation has several)",
        )
        parser.add_argument(
            "--comment", default="", help="why, when the file corrects values already saved (kept in the history)"
        )
        parser.add_argument(
            "--user", metavar="EMAIL", help="the account recorded as having entered the data (an admin or staff)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and say what would change; write nothing"
        )
        parser.add_argument("--language", default="en", choices=["fr", "en"], help="language of the messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug {options['organisation']!r}.")
        frameworks = activity_frameworks(organisation)
        if not frameworks:
            raise CommandError(f"{organisation.slug} has no published framework: activity data needs one.")
        slugs = [framework.slug for framework, _version in frameworks]
        if options["framework"]:
            chosen = [fv for fv in frameworks if fv[0].slug == options["framework"]]
            if not chosen:
                raise CommandError(
                    f"{options['framework']!r} is not a framework of {organisation.slug}: {', '.join(slugs)}."
                )
            framework, version = chosen[0]
        elif len(frameworks) > 1:
            raise CommandError(
                f"{organisation.slug} has several frameworks: choose one with --framework ({', '.join(slugs)})."
            )
        else:
            framework, version = frameworks[0]
        user = None
        if options["user"]:
            user = User.objects.filter(email=normalise_email(options["user"])).first()
            membership = Membership.objects.filter(user=user, organisation=organisation).first() if user else None
            if membership is None or not ActivityAccess(organisation, membership.role).can_write:
                raise CommandError(f"{options['user']} is not an admin or staff member of {organisation.slug}.")
        path = Path(options["file"])
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise CommandError(f"{path}: unsupported file type {path.suffix or '(no extension)'!r}: use .csv or .xlsx.")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror or error}.") from None
        try:
            outcome = import_reports(
                organisation=organisation,
                version=version,
                filename=path.name,
                content=content,
                acting_user=user,
                comment=options["comment"],
                dry_run=options["dry_run"],
            )
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}.") from None
        except ActionError as error:
            raise CommandError(str(error)) from None

        if outcome.errors:
            for error in outcome.errors:
                self.stderr.write(
                    f"row {error.row}, column {error.column or '-'}, value '{error.value}': {row_message(error)}"
                )
            count = len(outcome.errors)
            raise CommandError(f"Nothing was imported: {count} error{'s' if count != 1 else ''}.")
        if outcome.comment_required:
            raise CommandError(
                f"Nothing was imported: the file corrects {outcome.corrected} reports already saved; "
                "say why with --comment."
            )
        counts = (
            f"{outcome.created} reports entered, {outcome.corrected} corrected, {outcome.unchanged} unchanged, "
            f"{len(outcome.skipped_rows)} rows without values skipped."
        )
        if outcome.dry_run:
            self.stdout.write(f"{path.name}: {outcome.data_rows} rows, all valid. Dry run, nothing was written.")
            self.stdout.write(f"Importing it would give: {counts}")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path.name} imported into {organisation.slug} ({framework.slug} v{version.number})."
                )
            )
            self.stdout.write(counts)
