from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.web.management.serving import parse_addr, serve


class Command(BaseCommand):
    help = "Serves Socle with gunicorn and whitenoise (collects static files first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to listen on")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            parse_addr(options["addr"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        serve(options["addr"], options["workers"], options["threads"])
