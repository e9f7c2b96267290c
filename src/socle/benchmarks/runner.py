"""Benchmarks run inside a fresh test database of the configured engine (SQLite file or PostgreSQL).

Each benchmark appends rows ``(name, value, unit, target, ok)``; later subsystems add their own functions to
``BENCHMARKS``. Figures are wall-clock times on a shared machine: compare ratios measured in one run.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass
class Row:
    name: str
    value: float
    unit: str
    target: str
    ok: bool | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    quick: bool
    rows: list[Row]
    workdir: Path

    def add(self, name: str, value: float, unit: str, target: str = "", ok: bool | None = None) -> None:
        self.rows.append(Row(name, round(value, 4), unit, target, ok))


def _frame_import(ctx: Context) -> None:
    from socle.network.frame_import import import_frame_file
    from socle.network.models import Field, Network
    from socle.network.synthetic import frame_rows, write_frame_csv

    n = 200 if ctx.quick else 1300
    network = Network.objects.create(slug="bench", name="Bench network")
    network.fields.add(Field.objects.get(code="lcep"))
    path = write_frame_csv(frame_rows(n, seed=42), ctx.workdir / "frame.csv")
    content = path.read_bytes()

    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        outcome = import_frame_file(network=network, filename=path.name, content=content, acting_user=None)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert outcome.ok, outcome.errors[:5]
    ctx.add(f"frame import, {n} establishments (new)", elapsed, "s", "< 10 s", elapsed < 10)
    ctx.add(f"frame import, {n} establishments: queries", len(queries), "queries", "independent of rows")
    ctx.add(f"frame import, {n} establishments: Python peak memory", peak / 2**20, "MiB")

    started = time.perf_counter()
    outcome = import_frame_file(network=network, filename=path.name, content=content, acting_user=None)
    elapsed = time.perf_counter() - started
    assert outcome.ok and outcome.result is not None and outcome.result.establishments_created == 0
    ctx.add(f"frame re-import, {n} establishments (unchanged)", elapsed, "s", "< 10 s", elapsed < 10)


def _network_home(ctx: Context) -> None:
    from socle.accounts.models import User
    from socle.network.models import Membership, Network, Role

    network = Network.objects.get(slug="bench")
    user = User.objects.create_user("bench-analyst@socle.example", None)
    Membership.objects.create(user=user, network=network, role=Role.NETWORK_ANALYST)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/n/{network.slug}/"
    assert client.get(url).status_code == 200  # warm-up
    timings = []
    for _ in range(10 if ctx.quick else 50):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    p95 = statistics.quantiles(timings, n=20)[-1]
    ctx.add("network home (frame of the import above): median", statistics.median(timings), "ms")
    ctx.add("network home (frame of the import above): p95", p95, "ms", "< 150 ms", p95 < 150)


def _imports(ctx: Context) -> None:
    from socle.benchmarks.imports import import_benchmark  # the imports app's benchmark, in its own module

    import_benchmark(ctx)


def _facts(ctx: Context) -> None:
    from socle.benchmarks.facts import facts_benchmark  # after _imports: it measures on the imported answers

    facts_benchmark(ctx)


def _sector(ctx: Context) -> None:
    from socle.benchmarks.sector import sector_benchmark  # issue 5: synth at sector size, rebuild, DuckDB, dashboard

    sector_benchmark(ctx)


def _sector_figures(ctx: Context) -> None:
    from socle.benchmarks.sector_figures import sector_figures_benchmark  # issue 6: after _sector, on its facts

    sector_figures_benchmark(ctx)


BENCHMARKS: list[Callable[[Context], None]] = [
    _frame_import,
    _network_home,
    _imports,
    _facts,
    _sector,
    _sector_figures,
]


def run(*, quick: bool) -> list[Row]:
    """Creates a test database, runs every benchmark in it, and destroys it."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rows: list[Row] = []
    old_name = connection.settings_dict["NAME"]
    with TemporaryDirectory() as tmp:
        if connection.vendor == "sqlite":
            # A file, as in the embedded default, rather than the in-memory test database.
            connection.settings_dict["TEST"] = {
                **connection.settings_dict["TEST"],
                "NAME": str(Path(tmp) / "bench.sqlite3"),
            }
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            ctx = Context(quick, rows, Path(tmp))
            for benchmark in BENCHMARKS:
                benchmark(ctx)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return rows
