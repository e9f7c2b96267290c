"""Every URL of Socle, tried by every role.

`MATRIX` is the role-by-action matrix of docs/permissions.md, as data. `test_every_url_pattern_has_a_permission_test`
enumerates the URL configuration and fails when a pattern is missing here, so a new view cannot land without
saying who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from socle.network import actions
from socle.network.models import Role
from tests.conftest import login_as
from tests.factories import ROLES, World

OK = "ok"  # 200, 302 elsewhere than the login page, or 422 (a form error shown to someone allowed)
LOGIN = "login"  # 302 to the login page
EVERYONE = dict.fromkeys(ROLES, OK)
SIGNED_IN = {**EVERYONE, "anonymous": LOGIN}


def only(*allowed: str, read_only: tuple[str, ...] = (), default: Any = 404) -> dict[str, Any]:
    """``allowed`` roles succeed, ``read_only`` roles get 403, anonymous goes to login, the rest get 404."""
    expected: dict[str, Any] = dict.fromkeys(ROLES, default)
    expected["anonymous"] = LOGIN
    expected.update(dict.fromkeys(allowed, OK))
    expected.update(dict.fromkeys(read_only, 403))
    return expected


NETWORK_READ = only("network_admin", "network_analyst")
NETWORK_WRITE = only("network_admin", read_only=("network_analyst",))
ORG_READ = only("org_admin", "org_staff", "facilitator")
ORG_WRITE = only("org_admin", read_only=("org_staff", "facilitator"))

Kwargs = Callable[[World], dict[str, Any]]
net: Kwargs = lambda w: {"slug": w.network.slug}  # noqa: E731
org: Kwargs = lambda w: {"slug": w.org.slug}  # noqa: E731
none: Kwargs = lambda w: {}  # noqa: E731

# (url name, method) -> (kwargs, POST data, expected status per role)
MATRIX: dict[tuple[str, str], tuple[Kwargs, dict[str, Any], dict[str, Any]]] = {
    ("web:home", "GET"): (none, {}, EVERYONE),
    ("web:healthz", "GET"): (none, {}, EVERYONE),
    ("set_language", "POST"): (none, {"language": "en"}, EVERYONE),
    ("accounts:login", "GET"): (none, {}, EVERYONE),
    ("accounts:logout", "POST"): (none, {}, EVERYONE),
    ("accounts:verify", "GET"): (none, {}, SIGNED_IN),
    ("accounts:security", "GET"): (none, {}, SIGNED_IN),
    ("accounts:totp_setup", "GET"): (none, {}, SIGNED_IN),
    ("accounts:totp_disable", "POST"): (none, {}, SIGNED_IN),
    ("network:accept_invitation", "GET"): (
        lambda w: {"token": w.invitation_token},  # type: ignore[attr-defined]
        {},
        {**dict.fromkeys(ROLES, 403), "anonymous": OK},
    ),
    ("network:network_home", "GET"): (net, {}, NETWORK_READ),
    ("network:frame", "GET"): (net, {}, NETWORK_READ),
    ("network:frame_import", "GET"): (net, {}, NETWORK_WRITE),
    ("network:frame_import", "POST"): (net, {}, NETWORK_WRITE),
    ("network:members", "GET"): (net, {}, NETWORK_READ),
    ("network:invite_organisation", "POST"): (net, {"email": "x@example.org"}, NETWORK_WRITE),
    ("network:invite_from_frame", "POST"): (net, {}, NETWORK_WRITE),
    ("network:member_detail", "GET"): (
        lambda w: {"slug": w.network.slug, "org": w.org.slug},
        {},
        NETWORK_READ,
    ),
    ("network:network_team", "GET"): (net, {}, NETWORK_READ),
    ("network:network_team", "POST"): (
        net,
        {"email": "new@example.org", "role": "network_analyst"},
        NETWORK_WRITE,
    ),
    ("network:organisation_home", "GET"): (org, {}, ORG_READ),
    ("network:establishment_detail", "GET"): (
        lambda w: {"slug": w.org.slug, "public_id": w.establishment.public_id},
        {},
        ORG_READ,
    ),
    ("network:organisation_team", "GET"): (org, {}, ORG_READ),
    ("network:organisation_team", "POST"): (
        org,
        {"email": "new@example.org", "role": "org_staff"},
        ORG_WRITE,
    ),
    ("network:facilitators", "GET"): (org, {}, ORG_READ),
    ("network:facilitators", "POST"): (org, {"facilitator": "", "decision": "grant"}, ORG_WRITE),
    # The Django admin checks its own permissions (is_staff); no role of Socle reaches it.
    ("admin:index", "GET"): (none, {}, dict.fromkeys(ROLES, "admin_login")),
}

# Django's admin site registers hundreds of patterns; its entry point stands for them all.
EXCLUDED_NAMESPACES = {"admin"}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                names.add(f"{namespace}<unnamed {pattern.pattern}>")
            else:
                names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_permission_test() -> None:
    covered = {name for name, _method in MATRIX}
    names = {n for n in _url_names(get_resolver()) if n.split(":")[0] not in EXCLUDED_NAMESPACES}
    missing = sorted(names - covered)
    assert not missing, f"URL patterns without a permission test in MATRIX: {missing}"
    assert covered - {"admin:index"} <= names, f"MATRIX names unknown URLs: {sorted(covered - names)}"


def test_the_documented_matrix_lists_every_url() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "permissions.md").read_text()
    for name, method in MATRIX:
        assert f"`{name}` {method}" in doc, f"docs/permissions.md does not document `{name}` {method}"


@pytest.fixture
def world_with_invitation(world: World) -> World:
    sent = actions.invite(
        network=world.network,
        organisation=world.org,
        email="invitee@example.org",
        role=Role.ORG_STAFF,
        acting_user=None,
    )
    world.invitation_token = sent.url.rstrip("/").rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    return world


def _outcome(response: Any) -> Any:
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith("/admin/login/"):
            return "admin_login"
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        return OK
    if response.status_code in (200, 422):
        return OK
    return response.status_code


CASES = [(name, method, role) for (name, method) in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=[f"{n}-{m}-{r}" for n, m, r in CASES])
def test_role_gets_what_the_matrix_says(
    world_with_invitation: World, client: Client, name: str, method: str, role: str
) -> None:
    kwargs, data, expected = MATRIX[(name, method)]
    url = reverse(name, kwargs=kwargs(world_with_invitation))
    login_as(client, world_with_invitation.users[role])
    response = client.post(url, data) if method == "POST" else client.get(url)
    assert _outcome(response) == expected[role], (
        f"{role} {method} {url}: got {response.status_code} {response.headers.get('Location', '')}"
    )


def test_post_without_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    login_as(client, world.users["org_admin"])
    response = client.post(
        reverse("network:organisation_team", args=[world.org.slug]), {"email": "a@b.org", "role": "org_staff"}
    )
    assert response.status_code == 403
