"""Network and organisation pages. Each view calls its access helper first, then reads or calls an action."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socle.accounts.forms import NewAccountForm
from socle.accounts.models import User
from socle.network import actions, queries
from socle.network.access import (
    establishments_of,
    get_establishment_for_user,
    get_member_for_network_user,
    get_network_for_user,
    get_organisation_for_user,
)
from socle.network.forms import (
    ConsentForm,
    FrameFilterForm,
    InviteNetworkStaffForm,
    InviteOrganisationForm,
    InviteStaffForm,
)
from socle.network.models import FacilitatorConsent, Invitation, Membership, Role


def _invite_from_form(request: HttpRequest, form: Any, *, network: Any, role: str, organisation: Any = None) -> bool:
    """Sends the invitation a valid form describes; a refusal becomes an error on the form's e-mail field."""
    try:
        sent = actions.invite(
            network=network,
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=role,
            acting_user=request.user,
            language=get_language() or "fr",
        )
    except actions.ActionError as error:
        form.add_error("email", str(error))
        return False
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": sent.invitation.email})
    return True


# --- network staff -----------------------------------------------------------------------------------------


@login_required
def network_home(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug)
    return render(
        request,
        "network/network_home.html",
        {"access": access, "network": access.network, "summary": queries.participation(access.network)},
    )


@login_required
def frame(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug)
    form = FrameFilterForm(request.GET or None)
    q = participates = ""
    if form.is_valid():
        q, participates = form.cleaned_data["q"], form.cleaned_data["participates"]
    page = Paginator(queries.frame_establishments(access.network, q=q, participates=participates), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "network/frame.html",
        {"access": access, "network": access.network, "form": form, "page": page},
    )


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug)
    network = access.network
    return render(
        request,
        "network/members.html",
        {
            "access": access,
            "network": network,
            "organisations": queries.member_organisations(network),
            "invitable_count": queries.invitable_organisations(network).count(),
            "pending": Invitation.objects.filter(network=network, accepted_at__isnull=True)
            .select_related("organisation")
            .order_by("-created_at")[:50],
            "form": InviteOrganisationForm(network_id=network.pk),
        },
    )


@login_required
@require_POST
def invite_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug, write=True)
    form = InviteOrganisationForm(request.POST, network_id=access.network.pk)
    if not form.is_valid() or not _invite_from_form(
        request,
        form,
        network=access.network,
        organisation=form.cleaned_data["organisation"],
        role=Role.ORG_ADMIN,
    ):
        # The form lives on the members page: its errors are shown there as messages.
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
    return redirect("network:members", access.network.slug)


@login_required
@require_POST
def invite_from_frame(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug, write=True)
    organisations = list(queries.invitable_organisations(access.network))
    result = actions.invite_organisations_from_frame(
        network=access.network, organisations=organisations, acting_user=request.user
    )
    messages.success(
        request,
        _("%(count)d invitations sent to organisations of the frame.") % {"count": len(result.sent)},
    )
    return redirect("network:members", access.network.slug)


@login_required
def member_detail(request: HttpRequest, slug: str, org: str) -> HttpResponse:
    access, organisation = get_member_for_network_user(request, slug, org)
    establishments = establishments_of(organisation).select_related("type")
    return render(
        request,
        "network/member_detail.html",
        {
            "access": access,
            "network": access.network,
            "organisation": organisation,
            "establishments": establishments,
            "accounts": Membership.objects.filter(organisation=organisation).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_team(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug, write=request.method == "POST")
    form = InviteNetworkStaffForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _invite_from_form(request, form, network=access.network, role=form.cleaned_data["role"])
    ):
        return redirect("network:network_team", access.network.slug)
    team = (
        Membership.objects.filter(network=access.network, organisation__isnull=True)
        .select_related("user")
        .order_by("role", "user__email")
    )
    return render(
        request,
        "network/network_team.html",
        {"access": access, "network": access.network, "team": team, "form": form},
        status=422 if form.errors else 200,
    )


# --- member organisations ----------------------------------------------------------------------------------


@login_required
def organisation_home(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug)
    establishments = establishments_of(access.organisation).select_related("type").order_by("name")
    totals = establishments.aggregate(
        people=Sum("people_supported", default=0),
        places=Sum("places", default=0),
        employees=Sum("employees", default=0),
    )
    from socle.learning.queries import steps  # the guided approach: each step's status from the real state

    return render(
        request,
        "network/organisation_home.html",
        {
            "access": access,
            "organisation": access.organisation,
            "establishments": establishments,
            "totals": totals,
            "steps": steps(access.organisation),
        },
    )


@login_required
def establishment_detail(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, establishment = get_establishment_for_user(request, slug, public_id)
    return render(
        request,
        "network/establishment_detail.html",
        {"access": access, "organisation": access.organisation, "establishment": establishment},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_team(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug, write=request.method == "POST")
    organisation = access.organisation
    form = InviteStaffForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _invite_from_form(
            request, form, network=organisation.network, organisation=organisation, role=form.cleaned_data["role"]
        )
    ):
        return redirect("network:organisation_team", organisation.slug)
    team = Membership.objects.filter(organisation=organisation).select_related("user").order_by("role", "user__email")
    pending = Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True).order_by("-created_at")
    return render(
        request,
        "network/organisation_team.html",
        {"access": access, "organisation": organisation, "team": team, "pending": pending, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitators(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation admin lets a facilitator of the network see the organisation, or stops it."""
    access = get_organisation_for_user(request, slug, write=request.method == "POST")
    organisation = access.organisation
    candidates = queries.network_facilitators(organisation.network)
    if request.method == "POST":
        form = ConsentForm(request.POST, facilitators=candidates)
        facilitator = form.cleaned_data["facilitator"] if form.is_valid() else None
        if facilitator is None:
            messages.error(request, _("Choose a facilitator of the network from the list."))
        elif form.cleaned_data["decision"] == "grant":
            actions.grant_consent(organisation=organisation, facilitator=facilitator, acting_user=request.user)
            messages.success(request, _("%(name)s can now see your organisation.") % {"name": facilitator})
        else:
            actions.revoke_consent(organisation=organisation, facilitator=facilitator, acting_user=request.user)
            messages.success(request, _("%(name)s can no longer see your organisation.") % {"name": facilitator})
        return redirect("network:facilitators", organisation.slug)
    active = set(
        FacilitatorConsent.objects.filter(organisation=organisation, revoked_at__isnull=True).values_list(
            "facilitator_id", flat=True
        )
    )
    rows = [(user, user.pk in active) for user in candidates]
    return render(
        request,
        "network/facilitators.html",
        {"access": access, "organisation": organisation, "rows": rows},
    )


# --- invitations ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = actions.find_invitation(token)
    if invitation is None:
        return render(request, "network/invitation_invalid.html", status=404)
    if not invitation.is_usable:
        return render(request, "network/invitation_invalid.html", {"invitation": invitation}, status=410)
    has_account = User.objects.filter(email=invitation.email).exists()
    user = request.user
    if user.is_authenticated and user.email != invitation.email:
        return render(request, "network/invitation_other_account.html", {"invitation": invitation}, status=403)
    form = None
    if not user.is_authenticated and not has_account:
        form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if user.is_authenticated:
                actions.accept_invitation(invitation, user)  # type: ignore[arg-type]
            elif form is not None and form.is_valid():
                new_user = actions.create_account_and_accept(
                    invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return render(
                    request,
                    "network/invitation_accept.html",
                    {"invitation": invitation, "form": form, "has_account": has_account},
                    status=422,
                )
        except actions.ActionError as error:
            messages.error(request, str(error))
            return redirect("network:accept_invitation", token)
        messages.success(request, _("Welcome! Your invitation is accepted."))
        return redirect("web:home")
    return render(
        request,
        "network/invitation_accept.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
    )
