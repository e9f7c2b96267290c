from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.frameworks import actions
from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.frameworks import xlsform
from socle.network.models import Organisation


class Command(BaseCommand):
    help = (
        "Adds a questionnaire from an XLSForm file (.xlsx or .xls, as KoboToolbox and ODK make them) to the draft "
        "of a framework: an organisation's framework (--organisation) or any framework by its code (--framework). "
        "Rows Socle cannot keep yet (repeats, GPS, media…) are listed and nothing is written. With --dry-run the "
        "file is checked and summarised, and nothing is written either."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the XLSForm file, .xlsx or .xls")
        parser.add_argument("--organisation", metavar="SLUG", help="the organisation whose framework receives it")
        parser.add_argument("--framework", metavar="CODE", help="the framework that receives it (its code)")
        parser.add_argument("--code", help="the questionnaire's code (default: the form's id)")
        parser.add_argument("--language", default=None, help="language of untranslated label columns (default: fr)")
        parser.add_argument("--dry-run", action="store_true", help="check and summarise; write nothing")

    def _framework(self, options: dict[str, Any]) -> Framework:
        if options["framework"]:
            framework = Framework.objects.filter(slug=options["framework"]).first()
            if framework is None:
                raise CommandError(f"No framework has the code {options['framework']!r}.")
            return framework
        if not options["organisation"]:
            raise CommandError("Say where the questionnaire goes: --organisation SLUG or --framework CODE.")
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug {options['organisation']!r}.")
        frameworks = list(Framework.objects.filter(organisation=organisation))
        if not frameworks:
            raise CommandError(f"{organisation.slug} has not adopted a framework yet.")
        if len(frameworks) > 1:
            codes = ", ".join(f.slug for f in frameworks)
            raise CommandError(f"{organisation.slug} has several frameworks ({codes}): choose one with --framework.")
        return frameworks[0]

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        framework = self._framework(options)
        draft = (
            FrameworkVersion.objects.filter(framework=framework, status="draft").select_related("base_version").first()
        )
        if draft is None:
            raise CommandError(
                f"{framework.slug} has no draft: start one first (the framework's page, or the API), then import."
            )
        language = options["language"] or (draft.content.get("languages") or ["fr"])[0]
        try:
            imported = xlsform.read_xlsform(path, default_language=language, code=options["code"])
        except (xlsform.XLSFormError, ValueError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(imported.summary())  # with the notes and the rows refused
        outcome = actions.import_questionnaire(draft, imported, acting_user=None, dry_run=options["dry_run"])
        for renamed, to in sorted(outcome.renames.items()):
            self.stdout.write(f"the choice list {renamed!r} becomes {to!r}: another list already has that name")
        if outcome.refusal:
            raise CommandError(outcome.refusal)
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Nothing was imported: {len(outcome.problems)} problem(s) with the draft.")
        if options["dry_run"]:
            self.stdout.write(
                f"{path.name} can be imported into {draft} as {outcome.code!r}. Dry run: nothing written."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{path.name} imported into {draft} as {outcome.code!r}."))
