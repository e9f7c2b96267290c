from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from socle.accounts.forms import EmailAuthenticationForm, TokenForm
from socle.accounts.second_factor import confirmed_device, qr_svg, second_factor_required
from socle.audit.models import record


def _next_url(request: HttpRequest, default: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return default


class SocleLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for people who use an authenticator app."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _("This code is not valid. Type the code your app shows now; after several wrong codes, wait a moment."),
        )
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "device": confirmed_device(request.user),
            "required": second_factor_required(request.user),
        },
    )


def _base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Turns on the second factor: scan the QR code, then type one code to prove it works."""
    if confirmed_device(request.user) is not None:
        return redirect("accounts:security")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
                record("account.totp_enabled", actor=request.user, target=request.user.email)
            otp_login(request, device)
            messages.success(request, _("Two-step verification is on."))
            return redirect(_next_url(request, "/accounts/security/"))
        form.add_error("token", _("This code does not match. Check the time of your phone and type the current code."))
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url),
            "key": _base32(device),
            "required": second_factor_required(request.user),
            "next": _next_url(request, ""),
        },
    )


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    if second_factor_required(request.user):
        messages.error(request, _("Network admins must keep two-step verification on."))
        return redirect("accounts:security")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).delete()
        record("account.totp_disabled", actor=request.user, target=request.user.email)
    messages.success(request, _("Two-step verification is off."))
    return redirect("accounts:security")
