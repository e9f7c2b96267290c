"""The one-page PDF of a published impact page (WeasyPrint): the headline figures, the mission, the five
dimensions and a testimonial. When the content does not fit on one A4 page, it is drawn again with less (no
charts, then shorter texts, then fewer figures) until it does."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from socle.impact.models import ImpactPublication
from socle.impact.presentation import page_view

# (figures shown, characters of each text, quotes shown, charts): the first that fits on one page is used
LEVELS = ((6, 600, 2, True), (6, 360, 1, False), (4, 220, 1, False), (3, 140, 0, False))


def one_page_pdf(publication: ImpactPublication, *, base_url: str) -> bytes:
    """The page as a one-page A4 PDF."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only this view needs it

    content = publication.content
    slug = content["organisation"]["slug"]
    view = page_view(content, lambda key: reverse("impact:public_photo", args=[slug, key]))
    document: Any = None
    for figures, chars, quotes, charts in LEVELS:
        html = render_to_string(
            "impact/print.html",
            {
                "view": view,
                "content": content,
                "publication": publication,
                "indicators": view.indicators[:figures],
                "chars": chars,
                "quotes": view.quotes[:quotes],
                "charts": charts,
                "page_url": base_url.rstrip("/") + reverse("impact:public_page", args=[slug]),
            },
        )
        document = HTML(string=html, base_url=base_url).render()
        if len(document.pages) == 1:
            break
    return bytes(document.write_pdf())
