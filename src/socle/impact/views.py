"""Impact pages: the composer, preview and versions for the organisation (``/o/<slug>/impact/…``), and the public
page with its widget, badge, PDF and photos (``/impact/<slug>/…``), and the directory of a network's published
pages (``/sector/<network>/members/``). Every view calls its access helper first (``socle.impact.access``); reads
are in ``queries.py``, writes in ``actions.py``, rendering in ``presentation.py``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.impact import actions, queries
from socle.impact.access import get_page_for_user, get_published, page_of, photos_of, publications_of, published_pages
from socle.impact.forms import PageForm, PhotoForm
from socle.impact.models import ImpactPage, ImpactPhoto, ImpactPublication
from socle.impact.presentation import PageView, badge_text, page_view
from socle.lib.impact import svg
from socle.network.actions import ActionError
from socle.network.models import Network, Organisation
from socle.qualitative.queries import approved_quotes

PUBLIC_CACHE = "public, max-age=300"


def _draft_photos(organisation_id: int) -> list[ImpactPhoto]:
    return list(photos_of(organisation_id).filter(removed_at__isnull=True).order_by("added_at", "id"))


def _page_form(organisation: Organisation, page: ImpactPage, data: Any = None) -> PageForm:
    campaigns = queries.campaigns_for(organisation.pk)
    by_key = {str(c.public_id): c for c in campaigns}
    # the campaign posted (one of the organisation's, or none), else the draft's
    campaign = by_key.get(data.get("campaign") or "") if data is not None else page.campaign
    candidates = queries.candidates(organisation.pk, campaign) if campaign is not None else []
    if data is not None and campaign != page.campaign:
        # another campaign: the indicators chosen for the previous one are dropped, not refused
        codes = {c.code for c in candidates}
        data = data.copy()
        data.setlist("indicators", [code for code in data.getlist("indicators") if code in codes])
    initial = {
        "mission": page.mission,
        "activities": page.activities,
        "campaign": str(page.campaign.public_id) if page.campaign else "",
        "indicators": page.indicators,
        "quotes": page.quotes,
        "show_activity": page.show_activity,
        "show_theory_of_change": page.show_theory_of_change,
        "show_sector": page.show_sector,
        "imp_what": page.imp_what,
        "imp_who": page.imp_who,
        "imp_how_much": page.imp_how_much,
        "imp_contribution": page.imp_contribution,
        "imp_risk": page.imp_risk,
    }
    form = PageForm(
        data, campaigns=campaigns, candidates=candidates, quotes=approved_quotes(organisation.pk), initial=initial
    )
    form.candidates = candidates  # type: ignore[attr-defined]
    return form


@login_required
@require_http_methods(["GET", "POST"])
def composer(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft of the page: its texts, the campaign and indicators shown (each with how it would show), the
    testimonials, the photos; publishing and unpublishing; the versions published."""
    access = get_page_for_user(request, slug, write=request.method == "POST")
    organisation = access.organisation
    page = page_of(organisation)
    if request.method == "POST":
        form = _page_form(organisation, page, request.POST)
        if form.is_valid():
            try:
                actions.save_draft(organisation, form.draft_values(), acting_user=request.user)
            except ActionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The draft is saved. Preview it, then publish it when it is ready."))
                return redirect("impact:composer", slug=organisation.slug)
    else:
        form = _page_form(organisation, page)
    return render(
        request,
        "impact/composer.html",
        {
            "organisation": organisation,
            "access": access,
            "page": page,
            "form": form,
            "indicator_rows": list(zip(form["indicators"], form.candidates, strict=True)),  # type: ignore[attr-defined]
            "photos": _draft_photos(organisation.pk),
            "photo_form": PhotoForm(),
            "versions": list(publications_of(organisation.pk).order_by("-version")[:20]),
            "public_url": settings.BASE_URL + reverse("impact:public_page", args=[organisation.slug]),
            "embed_code": embed_code(organisation.slug),
            "badge_url": settings.BASE_URL + reverse("impact:public_badge", args=[organisation.slug]),
        },
    )


@login_required
@require_POST
def photo_add(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_page_for_user(request, slug, write=True)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
    else:
        try:
            actions.add_photo(
                access.organisation,
                form.cleaned_data["image"].read(actions.MAX_PHOTO_BYTES + 1),
                alt_text=form.cleaned_data["alt_text"],
                caption=form.cleaned_data["caption"],
                acting_user=request.user,
            )
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The photo is added to the draft."))
    return redirect("impact:composer", slug=access.organisation.slug)


def _photo(organisation_id: int, public_id: UUID) -> ImpactPhoto:
    photo = photos_of(organisation_id).filter(public_id=public_id).first()
    if photo is None:
        raise Http404
    return photo


@login_required
@require_POST
def photo_remove(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access = get_page_for_user(request, slug, write=True)
    actions.remove_photo(_photo(access.organisation.pk, public_id), acting_user=request.user)
    messages.success(request, _("The photo is taken off the draft."))
    return redirect("impact:composer", slug=access.organisation.slug)


def _jpeg(photo: ImpactPhoto, cache: str) -> HttpResponse:
    response = HttpResponse(bytes(photo.content), content_type="image/jpeg")
    response["Cache-Control"] = cache
    return response


@login_required
@require_GET
def draft_photo(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    """A photo of the organisation (for the composer and the previews)."""
    access = get_page_for_user(request, slug)
    return _jpeg(_photo(access.organisation.pk, public_id), "private, max-age=300")


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_page_for_user(request, slug, write=True)
    try:
        publication = actions.publish(access.organisation, acting_user=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Version %(version)d of the page is published.") % {"version": publication.version})
    return redirect("impact:composer", slug=access.organisation.slug)


@login_required
@require_POST
def unpublish(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_page_for_user(request, slug, write=True)
    try:
        actions.unpublish(access.organisation, acting_user=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The page is no longer public. Its versions are kept."))
    return redirect("impact:composer", slug=access.organisation.slug)


def _render_page(
    request: HttpRequest, content: dict[str, Any], *, mode: str, photo_url: Any, extra: dict[str, Any] | None = None
) -> HttpResponse:
    view = page_view(content, photo_url)
    return render(request, "impact/page.html", {"view": view, "content": content, "mode": mode, **(extra or {})})


@login_required
@require_GET
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft as the public would see it, if published now."""
    access = get_page_for_user(request, slug)
    organisation = access.organisation
    content = queries.compose(organisation, page_of(organisation), _draft_photos(organisation.pk))
    return _render_page(
        request,
        content,
        mode="preview",
        photo_url=lambda key: reverse("impact:draft_photo", args=[organisation.slug, key]),
        extra={"organisation": organisation},
    )


@login_required
@require_GET
def version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A published version, as it was (for the organisation: the public sees only the latest)."""
    access = get_page_for_user(request, slug)
    organisation = access.organisation
    publication = publications_of(organisation.pk).filter(version=number).first()
    if publication is None:
        raise Http404
    return _render_page(
        request,
        publication.content,
        mode="version",
        photo_url=lambda key: reverse("impact:draft_photo", args=[organisation.slug, key]),
        extra={"organisation": organisation, "publication": publication},
    )


# --- Public -------------------------------------------------------------------------------------------------------


def _public_photo_url(slug: str) -> Any:
    return lambda key: reverse("impact:public_photo", args=[slug, key])


@require_GET
def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    _organisation, publication = get_published(slug)
    url = settings.BASE_URL + reverse("impact:public_page", args=[slug])
    response = _render_page(
        request,
        publication.content,
        mode="public",
        photo_url=_public_photo_url(slug),
        extra={"publication": publication, "canonical": url, "base_url": settings.BASE_URL},
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
@xframe_options_exempt
def public_widget(request: HttpRequest, slug: str) -> HttpResponse:
    """A small card for other sites to embed in an iframe: the headline figure and a link to the page."""
    _organisation, publication = get_published(slug)
    view = page_view(publication.content, _public_photo_url(slug), charts=False)
    response = render(
        request,
        "impact/widget.html",
        {
            "view": view,
            "content": publication.content,
            "page_url": settings.BASE_URL + reverse("impact:public_page", args=[slug]),
        },
    )
    response["Cache-Control"] = PUBLIC_CACHE
    response["Content-Security-Policy"] = "frame-ancestors *"
    return response


@require_GET
def public_badge(request: HttpRequest, slug: str) -> HttpResponse:
    """An SVG badge of the headline figure: "82 % | <indicator>"."""
    _organisation, publication = get_published(slug)
    value, label = badge_text(page_view(publication.content, _public_photo_url(slug), charts=False))
    response = HttpResponse(svg.badge(value, label), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = PUBLIC_CACHE
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
def public_photo(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    """A photo the published page shows; any other is a 404."""
    organisation, publication = get_published(slug)
    if str(public_id) not in {photo["id"] for photo in publication.content.get("photos", [])}:
        raise Http404
    return _jpeg(_photo(organisation.pk, public_id), PUBLIC_CACHE)


@lru_cache(maxsize=32)
def _pdf(public_id: UUID, language: str, base_url: str) -> bytes:
    """The one-page PDF of a published version (frozen: made once per version and language)."""
    from socle.impact.report import one_page_pdf

    publication = ImpactPublication.objects.get(public_id=public_id)
    with translation.override(language):
        return one_page_pdf(publication, base_url=base_url)


@require_GET
def public_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    _organisation, publication = get_published(slug)
    data = _pdf(publication.public_id, translation.get_language() or "fr", settings.BASE_URL + "/")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="impact-{slug}-v{publication.version}.pdf"'
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def directory(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The network's members' published impact pages."""
    network = Network.objects.filter(slug=network_slug).first()
    if network is None:
        raise Http404
    entries: list[tuple[Organisation, PageView]] = [
        (p.organisation, page_view(p.content, _public_photo_url(p.organisation.slug), charts=False))
        for p in published_pages(network.pk)
    ]
    from socle.sector.access import publications_of as sector_publications_of

    has_sector = sector_publications_of(network).exists()
    return render(request, "impact/directory.html", {"network": network, "entries": entries, "has_sector": has_sector})


def embed_code(slug: str) -> str:
    """The HTML another site pastes to show the widget."""
    src = settings.BASE_URL + reverse("impact:public_widget", args=[slug])
    title = _("Impact page")
    return f'<iframe src="{src}" title="{title}" width="320" height="180" style="border:0" loading="lazy"></iframe>'
