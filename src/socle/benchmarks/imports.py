"""Benchmark of file imports: a CSV of N answers to the LCEP entry questionnaire (50,000 rows; 5,000 with
``--quick``), imported into an entry campaign, imported again (nothing new), and checked with a dry run.

The file is made like a spreadsheet typed by staff: a row id, one column per question, answers written as codes
or as French labels, "nsp" now and then, dates as DD/MM/YYYY, questions skipped where the questionnaire skips
them. Its rows are invented (seeded), never real answers.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import time
import tracemalloc
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

if TYPE_CHECKING:
    from socle.benchmarks.runner import Context

ROWS = 50_000
QUICK_ROWS = 5_000
TARGET_SECONDS = 60.0


def _framework(network: Any, organisation: Any) -> Any:
    from socle.frameworks.actions import load_framework_text
    from socle.frameworks.demo import lcep_text
    from socle.frameworks.models import FrameworkVersion
    from socle.lib.frameworks.document import dump_yaml

    sector = FrameworkVersion.objects.filter(framework__slug="lcep", status="published").order_by("number").first()
    if sector is None:
        sector = load_framework_text(lcep_text(), filename="lcep.yaml", network=network, publish=True).version
    document = {
        "socle_framework": 1,
        "code": f"{organisation.slug}-lcep",
        "kind": "organisation",
        "organisation": organisation.slug,
        "base": {"framework": "lcep", "version": sector.number},
        "version": 1,
        "title": {"fr": f"Référentiel de {organisation.name}"},
        "languages": ["fr", "en"],
    }
    return load_framework_text(dump_yaml(document), filename="bench.yaml", publish=True).version


def lcep_entry_csv(document: dict[str, Any], rows: int, *, seed: int = 7) -> bytes:
    """A CSV (``;``, UTF-8) of ``rows`` invented answers to the LCEP entry questionnaire, with a row id."""
    from socle.lib.collection.answers import compile_questionnaire
    from socle.lib.imports.mapping import questions_of

    rng = random.Random(seed)
    questions = questions_of(document, "entry")
    questionnaire = compile_questionnaire(document, "entry")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["id_ligne", *(q.name for q in questions)])
    start = datetime.date(2024, 1, 1)
    for number in range(1, rows + 1):
        answers: dict[str, object] = {}
        cells: dict[str, str] = {}
        for question in questions:
            if question.dont_know and rng.random() < 0.04:
                answers[question.name], cells[question.name] = "dk", "nsp"
            elif question.choices:
                choice = rng.choice(question.choices)
                answers[question.name] = choice.value
                # a third of the cells hold the French label, as a person typing the paper form would
                cells[question.name] = choice.labels[0] if choice.labels and rng.random() < 0.33 else choice.value
            elif question.type == "integer":
                value = rng.choice([0, 0, 0, 1, 1, 2, 3, 5])
                answers[question.name], cells[question.name] = value, str(value)
            elif question.type == "date":
                day = start + datetime.timedelta(days=rng.randrange(700))
                answers[question.name], cells[question.name] = day, day.strftime("%d/%m/%Y")
            elif question.type in ("text", "long_text") and rng.random() < 0.3:
                text = rng.choice(["Trouver un logement", "Chez un ami", "Retrouver du travail", "Me soigner"])
                answers[question.name], cells[question.name] = text, text
        asked = questionnaire.relevant(answers)
        writer.writerow([f"L{number:06d}", *(cells.get(q.name, "") if asked[q.name] else "" for q in questions)])
    return buffer.getvalue().encode("utf-8")


def import_benchmark(ctx: Context, n: int | None = None) -> None:
    from socle.collection.actions import open_campaign
    from socle.collection.models import Submission
    from socle.imports.actions import import_file, resolve_target
    from socle.lib.identifiers import finess_with_check_digit, siren_with_check_digit
    from socle.network.models import Establishment, EstablishmentType, Field, Network, Organisation

    rows = n or (QUICK_ROWS if ctx.quick else ROWS)
    lcep = Field.objects.get(code="lcep")
    network = Network.objects.create(slug="bench-imports", name="Bench imports")
    network.fields.add(lcep)
    organisation = Organisation.objects.create(
        network=network,
        slug="bench-imports-org",
        name="Bench",
        siren=siren_with_check_digit("81234567"),
        is_member=True,
    )
    establishment = Establishment.objects.create(
        network=network,
        organisation=organisation,
        field=lcep,
        type=EstablishmentType.objects.filter(field=lcep).first(),
        finess=finess_with_check_digit("75099999"),
        name="CHRS du banc d'essai",
        departement="75",
        region="11",
        participates=True,
    )
    version = _framework(network, organisation)
    today = timezone.localdate()
    campaign = open_campaign(
        organisation,
        version,
        name="Bench imports",
        wave="entry",
        starts_on=today,
        ends_on=today,
        establishments=[establishment],
        acting_user=None,
    )
    content = lcep_entry_csv(version.effective_content(), rows)
    target = resolve_target(campaign.links.get(questionnaire_code="entry").code)
    label = f"import {rows} submissions (CSV)"

    def run(dry_run: bool = False) -> tuple[Any, float, int]:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            outcome = import_file(
                target=target, file_name="bench.csv", content=content, acting_user=None, dry_run=dry_run
            )
        elapsed = time.perf_counter() - started
        assert outcome.ok, [str(e) for e in outcome.errors[:5]]
        return outcome, elapsed, len(queries)

    outcome, elapsed, queries = run()
    assert outcome.imported == rows and Submission.objects.filter(campaign=campaign).count() == rows
    ok = elapsed < TARGET_SECONDS
    ctx.add(f"{label}: first import", elapsed, "s", "< 60 s for 50,000", ok)
    ctx.add(f"{label}: rows per second", rows / elapsed if elapsed else 0.0, "rows/s")
    ctx.add(f"{label}: queries", queries, "queries", "~2 per 2,000 rows")

    outcome, elapsed, _queries = run()
    assert outcome.imported == 0 and outcome.skipped == rows
    assert Submission.objects.filter(campaign=campaign).count() == rows
    ctx.add(f"{label}: re-import (nothing new)", elapsed, "s", "< 60 s for 50,000", elapsed < TARGET_SECONDS)

    outcome, elapsed, _queries = run(dry_run=True)
    assert outcome.skipped == rows
    ctx.add(f"{label}: dry run", elapsed, "s", "< 60 s for 50,000", elapsed < TARGET_SECONDS)

    tracemalloc.start()
    run(dry_run=True)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ctx.add(f"{label}: Python peak memory (dry run)", peak / 2**20, "MiB")
