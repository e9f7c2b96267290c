"""The organisation admin's page for API tokens: `/o/<slug>/api-tokens/`."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from socle.api import actions
from socle.api.models import ApiToken
from socle.audit.models import AuditEvent
from tests.conftest import login_as
from tests.factories import ROLES, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """The messages checked here are the English ones (French is the default): the language switch's cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _tokens_url(world: World) -> str:
    return reverse("api:tokens", args=[world.org.slug])


def _secret_in(html: str) -> str:
    found = re.search(r'<textarea id="secret"[^>]*>(socle_[^<]+)</textarea>', html)
    assert found, "the secret is not on the page"
    return found.group(1)


def test_an_admin_creates_a_token_and_sees_its_secret_once(world: World, client: Client) -> None:
    login_as(client, world.users["org_admin"])
    response = client.post(_tokens_url(world), {"name": "Kobo", "scopes": ["submissions:write", "submissions:read"]})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    html = response.content.decode()
    secret = _secret_in(html)
    assert "Copy it now: it is shown only this once." in html
    token = ApiToken.objects.get()
    assert token.name == "Kobo" and token.scopes == ["submissions:read", "submissions:write"]
    assert token.organisation == world.org and token.created_by == world.users["org_admin"]
    assert token.token_sha256 == actions.hash_token(secret) and secret not in str(ApiToken.objects.values().get())
    assert actions.token_for(secret) == token
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == world.users["org_admin"] and event.organisation == world.org
    assert event.network == world.network and event.target == str(token.public_id)
    assert secret not in str(event.data)
    # The list shows the token by its prefix, never the secret again.
    listing = client.get(_tokens_url(world)).content.decode()
    assert "Kobo" in listing and token.prefix in listing and secret not in listing


def test_a_token_needs_a_name_and_a_scope_and_nothing_is_created_without(world: World, client: Client) -> None:
    login_as(client, world.users["org_admin"])
    response = client.post(_tokens_url(world), {"name": "Kobo"})
    assert response.status_code == 422
    assert "Choose what the token may do." in response.content.decode()
    response = client.post(_tokens_url(world), {"name": "  ", "scopes": ["submissions:read"]})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    response = client.post(_tokens_url(world), {"name": "Kobo", "scopes": ["everything"]})
    assert response.status_code == 422
    assert not ApiToken.objects.exists() and not AuditEvent.objects.filter(action__startswith="api_token").exists()


def test_the_page_is_french_by_default_with_labelled_fields(world: World, client: Client) -> None:
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    login_as(client, world.users["org_admin"])
    response = client.get(_tokens_url(world))
    html = response.content.decode()
    assert response.headers["Content-Language"] == "fr"
    assert '<label for="id_name"' in html and "<fieldset" in html and "<legend>" in html
    assert html.count('type="checkbox" name="scopes"') == 3  # send, read submissions, read results
    assert "Lire les résultats de l’organisation (agrégats)" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_revoking_asks_first_then_refuses_the_token_and_is_audited(world: World, client: Client) -> None:
    token, secret = actions.create_token(world.org, name="Script", scopes=["submissions:read"], acting_user=None)
    login_as(client, world.users["org_admin"])
    url = reverse("api:token_revoke", args=[world.org.slug, token.public_id])
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not revoking
    response = client.post(url)
    assert response.status_code == 302 and response.headers["Location"] == _tokens_url(world)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert actions.token_for(secret) is None
    listed = client.get(_tokens_url(world))
    assert "revoked on" in listed.content.decode()
    client.post(url)  # twice: nothing more happens
    events = AuditEvent.objects.filter(action="api_token.revoked")
    assert events.count() == 1
    assert events.get().actor == world.users["org_admin"] and events.get().network == world.network
    api = Client().get("/api/v1/submissions", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 401


EXPECTED = {
    "anonymous": "login",
    "network_admin": 404,
    "network_analyst": 404,
    "facilitator": 403,
    "facilitator_without_consent": 404,
    "org_admin": "ok",
    "org_staff": 403,
    "other_org_admin": 404,
    "other_network_admin": 404,
}


def _outcome(response) -> object:  # type: ignore[no-untyped-def]
    if response.status_code == 302:
        return "login" if response.headers["Location"].startswith(reverse("accounts:login")) else "ok"
    return "ok" if response.status_code in (200, 422) else response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisations_admins_reach_its_tokens(world: World, client: Client, role: str) -> None:
    token, _secret = actions.create_token(world.org, name="Script", scopes=["submissions:read"], acting_user=None)
    login_as(client, world.users[role])
    revoke = reverse("api:token_revoke", args=[world.org.slug, token.public_id])
    outcomes = {
        "list": _outcome(client.get(_tokens_url(world))),
        "create": _outcome(client.post(_tokens_url(world), {"name": "X", "scopes": ["submissions:read"]})),
        "confirm": _outcome(client.get(revoke)),
        "revoke": _outcome(client.post(revoke)),
    }
    assert outcomes == dict.fromkeys(outcomes, EXPECTED[role]), outcomes
    token.refresh_from_db()
    assert (token.revoked_at is not None) == (role == "org_admin")
    assert ApiToken.objects.count() == (2 if role == "org_admin" else 1)


def test_another_organisations_token_is_unknown_through_ones_own_url(world: World, client: Client) -> None:
    theirs, _secret = actions.create_token(world.other_org, name="B", scopes=["submissions:read"], acting_user=None)
    login_as(client, world.users["org_admin"])
    url = reverse("api:token_revoke", args=[world.org.slug, theirs.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert "B" not in [row.name for row in client.get(_tokens_url(world)).context["tokens"]]


def test_a_post_without_its_csrf_token_is_refused(world: World) -> None:
    client = login_as(Client(enforce_csrf_checks=True), world.users["org_admin"])
    assert client.post(_tokens_url(world), {"name": "X", "scopes": ["submissions:read"]}).status_code == 403
    token, _secret = actions.create_token(world.org, name="Script", scopes=["submissions:read"], acting_user=None)
    assert client.post(reverse("api:token_revoke", args=[world.org.slug, token.public_id])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.objects.count() == 1


@pytest.mark.parametrize(("role", "shown"), [("org_admin", True), ("org_staff", False), ("facilitator", False)])
def test_the_organisation_home_links_to_the_tokens_for_admins(
    world: World, client: Client, role: str, shown: bool
) -> None:
    login_as(client, world.users[role])
    html = client.get(reverse("network:organisation_home", args=[world.org.slug])).content.decode()
    assert (_tokens_url(world) in html) is shown
