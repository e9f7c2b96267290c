"""POST /api/v1/submissions with an organisation's token: once, and only into its own campaigns."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import pytest
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
    ("answers", "question", "code"),
    [
        ({**ANSWERS, "sexe": "z"}, "sexe", "not_a_choice"),
        ({k: v for k, v in ANSWERS.items() if k != "droits"}, "droits", "required"),
        ({**ANSWERS, "urgences": 500}, "urgences", "constraint"),
        ({**ANSWERS, "colour": "red"}, "colour", "unknown_question"),
    ],
    ids=["choice not in the list", "missing required answer", "violated constraint", "unknown question"],
)
def test_answers_that_do_not_fit_answer_422_with_one_error_per_question(
    client: Client, campaign: Campaign, secret: str, answers: dict[str, Any], question: str, code: str
) -> None:
    response = _post(client, secret, _body(campaign, answers=answers))
    assert response.status_code == 422
    assert {"question": question, "code": code} in [
        {"question": e["question"], "code": e["code"]} for e in response.json()["errors"]
    ]
    assert not Submission.objects.exists()


def test_malformed_json_or_a_missing_id_is_a_4xx_and_stores_nothing(
    client: Client, campaign: Campaign, secret: str
) -> None:
    assert _post(client, secret, '{"id": ', raw=True).status_code == 400
    body = _body(campaign)
    del body["id"]
    assert _post(client, secret, body).status_code == 422
    assert _post(client, secret, {**_body(campaign), "id": "not-a-uuid"}).status_code == 422
    assert not Submission.objects.exists()


def test_an_unknown_link_or_questionnaire_is_a_404(
    client: Client, campaign: Campaign, secret: str, world: World
) -> None:
    assert _post(client, secret, _body(campaign, link="nothing")).status_code == 404
    body = {
        "id": str(uuid.uuid4()),
        "campaign": str(campaign.public_id),
        "establishment": str(world.establishment.public_id),
        "questionnaire": "nope",
        "answers": ANSWERS,
    }
    assert _post(client, secret, body).status_code == 404
    assert not Submission.objects.exists()


def test_a_bad_or_revoked_token_is_a_401_and_a_token_without_the_scope_a_403(
    client: Client, campaign: Campaign, secret: str, world: World
) -> None:
    body = _body(campaign)
    assert _post(client, "socle_wrong", body).status_code == 401
    assert client.post(URL, json.dumps(body), content_type="application/json").status_code == 401
    reader = api_actions.create_token(world.org, name="Lecture", scopes=["submissions:read"], acting_user=None)[1]
    assert _post(client, reader, body).status_code == 403
    api_actions.revoke_token(ApiToken.objects.get(name="Outil"), acting_user=None)
    assert _post(client, secret, body).status_code == 401
    assert not Submission.objects.exists()


def test_another_organisations_token_cannot_reach_this_campaign(
    client: Client, campaign: Campaign, world: World
) -> None:
    other = api_actions.create_token(world.other_org, name="B", scopes=["submissions:write"], acting_user=None)[1]
    assert _post(client, other, _body(campaign)).status_code == 404
    assert not Submission.objects.exists()


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
