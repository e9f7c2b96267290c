"""Submission endpoints of the API, with an organisation's token (`Authorization: Bearer socle_…`).

- `POST /submissions` (scope `submissions:write`): send one filled questionnaire, received exactly once.
- `GET /submissions`, `GET /submissions/{id}` (scope `submissions:read`): the organisation's submissions.
- `GET /submissions/export.csv` and `.xlsx` (scope `submissions:read`): the same table as the campaign page's
  export (`socle.collection.exports`), for the whole organisation or the filters given.

A token sees its own organisation's rows and nothing else (`socle.api.queries.submissions_of`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from socle.api import queries
from socle.api.actions import token_for
from socle.api.models import ApiToken, Scope
from socle.api.schemas import ErrorOut
from socle.collection import actions as collection_actions
from socle.collection import exports
from socle.collection.models import Campaign, CollectionLink
from socle.network.models import Establishment

MAX_PAGE = 500
CSV_ROWS_PER_CHUNK = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer socle_…`: a token of one organisation, with its scopes."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_for(token)


token_auth = TokenAuth()
router = Router(auth=token_auth, tags=["submissions"])


def require_scope(request: HttpRequest, scope: str) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    if scope not in token.scopes:
        raise HttpError(403, f"This token may not do this: it needs the scope '{scope}'.")
    return token


# --- sending -----------------------------------------------------------------------------------------------------


class SubmissionIn(Schema):
    id: UUID = Field(description="Made by the sender, once per filled questionnaire; a resend uses the same id.")
    link: str | None = Field(None, max_length=64, description="The collection link's code (the end of /r/<code>/).")
    campaign: UUID | None = Field(None, description="Without a link: the campaign's id …")
    establishment: UUID | None = Field(None, description="… the establishment's id …")
    questionnaire: str | None = Field(None, max_length=64, description="… and the questionnaire's code.")
    answers: dict[str, Any] = Field(description="Question name → answer, as the questionnaire defines them.")
    followup_code: str | None = Field(
        None, max_length=64, description="At follow-up or exit: the code the person was given."
    )


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


@router.post(
    "/submissions",
    response={
        200: SubmissionOut,
        201: SubmissionOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: InvalidOut,
    },
)
def post_submission(request: HttpRequest, body: SubmissionIn) -> Any:
    """Send one filled questionnaire. A resend of the same answers answers 200 with the stored submission; the
    same id with other answers answers 409; answers that do not fit the questionnaire answer 422 with one error
    per question, and nothing is stored."""
    token = require_scope(request, Scope.SUBMISSIONS_WRITE)
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


# --- reading -----------------------------------------------------------------------------------------------------


class FiltersIn(Schema):
    campaign: UUID | None = Field(None, description="Only this campaign's submissions (its id).")
    questionnaire: str | None = Field(
        None, max_length=64, pattern=r"^[a-z][a-z0-9_]*$", description="Only this questionnaire's (its code)."
    )
    wave: Literal["entry", "follow_up", "exit"] | None = Field(None, description="Only this wave's.")
    received_after: datetime.datetime | None = Field(
        None, description="Received at or after this instant (ISO 8601; without an offset, Paris time)."
    )
    received_before: datetime.datetime | None = Field(None, description="Received before this instant.")

    def filters(self) -> queries.Filters:
        return queries.Filters(
            campaign=self.campaign,
            questionnaire=self.questionnaire,
            wave=self.wave,
            received_after=self.received_after,
            received_before=self.received_before,
        )


class PageIn(FiltersIn):
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page; leave it out for the first page."
    )
    limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"How many submissions, {MAX_PAGE} at most.")


class EstablishmentOut(Schema):
    id: UUID
    name: str
    finess: str


class SubmissionItem(Schema):
    id: UUID = Field(description="The id the sender made.")
    campaign: UUID
    establishment: EstablishmentOut
    framework: str = Field(description="The framework's slug.")
    framework_version: int = Field(description="The number of the framework version the answers were given to.")
    questionnaire: str
    wave: str
    mode: str = Field(description="self, assisted, paper, import or api.")
    received_at: str = Field(
        json_schema_extra={"format": "date-time"}, description="When Socle received it (ISO 8601, to the microsecond)."
    )
    answers: dict[str, Any]
    quote_consent: bool | None = Field(description="May open answers be quoted anonymously (null: not asked).")
    corrects: UUID | None = Field(description="The id of the submission this one corrects, if any.")


class SubmissionPage(Schema):
    items: list[SubmissionItem]
    next_cursor: str | None = Field(description="Give it as `cursor` for the next page; null on the last page.")


def _rows(token: ApiToken, params: FiltersIn) -> Any:
    try:
        return queries.filtered(token.organisation_id, params.filters())
    except queries.QueryProblem as problem:
        raise HttpError(problem.status, str(problem)) from None


READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/submissions", response={200: SubmissionPage, **READ_ERRORS})
def list_submissions(request: HttpRequest, params: Query[PageIn]) -> Any:
    """The organisation's submissions in the order they arrived (`received_at`, then an internal order for
    submissions received at the same instant), a page at a time: follow `next_cursor` until it is null. A page
    never repeats nor skips a submission, even while new ones arrive."""
    token = require_scope(request, Scope.SUBMISSIONS_READ)
    rows = _rows(token, params)
    try:
        found = queries.page(rows, cursor=params.cursor, limit=params.limit)
    except queries.QueryProblem as problem:
        raise HttpError(problem.status, str(problem)) from None
    return {"items": [queries.item(s) for s in found.items], "next_cursor": found.next_cursor}


def _filename(token: ApiToken, params: FiltersIn, extension: str) -> str:
    scope = f"campaign-{params.campaign}" if params.campaign else "submissions"
    return f"{token.organisation.slug}-{scope}.{extension}"


def _csv_chunks(table: Iterable[list[object]]) -> Iterator[bytes]:
    """`exports.to_csv`, a few hundred rows at a time: the same bytes, without holding the whole file."""
    bom = "\ufeff".encode()
    batch: list[list[object]] = []
    first = True
    for row in table:
        batch.append(row)
        if len(batch) >= CSV_ROWS_PER_CHUNK:
            data = exports.to_csv(batch)
            yield data if first else data.removeprefix(bom)
            batch, first = [], False
    if batch or first:
        data = exports.to_csv(batch)
        yield data if first else data.removeprefix(bom)


EXPORT_NOTE = (
    " One row per submission, one column per question name (the same column across versions of a questionnaire), "
    "and the columns `framework_version` and `questionnaire` say what each row answered: the same table as the "
    "campaign page's export. Without `campaign`, every submission of the organisation that passes the filters."
)


@router.get(
    "/submissions/export.csv",
    response={200: None, **READ_ERRORS},
    description="The organisation's raw submissions as CSV (UTF-8 with a byte-order mark, `;`), streamed."
    + EXPORT_NOTE,
    openapi_extra={
        "responses": {
            "200": {
                "description": "CSV in UTF-8 with a byte-order mark, separated by ';'.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_submissions_csv(request: HttpRequest, params: Query[FiltersIn]) -> Any:
    token = require_scope(request, Scope.SUBMISSIONS_READ)
    table = exports.rows(_rows(token, params))
    response = StreamingHttpResponse(_csv_chunks(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(token, params, "csv")}"'
    return response


@router.get(
    "/submissions/export.xlsx",
    response={200: None, **READ_ERRORS},
    description="The organisation's raw submissions as an Excel workbook." + EXPORT_NOTE,
    openapi_extra={
        "responses": {
            "200": {
                "description": "An Excel workbook with one sheet, `submissions`.",
                "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_submissions_xlsx(request: HttpRequest, params: Query[FiltersIn]) -> Any:
    token = require_scope(request, Scope.SUBMISSIONS_READ)
    data = exports.to_xlsx(exports.rows(_rows(token, params)))
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(token, params, "xlsx")}"'
    return response


@router.get("/submissions/{submission_id}", response={200: SubmissionItem, **READ_ERRORS})
def get_submission(request: HttpRequest, submission_id: UUID) -> Any:
    """One submission of the organisation, by the id its sender made. Another organisation's is unknown: 404."""
    token = require_scope(request, Scope.SUBMISSIONS_READ)
    # The id is unique per questionnaire version; should a sender reuse one, the first received is shown.
    submission = (
        queries.with_details(queries.submissions_of(token.organisation_id))
        .filter(uuid=submission_id)
        .order_by("received_at", "id")
        .first()
    )
    if submission is None:
        raise HttpError(404, "No submission of your organisation has this id.")
    return queries.item(submission)
