from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.api.actions import create_token
from socle.api.models import Scope
from socle.network.actions import ActionError
from socle.network.models import Organisation


class Command(BaseCommand):
    help = (
        "Creates an API token for an organisation and prints its secret, once: Socle keeps only its hash. "
        "Send it as `Authorization: Bearer <secret>`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True, help="to recognise the token later")
        parser.add_argument(
            "--scope", action="append", choices=Scope.values, required=True, help="what it may do (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug {options['organisation']!r}.")
        try:
            token, secret = create_token(organisation, name=options["name"], scopes=options["scope"], acting_user=None)
        except ActionError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"Token {token.name!r} of {organisation.slug} ({', '.join(token.scopes)}). Its secret:")
        self.stdout.write(secret)
