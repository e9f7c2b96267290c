from __future__ import annotations

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from socle.network.access import spaces_for_user


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous people see what Socle is; a signed-in person with one place goes straight there."""
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    spaces = spaces_for_user(request.user)
    if len(spaces) == 1:
        space = spaces[0]
        return redirect("network:network_home" if space.kind == "network" else "network:organisation_home", space.slug)
    return render(request, "web/home.html", {"spaces": spaces})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})
