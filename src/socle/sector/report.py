"""The advocacy report of published sector figures, for public authorities: the key figures with their uncertainty
and status, how far they can be generalised (coverage, the label "non représentatif"), a chart of the % indicators,
the sector framework's theory of change, the avoided-cost range when the figures hold one, method and limits, and
the organisations that agreed to be named. A report per région restricts it to that région's strata and cells.

It reads a :class:`~socle.sector.models.Publication` only (published figures, already disclosure-controlled), never
a consolidation. One template (``sector/report.html``) serves the page and the PDF (WeasyPrint), with the same SVG
chart. The PDF is made in the background (:func:`queue_report`, :func:`run_report`, ``socle.sector.tasks``) or for
the public page on demand (:func:`public_pdf`), and kept on a :class:`~socle.sector.models.ReportJob`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.frameworks import presentation as framework_presentation
from socle.frameworks.models import text_in
from socle.lib import charts, geo
from socle.lib.frameworks import diagram
from socle.measurement.contributions import version_indicators
from socle.network.actions import ActionError
from socle.sector import presentation
from socle.sector.models import Publication, ReportJob

__all__ = [
    "UnknownRegion",
    "avoided_costs_of",
    "figures_context",
    "pictures",
    "public_pdf",
    "queue_report",
    "regional_figures",
    "regions_of",
    "render_pdf",
    "report_context",
    "run_report",
]

# Progress of a job, in % of the work, when each step starts.
STEPS: tuple[tuple[str, int], ...] = (
    (ReportJob.Step.FIGURES, 10),
    (ReportJob.Step.CHARTS, 35),
    (ReportJob.Step.PDF, 60),
)


class UnknownRegion(ActionError):
    """The région is not one the published figures cover."""


# --- Figures -----------------------------------------------------------------------------------------------------


def regions_of(figures: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(code, name) of the régions of the frame the published figures cover, by name."""
    rows = figures.get("coverage", {}).get("by_region", [])
    found = {str(row["region"]): text_in(row.get("label")) or geo.REGIONS.get(str(row["region"]), "") for row in rows}
    return sorted(found.items(), key=lambda item: item[1])


def regional_figures(figures: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The published figures restricted to one région, in the same shape: coverage of that région's strata, and
    for each indicator and wave its cell for that région (with its status; a masked cell stays masked) in place of
    the sector's. Waves with no cell for the région (nobody there answered) are left out. The région is called
    representative only when every stratum of it meets the thresholds, as the sector is."""
    coverage = figures.get("coverage", {})
    row = next((r for r in coverage.get("by_region", []) if str(r.get("region")) == region), None)
    if row is None:
        raise UnknownRegion(_("The published figures cover no région with the code %(code)s.") % {"code": region})
    strata = [r for r in coverage.get("strata", []) if str(r.get("region")) == region]
    indicators: list[dict[str, Any]] = []
    for data in figures.get("indicators", []):
        waves = []
        for wave in data.get("waves", []):
            cell = next((c for c in wave.get("by_region", []) if str(c.get("key")) == region), None)
            if cell is not None:
                waves.append({"wave": wave["wave"], "sector": cell, "by_region": [], "by_type": [],
                              "weighting": wave.get("weighting", {})})  # fmt: skip
        if waves:
            indicators.append({**data, "waves": waves})
    return {
        **figures,
        "coverage": {
            "overall": row,
            "strata": strata,
            "by_type": strata,
            "by_region": [row],
            "representative": bool(strata) and all(bool(s.get("meets")) for s in strata),
            "reasons": [r for r in coverage.get("reasons", []) if str(r.get("region")) == region],
        },
        "indicators": indicators,
        "avoided_costs": None,  # computed for the whole sector: not a région's
    }


@dataclass(frozen=True)
class CostItem:
    indicator: str
    label: str
    description: str
    quantity: float
    unit_cost: str  # "37,60 € / night"
    unit_cost_label: str
    year: Any
    source: str
    verify: bool
    low: str
    central: str
    high: str


@dataclass(frozen=True)
class AvoidedCosts:
    illustrative: bool
    year: Any
    low: str
    central: str
    high: str
    items: tuple[CostItem, ...]


def euros(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float):
        return "—"
    return f"{number_format(round(float(value), digits), digits, use_l10n=True, force_grouping=True)}\u00a0€"


def avoided_costs_of(figures: Mapping[str, Any]) -> AvoidedCosts | None:
    """The avoided-cost range of published figures (``figures["avoided_costs"]``), or None."""
    data = figures.get("avoided_costs")
    if not isinstance(data, Mapping):
        return None
    total = data.get("total") or {}
    items: list[CostItem] = []
    for item in data.get("items", []) or []:
        cost = item.get("unit_cost") or {}
        try:
            amount = euros(float(cost.get("value")), 2)
        except (TypeError, ValueError):
            amount = "—"
        items.append(
            CostItem(
                indicator=str(item.get("indicator", "")),
                label=text_in(item.get("label")),
                description=str(item.get("description", "")),
                quantity=float(item.get("quantity") or 0),
                unit_cost=f"{amount} / {presentation.unit_label(str(cost.get('unit', '')))}",
                unit_cost_label=text_in(cost.get("label")),
                year=cost.get("year", ""),
                source=str(cost.get("source", "")),
                verify=bool(cost.get("verify")),
                low=euros(item.get("low")),
                central=euros(item.get("central")),
                high=euros(item.get("high")),
            )
        )
    return AvoidedCosts(
        illustrative=str(data.get("label", "")).strip().lower() == "illustratif",
        year=data.get("year", ""),
        low=euros(total.get("low")),
        central=euros(total.get("central")),
        high=euros(total.get("high")),
        items=tuple(items),
    )


def shortfalls(coverage: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Per type of establishment, the régions whose stratum falls short of the thresholds: a short summary of the
    coverage reasons (the public page lists each one)."""
    types = {str(r["type"]): text_in(r.get("label")) for r in coverage.get("by_type", [])}
    regions = {str(r["region"]): text_in(r.get("label")) for r in coverage.get("by_region", [])}
    found: dict[str, list[str]] = {}
    for row in coverage.get("strata", []):
        if not row.get("meets"):
            region = str(row["region"])
            found.setdefault(str(row["type"]), []).append(regions.get(region) or geo.REGIONS.get(region, region))
    return [
        (types.get(code, code), sorted(names))
        for code, names in sorted(found.items(), key=lambda i: types.get(i[0], i[0]))
    ]


def _css_text(text: str) -> str:
    """Text for a CSS string in the page's <style> (the PDF's footer): no quote, backslash, bracket nor newline."""
    return re.sub(r'[<>\\"\n\r]', " ", text)


def _shown_outcomes(indicators: Sequence[presentation.IndicatorView], figures: Mapping[str, Any]) -> tuple[str, ...]:
    """Outcome codes of the theory of change measured by a published (shown) figure of the report."""
    shown = {ind.code for ind in indicators if any(w.sector.shown for w in ind.waves)}
    return tuple(
        sorted({str(o) for data in figures.get("indicators", []) if data["code"] in shown for o in data["outcomes"]})
    )


def figures_context(publication: Publication, *, region: str = "") -> dict[str, Any]:
    """What the report says, without its pictures: the figures (the région's when ``region``), coverage, rules,
    avoided costs and names. Raises :class:`UnknownRegion` for a région the figures do not cover."""
    figures: Mapping[str, Any] = publication.figures
    region_name = ""
    if region:
        figures = regional_figures(figures, region)
        region_name = text_in(figures["coverage"]["overall"].get("label")) or geo.REGIONS.get(region, region)
    indicators = presentation.indicators_of(figures)
    waves = {w.wave for ind in indicators for w in ind.waves}
    sector_campaign = publication.sector_campaign
    found_shortfalls = shortfalls(figures.get("coverage", {}))
    return {
        "network": publication.network,
        "sector_campaign": sector_campaign,
        "publication": publication,
        "results": figures,
        "region": region,
        "region_name": region_name,
        "regions": regions_of(publication.figures),
        "indicators": indicators,
        "several_waves": len(waves) > 1,
        "coverage": figures.get("coverage", {}),
        "coverage_reasons": presentation.coverage_reasons(figures),
        "shortfalls": found_shortfalls,
        "shortfall_count": sum(len(regions) for _type, regions in found_shortfalls),
        "footer": _css_text(
            " · ".join(
                part
                for part in (publication.network.name, sector_campaign.name, region_name, f"v{publication.version}")
                if part
            )
        ),
        "missing_interval": any(w.sector.shown and w.sector.interval is None for ind in indicators for w in ind.waves),
        "left_out_types": presentation.left_out_types(figures),
        "rules": figures.get("rules", {}),
        "avoided": avoided_costs_of(figures),
        "has_avoided_costs": bool(publication.figures.get("avoided_costs")),
        "named_organisations": list(publication.named_organisations or []),
        "generated_on": timezone.localdate(),
        "measured_outcomes": _shown_outcomes(indicators, figures),
    }


# --- Pictures ----------------------------------------------------------------------------------------------------


def chart_points(indicators: Sequence[presentation.IndicatorView], wave: str) -> list[charts.Point]:
    """The % indicators of one wave whose figure is published (status ok or E), with their interval; E is said in
    the label."""
    points: list[charts.Point] = []
    for ind in indicators:
        if ind.unit != "%":
            continue
        for found in ind.waves:
            cell = found.sector
            if found.wave != wave or not cell.shown or cell.value is None:
                continue
            points.append(
                charts.Point(
                    f"{ind.label} (E)" if cell.status == "E" else ind.label,
                    float(cell.value),
                    cell.interval.low if cell.interval else None,
                    cell.interval.high if cell.interval else None,
                )
            )
    return points


@lru_cache(maxsize=64)
def _toc_layout(version_pk: int, content_sha256: str, language: str, highlight: tuple[str, ...]) -> diagram.Layout:
    document = version_indicators(version_pk, content_sha256).document
    return diagram.layout(document.get("nodes", []), document.get("links", []), language=language, highlight=highlight)


def toc_svg(publication: Publication, highlight: tuple[str, ...]) -> str:
    """The sector framework's theory of change, the outcomes measured by a published figure drawn thicker."""
    version = publication.sector_campaign.framework_version
    return diagram.render_svg(
        _toc_layout(version.pk, version.content_sha256, framework_presentation.language(), highlight),
        title=_("Theory of change of the sector framework"),
        column_titles={k: str(v) for k, v in framework_presentation.STAGE_TITLES.items()},
        highlight=highlight,
    )


def pictures(context: Mapping[str, Any]) -> dict[str, Any]:
    """A chart per wave (an SVG as a data URI, the same in the page and the PDF) and the theory of change."""
    language = framework_presentation.language()
    waves: dict[str, str] = {}
    for ind in context["indicators"]:
        for wave in ind.waves:
            waves.setdefault(wave.wave, wave.label)
    drawn = []
    for wave, label in waves.items():
        points = chart_points(context["indicators"], wave)
        if points:
            svg = charts.estimate_bars(points, x_title=_("% of the people who answered"), language=language)
            drawn.append({"wave": label, "uri": charts.data_uri(svg), "points": points})
    return {
        "charts": drawn,
        "chart_points": [point for chart in drawn for point in chart["points"]],
        "toc": toc_svg(context["publication"], context["measured_outcomes"]),
    }


def report_context(publication: Publication, *, region: str = "") -> dict[str, Any]:
    context = figures_context(publication, region=region)
    context.update(pictures(context))
    return context


def render_pdf(context: Mapping[str, Any], *, base_url: str) -> bytes:
    """The report as a PDF (A4)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    html = render_to_string("sector/report.html", {**context, "pdf": True})
    return bytes(HTML(string=html, base_url=base_url).write_pdf())


def file_name(publication: Publication, region: str = "") -> str:
    place = f"-{region}" if region else ""
    return f"{publication.network.slug}-{publication.sector_campaign.code}-v{publication.version}{place}-report.pdf"


# --- Jobs --------------------------------------------------------------------------------------------------------


def queue_report(publication: Publication, *, region: str, acting_user: Any) -> ReportJob:
    """Hands the PDF of a publication's report (the région's when ``region``) to the worker, in the active
    language."""
    from socle.sector.tasks import render_report  # the task module imports this one

    if region:
        regional_figures(publication.figures, region)  # raises UnknownRegion
    with transaction.atomic():
        job = ReportJob.objects.create(
            network=publication.network,
            publication=publication,
            region=region,
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record(
            "sector.report_queued",
            actor=acting_user,
            network=publication.network,
            target=str(job.public_id),
            publication=str(publication.public_id),
            region=region,
        )

        def enqueue() -> None:
            result = render_report.enqueue(job.pk)
            ReportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    return job


def _progress(job_id: int, step: str, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(step=step, percent=percent)


def run_report(job_id: int) -> dict[str, Any]:
    """Runs a queued job once (the task's body), recording each step: figures, pictures, PDF, done. A job that is
    not queued (delivered twice) is left alone."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ReportJob.Status.QUEUED:
            return {"skipped": True}
        job.status = ReportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.step, job.percent = STEPS[0]
        job.save(update_fields=["status", "started_at", "step", "percent"])
    job = ReportJob.objects.select_related(
        "publication__network", "publication__sector_campaign__framework_version__framework"
    ).get(pk=job_id)
    try:
        with translation.override(job.language):
            pdf = _make_pdf(job.publication, job.region, progress=lambda step, pct: _progress(job_id, step, pct))
    except Exception as error:
        message = str(error) if isinstance(error, ActionError) else _("The report stopped on an unexpected error.")
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED, failure=message, finished_at=timezone.now()
        )
        if isinstance(error, ActionError):
            return {"failed": message}
        raise
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.DONE,
        step=ReportJob.Step.DONE,
        percent=100,
        content=pdf,
        file_size=len(pdf),
        finished_at=timezone.now(),
    )
    return {"bytes": len(pdf)}


def _make_pdf(publication: Publication, region: str, *, progress: Any = None) -> bytes:
    report = progress or (lambda step, percent: None)
    context = figures_context(publication, region=region)
    report(*STEPS[1])
    context.update(pictures(context))
    report(*STEPS[2])
    return render_pdf(context, base_url=f"{settings.BASE_URL}/")


def public_pdf(publication: Publication, *, region: str) -> bytes:
    """The PDF for the public page: the latest finished one of this publication, région and language, else made
    now and kept (a publication never changes, so neither does its report: each is made once)."""
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    found = (
        ReportJob.objects.filter(
            publication=publication, region=region, language=language, status=ReportJob.Status.DONE
        )
        .order_by("-finished_at")
        .values_list("content", flat=True)
        .first()
    )
    if found is not None:
        return bytes(found)
    if region:
        regional_figures(publication.figures, region)  # raises UnknownRegion
    pdf = _make_pdf(publication, region)
    now = timezone.now()
    ReportJob.objects.create(
        network=publication.network,
        publication=publication,
        region=region,
        language=language,
        for_public=True,
        status=ReportJob.Status.DONE,
        step=ReportJob.Step.DONE,
        percent=100,
        content=pdf,
        file_size=len(pdf),
        started_at=now,
        finished_at=now,
    )
    return pdf
