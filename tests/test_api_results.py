"""Results through the API (GET /api/v1/results, scope results:read): the pages' figures as JSON, hidden cells
without their value, only the token's organisation, and clear errors."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client

from socle.api import actions as api_actions
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign
from socle.frameworks.models import FrameworkVersion
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def campaign(world: World) -> Campaign:
    load(sector_document(), network=world.network)
    version: FrameworkVersion = load(organisation_document(world.org), publish=True)
    campaign = collection_actions.open_campaign(
        world.org,
        version,
        name="Entrées",
        wave="entry",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=10),
        establishments=[world.establishment],
        acting_user=None,
    )
    for sex, yes, no in (("f", 7, 5), ("h", 2, 1)):
        for i in range(yes + no):
            collection_actions.submit(
                campaign=campaign,
                establishment=world.establishment,
                questionnaire_code="entry",
                submission_uuid=uuid.uuid4(),
                answers={"sexe": sex, "droits": "oui" if i < yes else "non"},
                mode="api",
            )
    return campaign


def get(world: World, scopes: list[str], **query: Any) -> Any:
    _token, secret = api_actions.create_token(world.org, name="outil", scopes=scopes, acting_user=None)
    return Client().get("/api/v1/results", query, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_results_give_the_organisation_and_its_groups_with_hidden_cells_empty(world: World, campaign) -> None:
    response = get(world, ["results:read"], campaign=campaign.public_id)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["campaign"] == str(campaign.public_id) and body["wave"] == "entry"
    rights = next(i for i in body["indicators"] if i["code"] == "i_rights")
    total = next(g for g in rights["groups"] if g["level"] == "organisation")
    assert total["n"] == 15 and total["value"] == pytest.approx(100 * 9 / 15) and total["status"] == "ok"
    assert total["ci_low"] < total["value"] < total["ci_high"]
    sex = [g for g in rights["groups"] if g["level"] == "sex"]
    assert {g["group"] for g in sex} == {"Femme", "Homme"}
    assert all(g["status"] == "masked" and g["value"] is None and g["ci_low"] is None for g in sex)


def test_a_token_without_the_scope_is_refused(world: World, campaign) -> None:
    response = get(world, ["submissions:read"], campaign=campaign.public_id)
    assert response.status_code == 403
    assert response.json()["detail"] == "This token may not do this: it needs the scope 'results:read'."


def test_another_organisations_campaign_is_404(world: World, campaign) -> None:
    _token, secret = api_actions.create_token(world.other_org, name="x", scopes=["results:read"], acting_user=None)
    response = Client().get("/api/v1/results", {"campaign": campaign.public_id}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 404
    assert response.json()["detail"] == "No campaign of your organisation has this id."


def test_a_malformed_campaign_id_is_a_422_that_names_it(world: World, campaign) -> None:
    response = get(world, ["results:read"], campaign="not-a-uuid")
    assert response.status_code == 422
    assert "campaign" in response.content.decode()
