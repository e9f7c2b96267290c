"""Pages of the advocacy report (``socle.sector.report``). Everybody: the report of a sector campaign's published
figures, as a page and a PDF, for the whole sector or one région (``public_report``, ``public_report_pdf``). Network
staff: the PDF made in the background, its progress and its download (``report_start`` for admins,
``report_job`` and ``report_job_pdf`` for staff). Each view calls its access helper first
(``socle.sector.access``)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from socle.network.actions import ActionError
from socle.sector import report
from socle.sector.access import get_publication, get_publication_for_network, get_report_job_for_network
from socle.sector.models import Publication, ReportJob


def _public(request: HttpRequest, network_slug: str, code: str) -> tuple[Publication, str]:
    """The publication (the latest, or ``?version=``) and région (``?region=``, "" for the whole sector)."""
    wanted = request.GET.get("version", "").strip()
    if wanted and not wanted.isdigit():
        raise Http404
    _network, _campaign, publication = get_publication(network_slug, code, int(wanted) if wanted else None)
    region = request.GET.get("region", "").strip()
    if region and region not in {code for code, _name in report.regions_of(publication.figures)}:
        raise Http404
    return publication, region


@require_GET
def public_report(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    publication, region = _public(request, network_slug, code)
    return render(request, "sector/report.html", report.report_context(publication, region=region))


@require_GET
def public_report_pdf(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    """Made once per publication, région and language, then served from the database (``report.public_pdf``)."""
    publication, region = _public(request, network_slug, code)
    pdf = report.public_pdf(publication, region=region)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.file_name(publication, region)}"'
    return response


@login_required
@require_POST
def report_start(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    _access, publication = get_publication_for_network(request, slug, public_id, write=True)
    try:
        job = report.queue_report(publication, region=request.POST.get("region", "").strip(), acting_user=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("sector:home", slug)
    return redirect("sector:report_job", slug, job.public_id)


@login_required
@require_GET
def report_job(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, job = get_report_job_for_network(request, slug, public_id)
    region_name = dict(report.regions_of(job.publication.figures)).get(job.region, job.region)
    response = render(
        request,
        "sector/report_job.html",
        {"network": access.network, "access": access, "job": job, "region_name": region_name},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def report_job_pdf(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    _access, job = get_report_job_for_network(request, slug, public_id)
    if job.status != ReportJob.Status.DONE:
        raise Http404
    response = HttpResponse(bytes(job.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name(job.publication, job.region)}"'
    return response
