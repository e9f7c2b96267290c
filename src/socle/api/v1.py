"""Version 1 of the JSON API.

Authentication is the browser session for now (with its CSRF token on writes); per-organisation API tokens come
with collection. Every endpoint calls the same access helper as the pages first, so the API sees exactly what the
person sees: outsiders get 404, read-only roles 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Body, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from socle.frameworks import actions
from socle.frameworks.access import get_framework_for_user, get_version_for_user
from socle.lib.frameworks.document import canonical

api = NinjaAPI(
    title="Socle API",
    version="1",
    description="Frameworks (référentiels) of a network and its member organisations.",
    auth=django_auth,
    urls_namespace="api-v1",
)


class ProblemOut(Schema):
    path: str
    message: str
    line: int | None = None


class ErrorOut(Schema):
    detail: str
    problems: list[ProblemOut] = []


class VersionOut(Schema):
    framework: str
    number: int
    status: str
    sha256: str
    document: dict[str, Any]


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "You may read this framework but not change it."}, status=403)


@api.exception_handler(actions.DocumentRejected)
def rejected(request: HttpRequest, exc: actions.DocumentRejected):  # type: ignore[no-untyped-def]
    from socle.lib.frameworks.problems import format_path

    problems = [{"path": format_path(p.path), "message": p.message, "line": p.line} for p in exc.problems]
    return api.create_response(
        request,
        {"detail": f"The document has {len(problems)} problem(s); nothing was saved.", "problems": problems},
        status=422,
    )


def _out(version: Any) -> dict[str, Any]:
    return {
        "framework": version.framework.slug,
        "number": version.number,
        "status": version.status,
        "sha256": version.content_sha256,
        "document": canonical(version.content),
    }


@api.get("/frameworks/{slug}/versions/{number}", response={200: VersionOut, 404: ErrorOut}, tags=["frameworks"])
def get_version(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    """One version of a framework, as the document of the published JSON Schema."""
    _access, version = get_version_for_user(request, slug, number)
    return _out(version)


@api.put(
    "/frameworks/{slug}/versions/{number}",
    response={200: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["frameworks"],
)
def put_version(request: HttpRequest, slug: str, number: int, document: Body[dict[str, Any]]) -> Any:
    """Replace a draft with a new document. A published version never changes: 409."""
    _access, version = get_version_for_user(request, slug, number, write=True)
    if version.is_published:
        raise HttpError(409, f"Version {number} of {slug} is published and cannot be changed; start a new draft.")
    try:
        version = actions.save_draft(version, document, acting_user=request.user)
    except actions.DocumentRejected:
        raise
    except actions.ActionError as error:
        raise HttpError(409, str(error)) from None
    return _out(version)


@api.post(
    "/frameworks/{slug}/versions",
    response={201: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    tags=["frameworks"],
)
def post_version(request: HttpRequest, slug: str) -> Any:
    """Start a new draft from the latest version."""
    access = get_framework_for_user(request, slug, write=True)
    try:
        version = actions.create_draft(access.framework, acting_user=request.user)
    except actions.ActionError as error:
        raise HttpError(409, str(error)) from None
    return Status(201, _out(version))
