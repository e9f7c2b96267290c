from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from socle.benchmarks.runner import run


class Command(BaseCommand):
    help = "Measures Socle's speed targets on a throw-away database of the configured engine (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
        parser.add_argument("--quick", action="store_true", help="small sizes, to check that the benchmarks run")
        parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = run(quick=options["quick"])
        self.stdout.write(f"Database: {connection.vendor}{' (quick run)' if options['quick'] else ''}")
        width = max(len(row.name) for row in rows)
        self.stdout.write(f"{'benchmark':<{width}}  {'value':>10}  {'unit':<8}  {'target':<20}  ok")
        for row in rows:
            ok = "" if row.ok is None else ("yes" if row.ok else "NO")
            self.stdout.write(f"{row.name:<{width}}  {row.value:>10.3f}  {row.unit:<8}  {row.target:<20}  {ok}")
        if options["json"]:
            Path(options["json"]).write_text(
                json.dumps({"database": connection.vendor, "rows": [r.as_dict() for r in rows]}, indent=2)
            )
        if options["strict"] and any(row.ok is False for row in rows):
            raise CommandError("a target was missed")
