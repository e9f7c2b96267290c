from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.accounts.models import User
from socle.imports.actions import FileProblem, Target, import_file, resolve_target
from socle.lib.imports.files import write_csv
from socle.lib.imports.mapping import ESTABLISHMENT, FOLLOWUP_CODE, QUOTE_CONSENT, ROW_ID
from socle.network.actions import ActionError

ROLE_NAMES = {
    ROW_ID: "row id",
    ESTABLISHMENT: "establishment",
    FOLLOWUP_CODE: "follow-up code",
    QUOTE_CONSENT: "quote consent",
}


class Command(BaseCommand):
    help = (
        "Imports a file of answers (CSV or Excel .xlsx, one row per filled questionnaire) into a campaign. Every "
        "row is checked first: if any is wrong, every error is listed (row, column, value, reason) and nothing is "
        "imported. With a row id column, importing the same file again stores nothing new. See docs/imports.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the file of answers, .csv or .xlsx")
        parser.add_argument(
            "--campaign",
            required=True,
            metavar="CODE",
            help="a collection link's code (one establishment and questionnaire), or a campaign's id (then a "
            "column gives each row's establishment: FINESS number or name)",
        )
        parser.add_argument("--questionnaire", metavar="Q", help="the questionnaire, when the campaign has several")
        parser.add_argument(
            "--row-id", metavar="COLUMN", help="the column that identifies each row: re-importing is then safe"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=QUESTION",
            help="give a column to a question (or to row_id, establishment, followup_code, quote_consent, ignore); "
            "repeat for several columns",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row and say what would happen")
        parser.add_argument("--user", metavar="EMAIL", help="the account the answers are entered by (audit)")
        parser.add_argument(
            "--codes", metavar="FILE", help="at entry, write the follow-up code of each row to this CSV file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror or error}.") from None
        user = None
        if options["user"]:
            user = User.objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(f"No account has the e-mail address {options['user']!r}.")
        explicit: list[tuple[str, str]] = []
        for item in options["map"]:
            column, sep, question = item.rpartition("=")
            if not sep or not column:
                raise CommandError(f"--map {item!r}: write COLUMN=QUESTION, for example --map 'Sexe=sexe'.")
            explicit.append((column, question))
        if options["row_id"]:
            explicit.append((options["row_id"], ROW_ID))
        try:
            target = resolve_target(options["campaign"], options["questionnaire"])
        except ActionError as error:
            raise CommandError(str(error)) from None
        self._describe_target(target)
        try:
            outcome = import_file(
                target=target,
                file_name=path.name,
                content=content,
                acting_user=user,
                explicit=explicit,
                dry_run=options["dry_run"],
            )
        except FileProblem as error:
            raise CommandError(f"{path}: {error}.") from None

        out = self.stdout
        plan = outcome.plan
        out.write(f"{path.name}: {outcome.rows} rows.")
        for note in outcome.notes:
            out.write(self.style.WARNING(f"Note: {note.message}."))
        out.write("Columns:")
        for title, target_name in zip(plan.header, plan.targets, strict=True):
            shown = ROLE_NAMES.get(target_name, target_name) if target_name else "(ignored)"
            out.write(f"  {title} -> {shown}")
        unmapped = [q.name for q in plan.unmapped(target.questions())]
        if unmapped:
            out.write(f"Questions without a column (left unanswered): {', '.join(unmapped)}")
        if not outcome.has_row_id:
            out.write(
                self.style.WARNING(
                    "No row id column: importing this file again would add its rows again. "
                    "Use --row-id COLUMN to make re-imports safe."
                )
            )

        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(
                    f"row {error.row}, column {error.column or '-'}, value '{error.value}': {error.reason}"
                )
            if outcome.error_count > len(outcome.errors):
                self.stderr.write(f"… and {outcome.error_count - len(outcome.errors)} more errors.")
            count = outcome.error_count
            raise CommandError(f"Nothing was imported: {count} error{'s' if count != 1 else ''}.")

        counts = f"{outcome.imported} new, {outcome.skipped} already imported (unchanged)"
        if outcome.dry_run:
            out.write(
                f"All {outcome.rows} rows are valid. Dry run: nothing was written. Importing would give {counts}."
            )
            return
        out.write(self.style.SUCCESS(f"Imported: {counts}."))
        if outcome.codes:
            if options["codes"]:
                rows = [("row", "row_id", "followup_code"), *outcome.codes]
                Path(options["codes"]).write_bytes(write_csv(rows))
                out.write(f"Follow-up codes to hand out: {options['codes']}")
            else:
                out.write(
                    self.style.WARNING(
                        "Each row got a follow-up code to hand out, not saved: use --codes FILE to write them."
                    )
                )

    def _describe_target(self, target: Target) -> None:
        campaign = target.campaign
        where = (
            f"establishment {target.link.establishment.name} ({target.link.establishment.finess})"
            if target.link
            else f"{len(target.links)} establishments, named by the file's establishment column"
        )
        self.stdout.write(
            f"Campaign {campaign.name} ({campaign.organisation.name}, {campaign.get_wave_display()}), "
            f"questionnaire {target.questionnaire_code}, {where}."
        )
