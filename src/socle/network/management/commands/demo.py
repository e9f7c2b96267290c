from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.activity.demo import load_demo_activity
from socle.collection.demo import load_demo_answers, load_demo_campaign
from socle.frameworks.demo import load_demo_frameworks
from socle.impact.demo import load_demo_impact
from socle.imports.worker_process import background_worker
from socle.improvement.demo import load_demo_improvement
from socle.learning.content import load_shipped_paths
from socle.measurement.demo import load_demo_results
from socle.network.demo import current_code, demo_password, load_demo
from socle.network.initial_data import load_fields
from socle.network.models import EstablishmentType, Field
from socle.qualitative.demo import load_demo_qualitative
from socle.sector.demo import load_demo_sector
from socle.web.management.serving import parse_addr, serve


class Command(BaseCommand):
    help = (
        "Creates or migrates the database, loads the fictional demo network (slug 'demo') with one account "
        "per role, prints the URL and the accounts, and serves on 127.0.0.1:8000. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on")
        parser.add_argument("--no-serve", action="store_true", help="only prepare the demo, do not serve")
        parser.add_argument("--reset", action="store_true", help="empty the database first and start over")
        parser.add_argument("--password", help="password of every demo account (default: kept in the data folder)")
        parser.add_argument("--code", action="store_true", help="print the current two-step codes and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            host, port = parse_addr(options["addr"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            load_fields(Field, EstablishmentType)  # flush empties the initial data too
        password = demo_password(options["password"])
        result = load_demo(password)
        load_demo_frameworks(result.network)
        campaign = load_demo_campaign(result.network)
        load_demo_answers(campaign)
        load_demo_results(result.network)
        load_demo_qualitative(result.network)
        load_demo_activity(result.network)
        load_demo_improvement(result.network)
        publication = load_demo_sector(result.network)
        impact = load_demo_impact(result.network)
        load_shipped_paths(result.network)
        if options["code"]:
            for account in result.accounts:
                if account.totp_key:
                    self.stdout.write(f"{account.email}: {current_code(account.totp_key)}")
            return
        url = f"http://{host}:{port}/"
        out = self.stdout
        out.write(self.style.SUCCESS(f"Socle demo ready: {url}"))
        out.write(f"Database: {settings.DATABASES['default']['NAME']}")
        out.write(f"Network: {result.network.name} — {url}n/{result.network.slug}/")
        out.write(f"Sector framework: {url}f/lcep/")
        code = publication.sector_campaign.code
        out.write(f"Published sector figures ({code}): {url}sector/{result.network.slug}/{code}/")
        out.write(f"Impact page of {impact.organisation.name}: {url}impact/{impact.organisation.slug}/")
        out.write(f"Learning paths: {url}learn/ (members learn in their space, e.g. {url}o/horizon-solidaire/learn/)")
        link = campaign.links.order_by("establishment__name", "questionnaire_code").first()
        if link is not None:
            out.write(f"Respondent link ({link.establishment.name}, {campaign.name}): {url}r/{link.code}/")
        out.write(f"Password of every account: {password}")
        out.write("Accounts:")
        for account in result.accounts:
            line = f"  {account.role:<24} {account.email:<36} {account.where}"
            if account.totp_key:
                line += f"\n  {'':<24} two-step key: {account.totp_key} (code now: {current_code(account.totp_key)};"
                line += " `socle demo --code` prints fresh codes)"
            out.write(line)
        if options["no_serve"]:
            return
        with background_worker():  # runs imports (socle worker) while the demo is served
            serve(options["addr"], workers=2, threads=4)
