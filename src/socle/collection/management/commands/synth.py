from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socle.collection.synthetic import DEFAULT_SLUG, PEOPLE_PER_ESTABLISHMENT, SynthResult, build
from socle.network.actions import ActionError


def _share(text: str) -> float:
    return float(text.replace(",", "."))


class Command(BaseCommand):
    help = (
        "Builds a synthetic network of invented people for tests, demos and benchmarks: a frame of LCEP "
        "establishments, member organisations with their frameworks, entry and follow-up campaigns, and answers "
        "that pair by follow-up code. Seeded: the same arguments give the same data, and running it again adds "
        "nothing. See docs/synthetic.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--network", default=DEFAULT_SLUG, metavar="SLUG", help=f"the network (made if missing; {DEFAULT_SLUG})"
        )
        parser.add_argument(
            "--establishments", type=int, default=1300, metavar="N", help="establishments in the frame (1300)"
        )
        parser.add_argument(
            "--people",
            type=int,
            metavar="N",
            help=f"people answering at entry, in all ({PEOPLE_PER_ESTABLISHMENT} per establishment of the frame)",
        )
        parser.add_argument(
            "--people-per-establishment", type=int, metavar="N", help="instead of --people: N in each establishment"
        )
        parser.add_argument("--seed", type=int, default=42, metavar="S", help="the seed (42)")
        parser.add_argument(
            "--participating-share", type=_share, default=0.6, metavar="S", help="share taking part (0.6)"
        )
        parser.add_argument(
            "--follow-up-share", type=_share, default=0.7, metavar="S", help="share answering at follow-up (0.7)"
        )
        parser.add_argument(
            "--exit", action="store_true", help="also an exit wave, answered by --exit-share of the people"
        )
        parser.add_argument("--exit-share", type=_share, default=0.3, metavar="S", help="share answering at exit (0.3)")
        parser.add_argument("--year", type=int, default=2025, help="the year of the campaigns (2025)")
        parser.add_argument(
            "--no-facts",
            action="store_true",
            help="do not update the facts as answers are added (then run socle rebuild_facts)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first delete the network's campaigns and answers (only in a network socle synth built)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        shown = [0.0]
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if verbosity and (now - shown[0] >= 5 or done == total) and (verbosity >= 2 or sys.stdout.isatty()):
                shown[0] = now
                self.stdout.write(f"  people: {done:,} of {total:,} ({now - started:.0f} s)")

        try:
            result = build(
                options["network"],
                establishments=options["establishments"],
                participating_share=options["participating_share"],
                people=options["people"],
                people_per_establishment=options["people_per_establishment"],
                waves=("entry", "follow_up", "exit") if options["exit"] else ("entry", "follow_up"),
                follow_up_share=options["follow_up_share"],
                exit_share=options["exit_share"],
                seed=options["seed"],
                year=options["year"],
                reset=options["reset"],
                update_facts=not options["no_facts"],
                progress=progress,
            )
        except ActionError as error:
            raise CommandError(str(error)) from None
        self.report(result)

    def report(self, result: SynthResult) -> None:
        out = self.stdout
        network = result.network
        made = "made" if result.network_created else "completed"
        out.write(self.style.SUCCESS(f"Synthetic network {network.slug} ({network.name}) {made}, seed {result.seed}."))
        if result.reset:
            out.write(f"Reset: {result.reset:,} submissions deleted first.")
        out.write(
            f"Frame: {result.frame:,} establishments, {result.participating:,} taking part, in "
            f"{result.organisations:,} member organisations (the largest has {result.largest_organisation:,})."
        )
        out.write(f"Campaigns: {result.campaigns:,}. People: {result.people:,}.")
        for wave, new in result.new.items():
            kept = result.kept.get(wave, 0)
            if new or kept:
                out.write(f"  {wave:<10} {new:>9,} new, {kept:>9,} already there")
        out.write(f"Submissions: {result.submissions:,}.")
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.phases.items())
        out.write(f"Took {result.seconds:.1f} s ({phases}).")
        if not result.facts_updated:
            out.write("The facts were not updated: run socle rebuild_facts.")
