"""Reading an organisation's submissions for the API: filters, a stable cursor, and the shape of one item.

Every query starts from `submissions_of(organisation_id)`, the tenant key: a token sees its own organisation's
rows and nothing else. Pages are read by keyset on `(received_at, id)`, the order in which submissions arrive,
so a page never repeats nor skips a row while new submissions arrive.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone

from socle.collection.access import campaigns_of
from socle.collection.models import Submission

CURSOR_SALT = "socle.api.submissions.cursor"


class QueryProblem(ValueError):
    """A filter or cursor the API cannot use; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def submissions_of(organisation_id: int) -> QuerySet[Submission]:
    """Every API query for submissions starts here (tenant key: organisation_id)."""
    return Submission.objects.filter(organisation_id=organisation_id)


@dataclass(frozen=True)
class Filters:
    campaign: UUID | None = None
    questionnaire: str | None = None
    wave: str | None = None
    received_after: datetime.datetime | None = None  # inclusive
    received_before: datetime.datetime | None = None  # exclusive


def instant(value: datetime.datetime | None, name: str) -> datetime.datetime | None:
    """An aware instant in UTC; a time without an offset is read in Socle's time zone (Europe/Paris)."""
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise QueryProblem(f"{name} is out of range: give a date and time between the years 2 and 9998.") from None


def filtered(organisation_id: int, filters: Filters) -> QuerySet[Submission]:
    """The organisation's submissions that pass the filters. An unknown campaign id (or another organisation's)
    is an error, not an empty list, so that a mistyped id does not look like a campaign without answers."""
    rows = submissions_of(organisation_id)
    if filters.campaign is not None:
        campaign = campaigns_of(organisation_id).filter(public_id=filters.campaign).first()
        if campaign is None:
            raise QueryProblem("Your organisation has no campaign with this id.", status=404)
        rows = rows.filter(campaign=campaign)
    if filters.questionnaire:
        rows = rows.filter(questionnaire_code=filters.questionnaire)
    if filters.wave:
        rows = rows.filter(wave=filters.wave)
    after = instant(filters.received_after, "received_after")
    before = instant(filters.received_before, "received_before")
    if after is not None:
        rows = rows.filter(received_at__gte=after)
    if before is not None:
        rows = rows.filter(received_at__lt=before)
    return rows


def encode_cursor(submission: Submission) -> str:
    """Where the next page starts: after this submission. Signed, so that only cursors the API gave are read."""
    return signing.Signer(salt=CURSOR_SALT).sign_object([submission.received_at.isoformat(), submission.pk])


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        received_at, pk = signing.Signer(salt=CURSOR_SALT).unsign_object(cursor)
        return datetime.datetime.fromisoformat(received_at), int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise QueryProblem("This cursor is not one the API gave: start again without it.") from None


def with_details(rows: QuerySet[Submission]) -> QuerySet[Submission]:
    return rows.select_related("campaign", "establishment", "framework_version__framework", "corrects")


@dataclass(frozen=True)
class Page:
    items: list[Submission]
    next_cursor: str | None


def page(rows: QuerySet[Submission], *, cursor: str | None, limit: int) -> Page:
    """At most `limit` submissions in the order they arrived, from the cursor on (one query)."""
    rows = with_details(rows).order_by("received_at", "id")
    if cursor:
        received_at, pk = decode_cursor(cursor)
        rows = rows.filter(Q(received_at__gt=received_at) | Q(received_at=received_at, pk__gt=pk))
    found = list(rows[: limit + 1])
    if len(found) > limit:
        return Page(found[:limit], encode_cursor(found[limit - 1]))
    return Page(found, None)


def item(submission: Submission) -> dict[str, Any]:
    """One submission as the API shows it (the campaign, establishment and framework already joined)."""
    corrects = submission.corrects
    return {
        "id": submission.uuid,
        "campaign": submission.campaign.public_id,
        "establishment": {
            "id": submission.establishment.public_id,
            "name": submission.establishment.name,
            "finess": submission.establishment.finess,
        },
        "framework": submission.framework_version.framework.slug,
        "framework_version": submission.framework_version.number,
        "questionnaire": submission.questionnaire_code,
        "wave": submission.wave,
        "mode": submission.mode,
        "received_at": submission.received_at.isoformat(),  # every digit: a client may filter on it
        "answers": submission.answers,
        "quote_consent": submission.quote_consent,
        "corrects": corrects.uuid if corrects is not None else None,
    }
