from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from socle.network.access import spaces_for_user


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The places the signed-in person can go to, for the header navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_spaces": []}
    return {"nav_spaces": spaces_for_user(user)}
