"""Version 1 of the JSON API.

Two ways to authenticate. Framework endpoints use the browser session (with its CSRF token on writes) and call
the same access helpers as the pages, so the API sees exactly what the person sees: outsiders get 404, read-only
roles 403. Submission endpoints (`socle.api.submissions`) use an organisation's API token
(`Authorization: Bearer socle_…`), scoped and revocable; they only ever see that organisation's rows.
Published sector figures (`socle.api.sector`) are public: no token, no session.

Every error is JSON with a `detail` that says what is wrong. A body that is not JSON, that uses `NaN` or
`Infinity`, or that holds the NUL character (which PostgreSQL cannot store) or half of a surrogate pair (which
is not a character) is refused with 400 before any endpoint runs (`StrictJSONParser`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Body, NinjaAPI, Path, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.parser import Parser
from ninja.security import django_auth

from socle.api.results import router as results_router
from socle.api.schemas import ErrorOut, ProblemOut
from socle.api.sector import router as sector_router
from socle.api.submissions import router as submissions_router
from socle.frameworks import actions
from socle.frameworks.access import get_framework_for_user, get_version_for_user
from socle.lib.frameworks.document import canonical

__all__ = ["ErrorOut", "ProblemOut", "api"]

MAX_INT = 2_147_483_647  # the largest integer a database column of Socle holds


class BodyProblem(ValueError):
    """A request body the API refuses before reading it (HTTP 400); the message says why."""


def _refuse_constant(name: str) -> None:
    raise BodyProblem(f"{name} is not a JSON number")


# NUL, which PostgreSQL cannot store in text, and halves of surrogate pairs, which are not characters (JSON may
# escape them, `"\ud800"`, but they cannot be written in UTF-8).
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _not_text_at(value: object) -> tuple[str, str] | None:
    """Where the first character that is not text is in a parsed JSON value (a key or a string), and which one;
    None when there is none. Iterative: a deeply nested body cannot exhaust the stack."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            found = _NOT_TEXT.search(item)
            if found:
                return where or "the body", found.group()
        elif isinstance(item, dict):
            for key, inner in item.items():
                path = f"{where}.{key}" if where else str(key)
                found = _NOT_TEXT.search(key)
                if found:
                    return path, found.group()
                stack.append((path, inner))
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", inner) for index, inner in enumerate(item))
    return None


def _escaped(text: str) -> str:
    return _NOT_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class StrictJSONParser(Parser):
    """JSON as RFC 8259 defines it (no `NaN`), whose text is text (no NUL, no half of a surrogate pair); an error
    says what is wrong and where."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        except BodyProblem as error:
            raise BodyProblem(f"The body is not valid JSON: {error}.") from None
        except json.JSONDecodeError as error:
            raise BodyProblem(
                f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
            ) from None
        except UnicodeDecodeError:
            raise BodyProblem("The body is not text in UTF-8.") from None
        except RecursionError:
            raise BodyProblem("The body is nested too deeply.") from None
        except ValueError as error:  # an integer of thousands of digits, for one
            raise BodyProblem(f"The body cannot be read: {error}.") from None
        found = _not_text_at(data)
        if found is not None:
            where, character = _escaped(found[0]), _escaped(found[1])
            what = "the NUL character" if character == "\\u0000" else "half of a surrogate pair"
            raise BodyProblem(f"Text cannot hold {what} ({character}); there is one at {where}.")
        return data


api = NinjaAPI(
    title="Socle API",
    version="1",
    description=(
        "Frameworks (référentiels) of a network and its member organisations, with the browser session; "
        "submissions of one organisation, with its API token (`Authorization: Bearer socle_…`); "
        "published sector figures, public (no token)."
    ),
    auth=django_auth,
    urls_namespace="api-v1",
    parser=StrictJSONParser(),
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "You may read this framework but not change it."}, status=403)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja replaces a parser's error by "Cannot parse request body"; ours says what is wrong.
    cause = exc.__cause__
    detail = str(cause) if isinstance(cause, BodyProblem) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        detail = "This API token is unknown or revoked: ask an admin of your organisation for a new one."
    else:
        detail = (
            "Authentication needed: submission endpoints take an organisation's API token "
            "(Authorization: Bearer socle_…); framework endpoints take a signed-in session."
        )
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Socle API"'
    return response


@api.exception_handler(actions.DocumentRejected)
def rejected(request: HttpRequest, exc: actions.DocumentRejected):  # type: ignore[no-untyped-def]
    from socle.lib.frameworks.problems import format_path

    problems = [{"path": format_path(p.path), "message": p.message, "line": p.line} for p in exc.problems]
    return api.create_response(
        request,
        {"detail": f"The document has {len(problems)} problem(s); nothing was saved.", "problems": problems},
        status=422,
    )


class VersionOut(Schema):
    framework: str
    number: int
    status: str
    sha256: str
    document: dict[str, Any]


def _out(version: Any) -> dict[str, Any]:
    return {
        "framework": version.framework.slug,
        "number": version.number,
        "status": version.status,
        "sha256": version.content_sha256,
        "document": canonical(version.content),
    }


SLUG = r"^[-a-zA-Z0-9_]+$"
Slug = Path(..., pattern=SLUG, max_length=64, description="The framework's slug.")
Number = Path(..., ge=1, le=MAX_INT, description="The version's number.")


@api.get("/frameworks/{slug}/versions/{number}", response={200: VersionOut, 404: ErrorOut}, tags=["frameworks"])
def get_version(request: HttpRequest, slug: str = Slug, number: int = Number) -> dict[str, Any]:
    """One version of a framework, as the document of the published JSON Schema."""
    _access, version = get_version_for_user(request, slug, number)
    return _out(version)


@api.put(
    "/frameworks/{slug}/versions/{number}",
    response={200: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["frameworks"],
)
def put_version(request: HttpRequest, document: Body[dict[str, Any]], slug: str = Slug, number: int = Number) -> Any:
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
def post_version(request: HttpRequest, slug: str = Slug) -> Any:
    """Start a new draft from the latest version."""
    access = get_framework_for_user(request, slug, write=True)
    try:
        version = actions.create_draft(access.framework, acting_user=request.user)
    except actions.ActionError as error:
        raise HttpError(409, str(error)) from None
    return Status(201, _out(version))


api.add_router("", submissions_router)
api.add_router("", results_router)
api.add_router("", sector_router)
