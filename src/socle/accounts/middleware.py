from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from socle.accounts.second_factor import needs_second_factor

# Paths a person who still owes a second factor may reach.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class SecondFactorMiddleware:
    """Sends a signed-in person who must give a second factor, and has not yet, to do so first.

    Anyone who turned TOTP on must use it; network admins must turn it on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            owed = needs_second_factor(user)
            if owed == "verify" and not user.is_verified():  # type: ignore[union-attr]
                return redirect(f"{reverse('accounts:verify')}?next={request.get_full_path()}")
            if owed == "setup":
                return redirect(f"{reverse('accounts:totp_setup')}?next={request.get_full_path()}")
        return self.get_response(request)
