"""The organisation's results report, for its board and funders: the dashboard's figures with their uncertainty,
the chart, the theory of change coloured by results, targets and the action plan, and how to read the figures.
One template serves the page and the PDF (WeasyPrint), with the same SVG charts."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from socle.measurement.dashboard import Dashboard
from socle.network.models import Organisation


def report_context(organisation: Organisation, board: Dashboard) -> dict[str, Any]:
    from socle.improvement.queries import action_plan_of

    return {
        "actions": action_plan_of(organisation.pk),
        "generated_on": timezone.localdate(),
    }


def render_pdf(context: dict[str, Any], *, base_url: str) -> bytes:
    """The report as a PDF (A4)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only this page needs it

    html = render_to_string("measurement/report.html", {**context, "pdf": True})
    return bytes(HTML(string=html, base_url=base_url).write_pdf())
