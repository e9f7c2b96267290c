"""POST /api/v1/submissions with an organisation's token: once, and only into its own campaigns."""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from socle.api import actions as api_actions
from socle.api.models import ApiToken
from socle.collection import actions
from socle.collection.models import Campaign, Submission
from socle.frameworks.models import FrameworkVersion
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions"
ANSWERS = {"sexe": "f", "droits": "oui", "estime": "4", "urgences": 2, "own_garden": "oui"}


@pytest.fixture
def campaign(world: World) -> Campaign:
    load(sector_document(), network=world.network)
    version: FrameworkVersion = load(organisation_document(world.org))
    return actions.open_campaign(
        world.org,
        version,
        name="Entrées 2026",
        wave="entry",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        establishments=[world.establishment],
        acting_user=None,
    )


@pytest.fixture
def secret(world: World) -> str:
    return api_actions.create_token(world.org, name="Outil", scopes=["submissions:write"], acting_user=None)[1]


def _post(client: Client, secret: str, body: Any, *, raw: bool = False) -> Any:
    """The body as JSON (or as it is, with `raw`); the API's own messages are in English."""
    data = body if raw else json.dumps(body)
    return client.post(URL, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")


def _body(campaign: Campaign, **changes: Any) -> dict[str, Any]:
    link = campaign.links.get()
    return {"id": str(uuid.uuid4()), "link": link.code, "answers": dict(ANSWERS), **changes}


def test_a_submission_is_stored_once_and_a_resend_answers_200(client: Client, campaign: Campaign, secret: str) -> None:
    body = _body(campaign)
    first = _post(client, secret, body)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True and len(first.json()["followup_code"]) == 9
    again = _post(client, secret, body)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["followup_code"] == first.json()["followup_code"]
    stored = Submission.objects.get()
    assert stored.mode == "api" and str(stored.uuid) == body["id"]


def test_campaign_establishment_and_questionnaire_work_as_well_as_a_link(
    client: Client, campaign: Campaign, secret: str, world: World
) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "campaign": str(campaign.public_id),
        "establishment": str(world.establishment.public_id),
        "questionnaire": "entry",
        "answers": ANSWERS,
    }
    assert _post(client, secret, body).status_code == 201


def test_the_same_id_with_other_answers_is_a_409(client: Client, campaign: Campaign, secret: str) -> None:
    body = _body(campaign)
    _post(client, secret, body)
    response = _post(client, secret, {**body, "answers": {**ANSWERS, "droits": "non"}})
    assert response.status_code == 409
    assert "déjà été reçu avec d'autres réponses" in response.json()["detail"]  # French, the default
    assert Submission.objects.get().answers["droits"] == "oui"


@pytest.mark.parametrize(
    ("answers", "question", "code", "message"),
    [
        ({**ANSWERS, "sexe": "z"}, "sexe", "not_a_choice", "Choose one of the answers offered."),
        ({"sexe": "f", "estime": "4", "own_garden": "oui"}, "droits", "required", "This question is required."),
        ({**ANSWERS, "urgences": 500}, "urgences", "constraint", "Between 0 and 100"),
        (
            {**ANSWERS, "colour": "red"},
            "colour",
            "unknown_question",
            "This question is not in the questionnaire: remove its answer.",
        ),
        ({**ANSWERS, "urgences": "beaucoup"}, "urgences", "not_an_integer", "Write a whole number, for example 3."),
    ],
    ids=["choice not in the list", "missing required answer", "violated constraint", "unknown question", "type"],
)
def test_answers_that_do_not_fit_answer_422_with_one_error_per_question(
    client: Client, campaign: Campaign, secret: str, answers: dict[str, Any], question: str, code: str, message: str
) -> None:
    response = _post(client, secret, _body(campaign, answers=answers))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "1 answer(s) do not fit; nothing was stored.",
        "errors": [{"question": question, "code": code, "message": message}],
    }
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("data", "status", "detail"),
    [
        ('{"id": ', 400, "The body is not valid JSON: Expecting value (line 1, column 8)."),
        ("[1, 2", 400, "The body is not valid JSON: Expecting ',' delimiter (line 1, column 6)."),
        ('{"id": NaN}', 400, "The body is not valid JSON: NaN is not a JSON number."),
        ('{"answers": {"urgences": -Infinity}}', 400, "The body is not valid JSON: -Infinity is not a JSON number."),
        (b"\xff\xfe{", 400, "The body is not text in UTF-8."),
        ("[" * 100_000 + "]" * 100_000, 400, "The body is nested too deeply."),
        ('{"answers": {"urgences": ' + "9" * 5000 + "}}", 400, "The body cannot be read: Exceeds the limit"),
    ],
    ids=["cut short", "unclosed list", "NaN", "Infinity", "not UTF-8", "nested too deeply", "huge integer"],
)
def test_a_body_that_is_not_json_is_a_400_that_says_why_and_stores_nothing(
    client: Client, campaign: Campaign, secret: str, data: str | bytes, status: int, detail: str
) -> None:
    response = _post(client, secret, data, raw=True)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail), response.json()
    assert not Submission.objects.exists()


NUL = "the NUL character (\\u0000)"
SURROGATE = "half of a surrogate pair (\\ud800)"


@pytest.mark.parametrize(
    ("changes", "what", "where"),
    [
        ({"answers": {**ANSWERS, "sexe": "f\x00"}}, NUL, "answers.sexe"),
        ({"answers": {**ANSWERS, "a\x00b": "x"}}, NUL, "answers.a\\u0000b"),
        ({"link": "abc\x00"}, NUL, "link"),
        ({"followup_code": "\x00"}, NUL, "followup_code"),
        ({"answers": {**ANSWERS, "sexe": ["f", "\ud800"]}}, SURROGATE, "answers.sexe[1]"),
    ],
    ids=["in an answer", "in a question name", "in the link", "in the follow-up code", "lone surrogate"],
)
def test_characters_that_are_not_text_are_refused_with_where_they_are(
    client: Client, campaign: Campaign, secret: str, changes: dict[str, Any], what: str, where: str
) -> None:
    """PostgreSQL cannot store NUL in text, and half of a surrogate pair (which JSON can escape) is no character:
    both made the API fail (500) before the body was checked for them."""
    response = _post(client, secret, _body(campaign, **changes))
    assert response.status_code == 400
    assert response.json()["detail"] == f"Text cannot hold {what}; there is one at {where}."
    assert not Submission.objects.exists()


def test_a_body_that_does_not_fit_the_description_is_a_422_that_says_where(
    client: Client, campaign: Campaign, secret: str
) -> None:
    body = _body(campaign)
    del body["id"]
    response = _post(client, secret, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "id" and response.json()["detail"][0]["msg"] == "Field required"
    response = _post(client, secret, {**_body(campaign), "id": "not-a-uuid"})
    assert response.status_code == 422 and "UUID" in response.json()["detail"][0]["msg"]
    response = _post(client, secret, {**_body(campaign), "answers": ["oui"]})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "answers"
    response = _post(client, secret, {"id": str(uuid.uuid4()), "answers": ANSWERS})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Say where the answers go: a link, or a campaign, an establishment and a questionnaire."
    }
    assert not Submission.objects.exists()


def test_an_unknown_link_or_questionnaire_is_a_404(
    client: Client, campaign: Campaign, secret: str, world: World
) -> None:
    response = _post(client, secret, _body(campaign, link="nothing"))
    assert response.status_code == 404
    assert response.json() == {"detail": "No collection link of your organisation has this code."}
    body = {
        "id": str(uuid.uuid4()),
        "campaign": str(campaign.public_id),
        "establishment": str(world.establishment.public_id),
        "questionnaire": "nope",
        "answers": ANSWERS,
    }
    response = _post(client, secret, body)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Your organisation has no such campaign, establishment and questionnaire together."
    }
    assert not Submission.objects.exists()


def test_a_bad_or_revoked_token_is_a_401_and_a_token_without_the_scope_a_403(
    client: Client, campaign: Campaign, secret: str, world: World
) -> None:
    body = _body(campaign)
    response = _post(client, "socle_wrong", body)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Bearer realm="Socle API"'
    assert response.json() == {
        "detail": "This API token is unknown or revoked: ask an admin of your organisation for a new one."
    }
    response = client.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 401 and "Authorization: Bearer socle_" in response.json()["detail"]
    reader = api_actions.create_token(world.org, name="Lecture", scopes=["submissions:read"], acting_user=None)[1]
    response = _post(client, reader, body)
    assert response.status_code == 403
    assert response.json() == {"detail": "This token may not do this: it needs the scope 'submissions:write'."}
    api_actions.revoke_token(ApiToken.objects.get(name="Outil"), acting_user=None)
    response = _post(client, secret, body)
    assert response.status_code == 401 and response.json()["detail"].startswith("This API token is unknown or revoked")
    assert not Submission.objects.exists()


def test_another_organisations_token_cannot_reach_this_campaign(
    client: Client, campaign: Campaign, world: World
) -> None:
    other = api_actions.create_token(world.other_org, name="B", scopes=["submissions:write"], acting_user=None)[1]
    response = _post(client, other, _body(campaign))
    assert response.status_code == 404
    assert response.json() == {"detail": "No collection link of your organisation has this code."}
    body = {
        "id": str(uuid.uuid4()),
        "campaign": str(campaign.public_id),
        "establishment": str(world.establishment.public_id),
        "questionnaire": "entry",
        "answers": ANSWERS,
    }
    response = _post(client, other, body)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Your organisation has no such campaign, establishment and questionnaire together."
    }
    # Nor with its own establishment: the campaign stays another organisation's.
    response = _post(client, other, {**body, "establishment": str(world.other_establishment.public_id)})
    assert response.status_code == 404
    assert not Submission.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_posts_of_one_submission_store_one_row(campaign: Campaign, secret: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter: SQLite serialises every write transaction")
    body = json.dumps(_body(campaign))
    barrier = threading.Barrier(50)

    def send(_: int) -> int:
        try:
            barrier.wait()
            response = Client().post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
            return response.status_code
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(send, range(50)))
    assert sorted(set(statuses)) == [200, 201], statuses
    assert statuses.count(201) == 1
    assert Submission.objects.filter(uuid=json.loads(body)["id"]).count() == 1


def test_the_secret_is_never_stored(world: World) -> None:
    token, secret = api_actions.create_token(world.org, name="T", scopes=["submissions:write"], acting_user=None)
    assert secret.startswith("socle_") and secret not in json.dumps(
        list(ApiToken.objects.values("prefix", "token_sha256", "name"))
    )
    assert api_actions.token_for(secret) == token
    with pytest.raises(actions.ActionError):
        api_actions.create_token(world.org, name="T", scopes=["everything"], acting_user=None)


def test_create_api_token_prints_the_secret_once(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "create_api_token",
        "--organisation",
        world.org.slug,
        "--name",
        "Kobo",
        "--scope",
        "submissions:write",
        stdout=out,
        stderr=StringIO(),
    )
    secret = out.getvalue().strip()
    token = api_actions.token_for(secret)
    assert token is not None and token.organisation == world.org and token.scopes == ["submissions:write"]
