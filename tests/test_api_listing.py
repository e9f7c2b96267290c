"""Reading one's own submissions through the API: the list with its cursor, one submission, the exports."""

from __future__ import annotations

import copy
import csv
import datetime
import io
import uuid
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from socle.api import actions as api_actions
from socle.api import submissions as api_submissions
from socle.collection import actions, exports
from socle.collection.models import Campaign, Submission
from socle.frameworks.models import FrameworkVersion
from tests.conftest import login_as
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions"
ANSWERS = {"sexe": "f", "droits": "oui", "estime": "4", "urgences": 2, "own_garden": "oui"}
PARIS = datetime.timezone(datetime.timedelta(hours=1))  # Paris in winter


@dataclass
class Setup:
    world: World
    entry: Campaign  # asso-a, version 1, entry
    exit: Campaign  # asso-a, version 1, exit (questionnaire follow_up)
    theirs: Campaign  # asso-b's
    reader: str  # asso-a's token with submissions:read
    writer: str  # asso-a's token with submissions:write only


def _campaign(world: World, organisation: Any, version: FrameworkVersion, wave: str, establishment: Any) -> Campaign:
    return actions.open_campaign(
        organisation,
        version,
        name=f"{wave} v{version.number}",
        wave=wave,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        establishments=[establishment],
        acting_user=None,
    )


@pytest.fixture
def setup(world: World) -> Setup:
    load(sector_document(), network=world.network)
    ours = load(organisation_document(world.org))
    theirs = load(organisation_document(world.other_org))
    return Setup(
        world=world,
        entry=_campaign(world, world.org, ours, "entry", world.establishment),
        exit=_campaign(world, world.org, ours, "exit", world.establishment),
        theirs=_campaign(world, world.other_org, theirs, "entry", world.other_establishment),
        reader=api_actions.create_token(world.org, name="R", scopes=["submissions:read"], acting_user=None)[1],
        writer=api_actions.create_token(world.org, name="W", scopes=["submissions:write"], acting_user=None)[1],
    )


def _submit(campaign: Campaign, answers: dict[str, Any] | None = None, **extra: Any) -> Submission:
    link = campaign.links.get()
    if answers is None:  # the organisation's own question is asked at entry only
        answers = {k: v for k, v in ANSWERS.items() if link.questionnaire_code == "entry" or k != "own_garden"}
    received = actions.submit(
        campaign=campaign,
        establishment=link.establishment,
        questionnaire_code=link.questionnaire_code,
        submission_uuid=extra.pop("submission_uuid", uuid.uuid4()),
        answers=answers,
        mode=extra.pop("mode", "api"),
        link=link,
        **extra,
    )
    return received.submission


def _at(moment: datetime.datetime):  # type: ignore[no-untyped-def]
    """Submissions received while this is in force get `received_at = moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _get(client: Client, secret: str | None, path: str = URL, **params: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return client.get(path, params, **headers)


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- the list ------------------------------------------------------------------------------------------------------


def test_the_list_has_the_organisations_submissions_only_in_the_order_received(client: Client, setup: Setup) -> None:
    world = setup.world
    first = _submit(setup.entry)
    _submit(setup.theirs)
    second = _submit(setup.exit, quote_consent=True)
    response = _get(client, setup.reader)
    assert _ids(response) == [str(first.uuid), str(second.uuid)]
    assert response.json()["next_cursor"] is None
    item = response.json()["items"][0]
    assert item == {
        "id": str(first.uuid),
        "campaign": str(setup.entry.public_id),
        "establishment": {
            "id": str(world.establishment.public_id),
            "name": world.establishment.name,
            "finess": world.establishment.finess,
        },
        "framework": "asso-a-mini",
        "framework_version": 1,
        "questionnaire": "entry",
        "wave": "entry",
        "mode": "api",
        "received_at": item["received_at"],
        "answers": first.answers,
        "quote_consent": None,
        "corrects": None,
    }
    assert datetime.datetime.fromisoformat(item["received_at"]) == first.received_at
    assert response.json()["items"][1]["questionnaire"] == "follow_up"
    assert response.json()["items"][1]["quote_consent"] is True


def test_pages_follow_the_cursor_without_repeats_or_gaps_while_new_submissions_arrive(
    client: Client, setup: Setup
) -> None:
    tie = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with _at(tie):  # four submissions received at the same instant: the cursor still tells them apart
        tied = [_submit(setup.entry) for _ in range(4)]
    later = [_submit(setup.entry) for _ in range(3)]
    seen: list[str] = []
    response = _get(client, setup.reader, limit=3)
    seen += _ids(response)
    _submit(setup.theirs)  # another organisation's, meanwhile: never shown
    newest = _submit(setup.exit)  # arrives while the client is reading: it comes last
    while response.json()["next_cursor"]:
        response = _get(client, setup.reader, limit=3, cursor=response.json()["next_cursor"])
        seen += _ids(response)
    expected = sorted(tied, key=lambda s: s.pk) + later + [newest]
    assert seen == [str(s.uuid) for s in expected]
    assert len(set(seen)) == len(seen) == 8


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"cursor": "nope"}, 422, "This cursor is not one the API gave: start again without it."),
        ({"limit": 501}, 422, None),
        ({"limit": 0}, 422, None),
        ({"campaign": "not-a-uuid"}, 422, None),
        ({"wave": "sometimes"}, 422, None),
        ({"questionnaire": "Entry!"}, 422, None),
        ({"received_after": "yesterday"}, 422, None),
        ({"received_after": "0001-01-01T00:00:00"}, 422, "received_after is out of range"),
        ({"campaign": str(uuid.uuid4())}, 404, "Your organisation has no campaign with this id."),
    ],
    ids=["forged cursor", "limit 501", "limit 0", "campaign", "wave", "questionnaire", "date", "year 1", "unknown"],
)
def test_a_filter_the_api_cannot_use_is_a_4xx_that_says_why(
    client: Client, setup: Setup, params: dict[str, Any], status: int, detail: str | None
) -> None:
    response = _get(client, setup.reader, **params)
    assert response.status_code == status, response.content
    if detail is None:  # django-ninja's validation: where, and what is expected
        assert response.json()["detail"][0]["loc"][-1] == next(iter(params)), response.json()
        assert response.json()["detail"][0]["msg"]
    else:
        assert response.json()["detail"].startswith(detail)


def test_another_organisations_campaign_is_unknown(client: Client, setup: Setup) -> None:
    _submit(setup.theirs)
    response = _get(client, setup.reader, campaign=str(setup.theirs.public_id))
    assert response.status_code == 404
    assert response.json() == {"detail": "Your organisation has no campaign with this id."}


def test_filters_campaign_questionnaire_wave_and_dates(client: Client, setup: Setup) -> None:
    with _at(datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)):
        early = _submit(setup.entry)
    with _at(datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)):
        middle = _submit(setup.exit)
    with _at(datetime.datetime(2026, 3, 3, 8, 0, tzinfo=datetime.UTC)):
        late = _submit(setup.entry)
    assert _ids(_get(client, setup.reader, campaign=str(setup.entry.public_id))) == [str(early.uuid), str(late.uuid)]
    assert _ids(_get(client, setup.reader, questionnaire="follow_up")) == [str(middle.uuid)]
    assert _ids(_get(client, setup.reader, wave="exit")) == [str(middle.uuid)]
    assert _ids(_get(client, setup.reader, wave="follow_up")) == []
    # received_after is inclusive, received_before exclusive; both may carry an offset.
    after = _get(client, setup.reader, received_after="2026-03-02T08:00:00+00:00")
    assert _ids(after) == [str(middle.uuid), str(late.uuid)]
    before = _get(client, setup.reader, received_before="2026-03-02T09:00:00+01:00")
    assert _ids(before) == [str(early.uuid)]
    # Without an offset, a time is Paris time (UTC+1 in March before the change of hour).
    assert _ids(_get(client, setup.reader, received_after="2026-03-03T09:00:00")) == [str(late.uuid)]
    assert _ids(_get(client, setup.reader, received_after="2026-03-03T09:00:01")) == []


def test_one_submission_by_its_id_and_the_one_it_corrects(client: Client, setup: Setup) -> None:
    original = _submit(setup.entry)
    fields = {f.attname: getattr(original, f.attname) for f in Submission._meta.concrete_fields}
    fields.update(id=None, uuid=uuid.uuid4(), corrects_id=original.pk, received_at=None)
    correction = Submission.objects.create(**fields)
    response = _get(client, setup.reader, f"{URL}/{correction.uuid}")
    assert response.status_code == 200
    assert response.json()["corrects"] == str(original.uuid)
    listed = _get(client, setup.reader).json()["items"]
    assert response.json() == listed[1]
    assert _get(client, setup.reader, f"{URL}/{original.uuid}").json()["corrects"] is None


def test_another_organisations_submission_or_an_unknown_id_is_a_404(client: Client, setup: Setup) -> None:
    theirs = _submit(setup.theirs)
    for submission_id in (theirs.uuid, uuid.uuid4()):
        response = _get(client, setup.reader, f"{URL}/{submission_id}")
        assert response.status_code == 404
        assert response.json() == {"detail": "No submission of your organisation has this id."}
    assert _get(client, setup.reader, f"{URL}/not-a-uuid").status_code == 422


# --- tokens and scopes ---------------------------------------------------------------------------------------------

READS = ["", "/export.csv", "/export.xlsx", "/{id}"]


@pytest.mark.parametrize("suffix", READS, ids=["list", "csv", "xlsx", "one"])
def test_reading_needs_an_active_token_with_the_read_scope(client: Client, setup: Setup, suffix: str) -> None:
    submission = _submit(setup.entry)
    path = URL + suffix.replace("{id}", str(submission.uuid))
    refused = _get(client, setup.writer, path)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This token may not do this: it needs the scope 'submissions:read'."}
    anonymous = _get(client, None, path)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer socle_" in anonymous.json()["detail"]
    wrong = _get(client, "socle_not-a-token", path)
    assert wrong.status_code == 401
    assert wrong.json()["detail"].startswith("This API token is unknown or revoked")
    # A signed-in session is not a token: the submission endpoints ignore it.
    signed_in = login_as(Client(), setup.world.users["org_admin"])
    assert signed_in.get(path).status_code == 401
    assert _get(client, setup.reader, path).status_code == 200
    api_actions.revoke_token(api_actions.token_for(setup.reader), acting_user=None)  # type: ignore[arg-type]
    assert _get(client, setup.reader, path).status_code == 401


def test_a_token_records_when_it_was_last_used_at_most_once_a_minute(client: Client, setup: Setup) -> None:
    token = api_actions.token_for(setup.reader)
    assert token is not None
    first = token.last_used_at
    assert first is not None
    _get(client, setup.reader)
    token.refresh_from_db()
    assert token.last_used_at == first
    with _at(first + datetime.timedelta(minutes=2)):
        _get(client, setup.reader)
    token.refresh_from_db()
    assert token.last_used_at == first + datetime.timedelta(minutes=2)


# --- exports -------------------------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_is_the_campaign_pages_table_for_the_whole_organisation(
    client: Client, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        _submit(setup.entry)
    _submit(setup.exit)
    _submit(setup.theirs)
    ours = Submission.objects.filter(organisation=setup.world.org)
    expected = exports.to_csv(exports.rows(ours))
    response = _get(client, setup.reader, f"{URL}/export.csv")
    assert response.status_code == 200 and response.streaming
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="asso-a-submissions.csv"'
    assert b"".join(response.streaming_content) == expected
    rows = _csv_rows(expected)
    assert len(rows) == 5 and rows[0][: len(exports.FIXED)] == exports.FIXED
    # Streamed a row at a time, the bytes are the same (one byte-order mark, at the start).
    monkeypatch.setattr(api_submissions, "CSV_ROWS_PER_CHUNK", 1)
    chunks = list(_get(client, setup.reader, f"{URL}/export.csv").streaming_content)
    assert len(chunks) == 5 and b"".join(chunks) == expected
    # With a campaign, the same table as the campaign page's export.
    one = _get(client, setup.reader, f"{URL}/export.csv", campaign=str(setup.entry.public_id))
    assert b"".join(one.streaming_content) == exports.to_csv(exports.rows(setup.entry.submissions.all()))
    assert f'filename="asso-a-campaign-{setup.entry.public_id}.csv"' in one.headers["Content-Disposition"]


def test_the_exports_keep_one_column_per_question_across_versions(client: Client, setup: Setup) -> None:
    document = copy.deepcopy(organisation_document(setup.world.org, version=2))
    document["questionnaire_extensions"][0]["sections"][0]["questions"].append(
        {"name": "own_meals", "type": "integer", "label": {"fr": "Repas pris ici"}}
    )
    second = load(document)
    newer = _campaign(setup.world, setup.world.org, second, "entry", setup.world.establishment)
    old = _submit(setup.entry)
    new = _submit(newer, {**ANSWERS, "own_meals": 12})
    rows = _csv_rows(b"".join(_get(client, setup.reader, f"{URL}/export.csv").streaming_content))
    header = rows[0]
    assert header[len(exports.FIXED) :] == ["sexe", "droits", "estime", "urgences", "own_garden", "own_meals"]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_id[str(old.uuid)]["framework_version"] == "1" and by_id[str(old.uuid)]["own_meals"] == ""
    assert by_id[str(new.uuid)]["framework_version"] == "2" and by_id[str(new.uuid)]["own_meals"] == "12"
    response = _get(client, setup.reader, f"{URL}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == api_submissions.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0] == header
    assert len(table) == 3 and {row[7] for row in table[1:]} == {1, 2}


def test_the_exports_take_the_same_filters_as_the_list(client: Client, setup: Setup) -> None:
    entry = _submit(setup.entry)
    _submit(setup.exit)
    rows = _csv_rows(b"".join(_get(client, setup.reader, f"{URL}/export.csv", wave="entry").streaming_content))
    assert [row[0] for row in rows[1:]] == [str(entry.uuid)]
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    empty = _get(client, setup.reader, f"{URL}/export.xlsx", received_after=future)
    table = list(load_workbook(io.BytesIO(empty.content)).active.iter_rows(values_only=True))
    assert len(table) == 1 and list(table[0]) == exports.FIXED  # a header, no question, no row
    theirs = _get(client, setup.reader, f"{URL}/export.csv", campaign=str(setup.theirs.public_id))
    assert theirs.status_code == 404
