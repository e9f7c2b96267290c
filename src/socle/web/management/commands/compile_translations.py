from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def compile_catalogue(po_path: Path) -> bytes:
    """The .mo bytes of a .po file, compiled with Babel (no system gettext needed)."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalogue = read_po(handle, abort_invalid=True)
    buffer = BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    return buffer.getvalue()


def catalogues() -> list[Path]:
    return sorted(path for base in settings.LOCALE_PATHS for path in Path(base).glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compiles the .po translation catalogues into .mo files with Babel (no system gettext needed)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="fail if a committed .mo is out of date")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import babel  # noqa: F401
        except ImportError:
            raise CommandError("Babel is needed: pip install -e '.[dev]'") from None
        stale = []
        for po_path in catalogues():
            mo_path = po_path.with_suffix(".mo")
            compiled = compile_catalogue(po_path)
            if options["check"]:
                if not mo_path.exists() or mo_path.read_bytes() != compiled:
                    stale.append(str(mo_path))
            else:
                mo_path.write_bytes(compiled)
                self.stdout.write(f"compiled {po_path}")
        if stale:
            raise CommandError(f"out of date, run `socle compile_translations`: {', '.join(stale)}")
