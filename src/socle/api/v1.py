"""Version 1 of the JSON API.

Two ways to authenticate. Framework endpoints use the browser session (with its CSRF token on writes) and call
the same access helpers as the pages, so the API sees exactly what the person sees: outsiders get 404, read-only
roles 403. Submission endpoints use an organisation's API token (`Authorization: Bearer socle_…`), scoped and
revocable; they only ever see that organisation's rows.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Body, Field, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from socle.api.actions import token_for
from socle.api.models import ApiToken, Scope
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign, CollectionLink
from socle.frameworks import actions
from socle.frameworks.access import get_framework_for_user, get_version_for_user
from socle.lib.frameworks.document import canonical
from socle.network.models import Establishment

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


# --- submissions --------------------------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer socle_…`: a token of one organisation, with its scopes."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_for(token)


token_auth = TokenAuth()


def _require_scope(request: HttpRequest, scope: str) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    if scope not in token.scopes:
        raise HttpError(403, f"This token may not do this: it needs the scope '{scope}'.")
    return token


class SubmissionIn(Schema):
    id: UUID = Field(description="Made by the sender, once per filled questionnaire; a resend uses the same id.")
    link: str | None = Field(None, description="The collection link's code (the end of /r/<code>/).")
    campaign: UUID | None = Field(None, description="Without a link: the campaign's id …")
    establishment: UUID | None = Field(None, description="… the establishment's id …")
    questionnaire: str | None = Field(None, description="… and the questionnaire's code.")
    answers: dict[str, Any] = Field(description="Question name → answer, as the questionnaire defines them.")
    followup_code: str | None = Field(None, description="At follow-up or exit: the code the person was given.")


class SubmissionOut(Schema):
    id: UUID
    received_at: str
    created: bool
    followup_code: str = ""


class AnswerErrorOut(Schema):
    question: str
    code: str
    message: str


class InvalidOut(Schema):
    detail: str
    errors: list[AnswerErrorOut]


def _target(token: ApiToken, body: SubmissionIn) -> tuple[Campaign, Establishment, str, CollectionLink | None]:
    links = CollectionLink.objects.select_related("campaign__framework_version__base_version", "establishment")
    links = links.filter(organisation_id=token.organisation_id)  # tenant key: another organisation's is unknown
    if body.link:
        link = links.filter(code=body.link.lower()).first()
        if link is None:
            raise HttpError(404, "No collection link of your organisation has this code.")
        return link.campaign, link.establishment, link.questionnaire_code, link
    if not (body.campaign and body.establishment and body.questionnaire):
        raise HttpError(422, "Say where the answers go: a link, or a campaign, an establishment and a questionnaire.")
    link = links.filter(
        campaign__public_id=body.campaign,
        establishment__public_id=body.establishment,
        questionnaire_code=body.questionnaire,
    ).first()
    if link is None:
        raise HttpError(404, "Your organisation has no such campaign, establishment and questionnaire together.")
    return link.campaign, link.establishment, link.questionnaire_code, link


@api.post(
    "/submissions",
    auth=token_auth,
    response={
        200: SubmissionOut,
        201: SubmissionOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: InvalidOut,
    },
    tags=["submissions"],
)
def post_submission(request: HttpRequest, body: SubmissionIn) -> Any:
    """Send one filled questionnaire. A resend of the same answers answers 200 with the stored submission; the
    same id with other answers answers 409; answers that do not fit the questionnaire answer 422 with one error
    per question, and nothing is stored."""
    token = _require_scope(request, Scope.SUBMISSIONS_WRITE)
    campaign, establishment, code, link = _target(token, body)
    try:
        received = collection_actions.submit(
            campaign=campaign,
            establishment=establishment,
            questionnaire_code=code,
            submission_uuid=body.id,
            answers=body.answers,
            mode="api",
            link=link,
            followup_code=body.followup_code,
        )
    except collection_actions.InvalidSubmission as error:
        errors = [{"question": e.question, "code": e.code, "message": e.message} for e in error.errors]
        return Status(422, {"detail": f"{len(errors)} answer(s) do not fit; nothing was stored.", "errors": errors})
    except collection_actions.SubmissionConflict as error:
        raise HttpError(409, str(error)) from None
    except collection_actions.ActionError as error:
        raise HttpError(422, str(error)) from None
    submission = received.submission
    out = {
        "id": submission.uuid,
        "received_at": submission.received_at.isoformat(),
        "created": received.created,
        "followup_code": received.followup_code,
    }
    return Status(201 if received.created else 200, out)
