"""Invitations: e-mailed single-use links that expire; only a hash of the token is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socle.accounts.models import User
from socle.audit.models import AuditEvent
from socle.network import actions
from socle.network.models import Invitation, Membership, Role
from tests.conftest import login_as
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_an_invited_person_creates_an_account_and_gets_the_role(
    world: World, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, world.users["org_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:organisation_team", args=[world.org.slug]),
            {"email": "New@Example.org", "role": "org_staff"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.org"]
    url = next(line for line in message.body.splitlines() if "/invitations/" in line).strip()
    token = _token(url)
    assert not Invitation.objects.filter(token_hash=token).exists(), "the raw token must not be stored"

    client.post(reverse("accounts:logout"))
    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 200
    mismatch = client.post(
        f"/invitations/{token}/",
        {"full_name": "New Person", "password1": "a-long-password-1", "password2": "other"},
    )
    assert mismatch.status_code == 422
    assert not User.objects.filter(email="new@example.org").exists()
    done = client.post(
        f"/invitations/{token}/",
        {"full_name": "New Person", "password1": "a-long-password-1", "password2": "a-long-password-1"},
    )
    assert done.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert Membership.objects.get(user=user, organisation=world.org).role == Role.ORG_STAFF
    assert client.get(reverse("network:organisation_home", args=[world.org.slug])).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.accepted", target="new@example.org").exists()


def test_an_invitation_link_works_once(world: World, client: Client) -> None:
    sent = actions.invite(
        network=world.network,
        organisation=world.org,
        email="once@example.org",
        role=Role.ORG_STAFF,
        acting_user=None,
    )
    user = make_user("once@example.org")
    actions.accept_invitation(sent.invitation, user)
    assert client.get(f"/invitations/{_token(sent.url)}/").status_code == 410
    with pytest.raises(actions.ActionError):
        actions.accept_invitation(sent.invitation, user)


def test_an_expired_invitation_is_refused(world: World, client: Client) -> None:
    sent = actions.invite(
        network=world.network,
        organisation=world.org,
        email="late@example.org",
        role=Role.ORG_STAFF,
        acting_user=None,
    )
    Invitation.objects.filter(pk=sent.invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/invitations/{_token(sent.url)}/").status_code == 410
    with pytest.raises(actions.ActionError):
        actions.create_account_and_accept(sent.invitation, full_name="Late", password="a-long-password-1")
    assert not User.objects.filter(email="late@example.org").exists()


def test_an_unknown_token_is_a_404(client: Client, db: None) -> None:
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_an_invitation_is_for_its_address_only(world: World, client: Client) -> None:
    sent = actions.invite(
        network=world.network,
        organisation=world.org,
        email="someone@example.org",
        role=Role.ORG_ADMIN,
        acting_user=None,
    )
    login_as(client, world.users["other_org_admin"])
    assert client.post(f"/invitations/{_token(sent.url)}/").status_code == 403
    assert not Membership.objects.filter(organisation=world.org, user=world.users["other_org_admin"]).exists()


def test_network_admin_invites_every_organisation_of_the_frame_with_an_email(
    world: World, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, world.users["network_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("network:invite_from_frame", args=[world.network.slug]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["c@example.org"]]
    invitation = Invitation.objects.get(email="c@example.org")
    assert invitation.organisation == world.non_member and invitation.role == Role.ORG_ADMIN
    user = make_user("c@example.org")
    actions.accept_invitation(invitation, user)
    world.non_member.refresh_from_db()
    assert world.non_member.is_member


def test_a_new_invitation_replaces_the_pending_one(world: World) -> None:
    first = actions.invite(
        network=world.network,
        organisation=world.org,
        email="x@example.org",
        role=Role.ORG_STAFF,
        acting_user=None,
    )
    second = actions.invite(
        network=world.network,
        organisation=world.org,
        email="x@example.org",
        role=Role.ORG_STAFF,
        acting_user=None,
    )
    first.invitation.refresh_from_db()
    assert not first.invitation.is_usable and second.invitation.is_usable


def test_an_organisation_role_needs_an_organisation_of_the_network(world: World) -> None:
    with pytest.raises(actions.ActionError):
        actions.invite(network=world.network, email="x@example.org", role=Role.ORG_STAFF, acting_user=None)
    with pytest.raises(actions.ActionError):
        actions.invite(
            network=world.other_network,
            organisation=world.org,
            email="x@example.org",
            role=Role.ORG_ADMIN,
            acting_user=None,
        )
    assert not Invitation.objects.filter(email="x@example.org").exists()


def test_facilitator_sees_an_organisation_only_while_it_consents(world: World, client: Client) -> None:
    facilitator = world.users["facilitator"]
    login_as(client, facilitator)
    url = reverse("network:organisation_home", args=[world.org.slug])
    assert client.get(url).status_code == 200
    actions.revoke_consent(organisation=world.org, facilitator=facilitator, acting_user=world.users["org_admin"])
    assert client.get(url).status_code == 404


def test_organisation_admin_grants_consent_in_the_page(world: World, client: Client) -> None:
    facilitator = world.users["facilitator_without_consent"]
    login_as(client, world.users["org_admin"])
    client.post(
        reverse("network:facilitators", args=[world.org.slug]),
        {"facilitator": str(facilitator.public_id), "decision": "grant"},
    )
    client.logout()
    login_as(client, facilitator)
    assert client.get(reverse("network:organisation_home", args=[world.org.slug])).status_code == 200


def test_inviting_someone_who_already_has_the_role_says_so_and_sends_nothing(world: World, client: Client) -> None:
    login_as(client, world.users["network_admin"])
    response = client.post(
        reverse("network:invite_organisation", args=[world.network.slug]),
        {"organisation": world.org.slug, "email": world.users["org_admin"].email},
        follow=True,
    )
    assert "a déjà un rôle ici" in response.content.decode()
    assert not Invitation.objects.filter(email=world.users["org_admin"].email, accepted_at__isnull=True).exists()


@pytest.mark.parametrize("facilitator", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", ""])
def test_a_forged_facilitator_id_is_refused_clearly(world: World, client: Client, facilitator: str) -> None:
    login_as(client, world.users["org_admin"])
    response = client.post(
        reverse("network:facilitators", args=[world.org.slug]),
        {"facilitator": facilitator, "decision": "grant"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choisissez un accompagnateur du réseau dans la liste." in response.content.decode()
