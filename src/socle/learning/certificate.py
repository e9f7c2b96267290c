"""The completion certificate of a path (WeasyPrint, one A4 page, landscape)."""

from __future__ import annotations

from django.template.loader import render_to_string

from socle.learning.models import Progress
from socle.lib.learning.document import Path


def certificate_pdf(progress: Progress, path: Path) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only this view needs it

    user = progress.user
    html = render_to_string(
        "learning/certificate.html",
        {
            "name": getattr(user, "full_name", "") or user.email,
            "organisation": progress.organisation,
            "path": path,
            "version": progress.path_version,
            "completed_at": progress.completed_at,
            "reference": progress.public_id,
        },
    )
    return bytes(HTML(string=html).write_pdf())
