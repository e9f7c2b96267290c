from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.frameworks.document import dump_json, dump_yaml


class Command(BaseCommand):
    help = (
        "Writes one framework version as YAML (or JSON) in its canonical form: loading the file and exporting "
        "it again gives the same bytes. Without --version, the latest published version (or the draft if there "
        "is none)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # The issue asks for `--version V`; Django already has a `--version` (its own version): ours wins.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the framework's code")
        parser.add_argument("--version", type=int, dest="number", metavar="V", help="the version number")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (.yaml or .json) instead of stdout")
        parser.add_argument(
            "--format", choices=["yaml", "json"], help="default: from the output's extension, else yaml"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        framework = Framework.objects.filter(slug=options["slug"]).first()
        if framework is None:
            known = ", ".join(Framework.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none yet"
            raise CommandError(f"No framework has the code {options['slug']!r} (frameworks: {known}).")
        versions = FrameworkVersion.objects.filter(framework=framework)
        if options["number"] is not None:
            version = versions.filter(number=options["number"]).first()
            if version is None:
                numbers = ", ".join(str(n) for n in versions.values_list("number", flat=True)) or "none"
                raise CommandError(f"{framework.slug} has no version {options['number']} (versions: {numbers}).")
        else:
            version = versions.filter(status="published").order_by("-number").first() or versions.first()
            if version is None:
                raise CommandError(f"{framework.slug} has no version yet.")
        output = Path(options["output"]) if options["output"] else None
        fmt = options["format"] or ("json" if output and output.suffix.lower() == ".json" else "yaml")
        text = dump_json(version.content) if fmt == "json" else dump_yaml(version.content)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output} cannot be written: {error.strerror or error}.") from None
        self.stderr.write(f"{version} written to {output}.")
