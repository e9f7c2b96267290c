"""The sector-scale benchmark of issue 5: a synthetic LCEP field (``socle synth``: 1,300 establishments, 130,000
people, entry and follow-up for each, 260,000 submissions; 60 establishments and 3,000 people with ``--quick``)
built without facts, then:

- ``rebuild_facts`` of its organisations in a child process (``socle.benchmarks.rebuild_child``): time, time per
  submission, and the child's peak resident memory (``ru_maxrss``), target ≤ 1 GiB;
- the baseline: the latest versions of the submissions exported to Parquet with pyarrow (timed apart), then the
  same aggregates computed by DuckDB (``socle.benchmarks.baseline``), checked equal to the rebuilt facts; the
  ratio rebuild / DuckDB, target ≤ 10;
- the fact update per submission at that scale (``submit`` with the facts minus without, target ≤ 5 ms);
- the organisation dashboard (``measurement:dashboard``) of the largest organisation, as its admin: median and
  p95 of 50 requests, target ≤ 150 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from socle.benchmarks.runner import Context

FULL = {"establishments": 1300, "people": 130_000}
QUICK = {"establishments": 60, "people": 3000}
NETWORK = "bench-sector"
SUBMITS = 200
QUICK_SUBMITS = 40
REQUESTS = 50
QUICK_REQUESTS = 10
RATIO_TARGET = 10.0
MEMORY_TARGET_MIB = 1024.0
UPDATE_TARGET_MS = 5.0
DASHBOARD_TARGET_MS = 150.0


def database_url() -> str:
    """The URL of the database Django is connected to now (the benchmark's test database), for a child process."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    if connection.vendor != "postgresql":  # pragma: no cover
        raise RuntimeError(f"the sector benchmark runs on SQLite or PostgreSQL, not {connection.vendor}")
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{credentials}{settings.get('HOST') or ''}{port}/{quote(settings['NAME'], safe='')}"


def rebuild_in_child(organisation_ids: list[int]) -> dict[str, Any]:
    """``rebuild_facts`` of these organisations in a new Python process on the same database: its figures."""
    env = {**os.environ, "SOCLE_DATABASE_URL": database_url()}
    env.pop("SOCLE_TEST_DATABASE_NAME", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "socle.benchmarks.rebuild_child", json.dumps(organisation_ids)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rebuild in a child process failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def facts_equal(organisation_ids: list[int], computed: dict[Any, Any], indicators: list[str]) -> tuple[bool, int]:
    """Whether the stored facts of these indicators are exactly DuckDB's records; and how many there are."""
    from socle.lib.measurement.stats import stats_from_dict
    from socle.measurement.models import Fact

    columns = ("organisation_id", "framework_version_id", "indicator", "establishment_id", "campaign_id", "wave",
               "period", "breakdown", "value", "stats")  # fmt: skip
    count = 0
    equal = True
    rows = Fact.objects.filter(organisation_id__in=organisation_ids, indicator__in=indicators).values_list(*columns)
    for *key, data in rows.iterator(chunk_size=5000):
        count += 1
        if computed.get(tuple(key)) != stats_from_dict(data):
            equal = False
    return equal and count == len(computed), count


def sector_benchmark(ctx: Context) -> None:
    from socle.collection import synthetic
    from socle.network.models import Organisation

    sizes = QUICK if ctx.quick else FULL
    started = time.perf_counter()
    result = synthetic.build(NETWORK, **sizes, follow_up_share=1.0, seed=42, update_facts=False)
    elapsed = time.perf_counter() - started
    submissions = result.submissions
    label = f"{sizes['establishments']} establishments, {result.people} people, {submissions} submissions"
    ctx.add(f"sector: synth build without facts ({label})", elapsed, "s")
    organisation_ids = list(
        Organisation.objects.filter(network=result.network).order_by("pk").values_list("pk", flat=True)
    )

    # rebuild_facts, in a process of its own so that its peak memory is its own
    child = rebuild_in_child(organisation_ids)
    rebuild_seconds = float(child["seconds"])
    ctx.add(f"sector: rebuild_facts, {child['submissions']} submissions, {child['facts']} facts", rebuild_seconds, "s")
    ctx.add("sector: rebuild_facts per submission", rebuild_seconds / max(child["submissions"], 1) * 1000, "ms")
    ctx.add("sector: rebuild_facts process, RSS before the rebuild", child["rss_before_mib"], "MiB")
    peak = float(child["peak_rss_mib"])
    ctx.add(
        "sector: rebuild_facts process, peak RSS (ru_maxrss)",
        peak,
        "MiB",
        f"<= {MEMORY_TARGET_MIB:g} MiB",
        peak <= MEMORY_TARGET_MIB,
    )

    # the baseline: Parquet export, then DuckDB
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        ctx.add("sector: DuckDB baseline skipped (duckdb and pyarrow come with .[dev])", 0, "", "<= 10", None)
    else:
        _baseline(ctx, organisation_ids, rebuild_seconds)
    _update_and_dashboard(ctx, organisation_ids)


def _baseline(ctx: Context, organisation_ids: list[int], rebuild_seconds: float) -> None:
    from socle.benchmarks import baseline
    from socle.collection.models import Campaign

    campaign = Campaign.objects.filter(organisation_id__in=organisation_ids).select_related("framework_version")[0]
    document = campaign.framework_version.effective_content()
    questions = baseline.question_names(document)
    indicators = baseline.lcep_indicators(document)
    path = ctx.workdir / "submissions.parquet"
    started = time.perf_counter()
    rows = baseline.export_parquet(path, organisation_ids, questions)
    ctx.add(f"sector: Parquet export of {rows} latest submissions (pyarrow)", time.perf_counter() - started, "s")
    ctx.add("sector: Parquet file size", path.stat().st_size / 2**20, "MiB")
    started = time.perf_counter()
    computed = baseline.duckdb_aggregates(path, indicators, questions)
    duckdb_seconds = time.perf_counter() - started
    ctx.add(f"sector: DuckDB, the same aggregates ({len(computed)} records)", duckdb_seconds, "s")
    equal, count = facts_equal(organisation_ids, computed, list(indicators))
    ctx.add(f"sector: DuckDB's records equal the rebuilt facts ({count} facts)", float(equal), "bool", "1", equal)
    ratio = rebuild_seconds / duckdb_seconds
    ctx.add("sector: rebuild_facts / DuckDB", ratio, "x", f"<= {RATIO_TARGET:g}", ratio <= RATIO_TARGET)


def _update_and_dashboard(ctx: Context, organisation_ids: list[int]) -> None:
    """The fact update per submission at that scale, in the largest organisation, and its dashboard."""
    from socle.benchmarks.facts import update_cost
    from socle.collection.models import Campaign

    largest = max(
        Campaign.objects.filter(organisation_id__in=organisation_ids, wave="entry").select_related(
            "organisation", "framework_version"
        ),
        key=lambda c: c.links.count(),
    )
    establishment = largest.links.filter(questionnaire_code="entry").order_by("pk")[0].establishment

    with_facts, without = update_cost(largest, establishment, QUICK_SUBMITS if ctx.quick else SUBMITS, seed=13)
    added = (with_facts - without) * 1000
    ctx.add("sector: submit with facts kept", with_facts * 1000, "ms")
    ctx.add("sector: submit without the facts' update", without * 1000, "ms")
    ctx.add("sector: fact update per submission", added, "ms", f"<= {UPDATE_TARGET_MS:g} ms", added <= UPDATE_TARGET_MS)

    organisation_dashboard(ctx, largest.organisation)


def organisation_dashboard(ctx: Context, organisation: Any) -> None:
    """Median and p95 of the organisation dashboard's response time, as an admin of ``organisation``."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from socle.accounts.models import User
    from socle.network.models import Membership, Role

    try:
        url = reverse("measurement:dashboard", kwargs={"slug": organisation.slug})
    except NoReverseMatch:
        ctx.add("sector: organisation dashboard (no URL measurement:dashboard yet)", 0, "ms", "<= 150 ms", None)
        return
    user = User.objects.create_user(f"bench-admin-{organisation.pk}@socle.example", None)
    Membership.objects.create(user=user, network=organisation.network, organisation=organisation, role=Role.ORG_ADMIN)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    first = client.get(url)  # warm-up
    assert first.status_code == 200, first.status_code
    timings = []
    for _ in range(QUICK_REQUESTS if ctx.quick else REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    p95 = statistics.quantiles(timings, n=20)[-1]
    establishments = organisation.establishments.count()
    name = f"sector: organisation dashboard, largest organisation ({establishments} establishments)"
    ctx.add(f"{name}: median", statistics.median(timings), "ms")
    ctx.add(f"{name}: p95", p95, "ms", f"<= {DASHBOARD_TARGET_MS:g} ms", p95 <= DASHBOARD_TARGET_MS)
