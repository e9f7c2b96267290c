"""Benchmark of facts (issue 5): what keeping the facts up to date adds to each submission, and a full rebuild.

It runs after the import benchmark, on its organisation: the LCEP entry campaign that holds the imported answers
(50,000; 5,000 with ``--quick``). The cost of the update is measured as the difference between submitting invented
answers with the facts kept and with their update switched off, in one run.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socle.benchmarks.runner import Context

SUBMITS = 200
QUICK_SUBMITS = 40
TARGET_MS = 5.0
BLOCKS = 10  # blocks of submits with the update, each followed by one without


def update_cost(campaign: Any, establishment: Any, count: int, *, seed: int = 11) -> tuple[float, float]:
    """Seconds per ``submit`` of invented answers to ``campaign``'s entry questionnaire, with the facts kept and
    with their update switched off (``count`` each, in alternating blocks, after ``count // 4`` to warm the
    caches), in one run."""
    from socle.collection import actions as collection_actions
    from socle.collection.demo import invented_answers
    from socle.measurement import actions

    rng = random.Random(seed)
    forms = [invented_answers(campaign.framework_version, "entry", rng) for _ in range(3 * count)]

    def submits(answers: list[dict[str, object]]) -> float:
        started = time.perf_counter()
        for one in answers:
            collection_actions.submit(
                campaign=campaign,
                establishment=establishment,
                questionnaire_code="entry",
                submission_uuid=uuid.uuid4(),
                answers=one,
                mode="self",
            )
        return (time.perf_counter() - started) / len(answers)

    submits(forms[: count // 4])  # warm the caches
    original = actions.submissions_inserted
    received = actions.submission_received
    # Alternate blocks with and without the update, so that a change of the machine's load weighs on both.
    block = max(1, count // BLOCKS)
    with_facts: list[float] = []
    without: list[float] = []
    for start in range(count, 3 * count, 2 * block):
        with_facts.append(submits(forms[start : start + block]))
        try:
            actions.submissions_inserted = lambda submissions, **kwargs: None  # type: ignore[assignment]
            actions.submission_received = lambda submission, *args, **kwargs: None  # type: ignore[assignment]
            without.append(submits(forms[start + block : start + 2 * block]))
        finally:
            actions.submissions_inserted = original  # type: ignore[assignment]
            actions.submission_received = received  # type: ignore[assignment]
    return statistics.fmean(with_facts), statistics.fmean(without)


def facts_benchmark(ctx: Context) -> None:
    from socle.collection.models import Campaign
    from socle.measurement import actions
    from socle.measurement.models import Fact

    campaign = Campaign.objects.select_related("organisation", "framework_version").get(name="Bench imports")
    establishment = campaign.links.get(questionnaire_code="entry").establishment
    with_facts, without = update_cost(campaign, establishment, QUICK_SUBMITS if ctx.quick else SUBMITS)
    added_ms = (with_facts - without) * 1000
    ctx.add("submit with facts kept", with_facts * 1000, "ms")
    ctx.add("submit without the facts' update", without * 1000, "ms")
    ctx.add("fact update per submission", added_ms, "ms", f"<= {TARGET_MS:g} ms", added_ms <= TARGET_MS)

    submissions = campaign.submissions.count()
    tracemalloc.start()
    started = time.perf_counter()
    actions.rebuild([campaign.organisation_id])
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ctx.add(f"rebuild_facts, {submissions} submissions", elapsed, "s")
    ctx.add(f"rebuild_facts, {submissions} submissions: per submission", elapsed / submissions * 1000, "ms")
    ctx.add("rebuild_facts: Python peak memory", peak / 2**20, "MiB", "<= 1024 MiB", peak <= 2**30)
    ctx.add("facts after the rebuild", Fact.objects.filter(organisation_id=campaign.organisation_id).count(), "rows")
