"""Issue 6's benchmark: consolidating the sector-scale dataset from facts, and rendering the advocacy report's PDF.

Runs after :mod:`socle.benchmarks.sector`, in the same test database: the synthetic LCEP field (1,300
establishments, 130,000 people, entry and follow-up; 60 establishments with ``--quick``) whose facts
``rebuild_facts`` has just written. Measured: reading the sector campaign's facts and the frame
(``sector_inputs``), computing the figures (``results_of``: weighting for every indicator, wave, region and type,
disclosure control), the whole ``consolidate`` action (both, and the write), and the report's PDF of the published
figures (WeasyPrint).
"""

from __future__ import annotations

import time
from typing import Any

from socle.benchmarks.sector import NETWORK

CONSOLIDATION_TARGET_S = 1.0


def sector_figures_benchmark(ctx: Any) -> None:
    from socle.collection.models import SectorCampaign
    from socle.sector import actions
    from socle.sector.compute import results_of
    from socle.sector.inputs import sector_inputs
    from socle.sector.report import render_pdf, report_context

    campaign = SectorCampaign.objects.filter(network__slug=NETWORK).first()
    if campaign is None:
        ctx.add("sector figures: skipped (no sector campaign: the sector benchmark did not run)", 0, "")
        return
    started = time.perf_counter()
    inputs = sector_inputs(campaign)
    read = time.perf_counter() - started
    establishments = len(inputs.organisation_of)
    ctx.add(f"sector figures: read facts and frame ({establishments} participating establishments)", read, "s")
    started = time.perf_counter()
    results = results_of(inputs, actions.settings_of(campaign.network))
    computed = time.perf_counter() - started
    cells = sum(len(w["by_region"]) + len(w["by_type"]) + 1 for i in results["indicators"] for w in i["waves"])
    ctx.add(f"sector figures: weighting and disclosure control ({cells} cells)", computed, "s")
    started = time.perf_counter()
    consolidation = actions.consolidate(campaign, acting_user=None)
    whole = time.perf_counter() - started
    ctx.add(
        "sector figures: consolidate (read, compute, write)",
        whole,
        "s",
        f"< {CONSOLIDATION_TARGET_S:g} s",
        whole < CONSOLIDATION_TARGET_S,
    )
    publication = actions.publish(actions.open_review(consolidation, message="", acting_user=None), acting_user=None)
    started = time.perf_counter()
    pdf = render_pdf(report_context(publication), base_url="http://testserver/")
    ctx.add(f"sector figures: advocacy report PDF ({len(pdf) // 1024} KiB)", time.perf_counter() - started, "s")
