"""The organisation admin's page for API tokens: the list, a new token (its secret shown once), revoking one."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from socle.api import actions
from socle.api.access import get_token_for_user, get_tokens_for_user, tokens_of
from socle.api.models import Scope
from socle.network.actions import ActionError


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("To recognise the token later, for example the tool that uses it."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What the token may do"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose what the token may do.")},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_tokens_for_user(request, slug)
    organisation = access.organisation
    form = TokenForm()
    status = 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = actions.create_token(
                    organisation,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    acting_user=request.user,
                )
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                # Shown on this answer only: Socle keeps the hash, and never_cache keeps it out of caches.
                return render(
                    request,
                    "api/token_created.html",
                    {"organisation": organisation, "access": access, "token": token, "secret": secret},
                )
        status = 422
    rows = tokens_of(organisation).select_related("created_by").order_by("revoked_at", "-created_at")
    return render(
        request,
        "api/tokens.html",
        {"organisation": organisation, "access": access, "tokens": rows, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, token = get_token_for_user(request, slug, public_id)
    if request.method == "POST":
        if token.revoked_at is None:
            actions.revoke_token(token, acting_user=request.user)
            messages.success(
                request, _("The token %(name)s is revoked: tools that use it are refused.") % {"name": token.name}
            )
        return redirect("api:tokens", access.organisation.slug)
    return render(
        request, "api/token_revoke.html", {"organisation": access.organisation, "access": access, "token": token}
    )
