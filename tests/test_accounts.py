"""Signing in: e-mail and password hashed with Argon2, attempts limited, a second factor for network admins."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from socle.accounts.models import User
from socle.audit.models import AuditEvent
from tests.conftest import login_as
from tests.factories import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_passwords_are_hashed_with_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user("someone@example.org", "a long enough password")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_people_sign_in_with_their_email_in_any_case(client: Client) -> None:
    make_user("camille@example.org")
    response = client.post(reverse("accounts:login"), {"username": " Camille@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200


def test_a_wrong_password_says_so_without_revealing_whether_the_account_exists(client: Client) -> None:
    make_user("camille@example.org")
    wrong = client.post(reverse("accounts:login"), {"username": "camille@example.org", "password": "nope"})
    unknown = client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_login_attempts_are_rate_limited(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    make_user("camille@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "camille@example.org", "password": "wrong"})
    locked = client.post(reverse("accounts:login"), {"username": "camille@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert "15 minutes" in locked.content.decode()
    # Another address from the same place is not locked out.
    make_user("dominique@example.org")
    other = client.post(reverse("accounts:login"), {"username": "dominique@example.org", "password": PASSWORD})
    assert other.status_code == 302


def test_network_admin_must_turn_on_the_second_factor_before_anything_else(
    world: World, client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code otherwise delays the next try by a second
    admin = world.users["network_admin"]
    TOTPDevice.objects.filter(user=admin).delete()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("network:network_home", args=[world.network.slug]))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("accounts:totp_setup"))
    page = client.get(reverse("accounts:totp_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post(reverse("accounts:totp_setup"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    done = client.post(reverse("accounts:totp_setup"), {"token": _code(device)})
    assert done.status_code == 302
    assert client.get(reverse("network:network_home", args=[world.network.slug])).status_code == 200
    assert AuditEvent.objects.filter(action="account.totp_enabled", actor=admin).exists()


def test_a_user_with_totp_on_gives_a_code_at_sign_in(world: World, client: Client) -> None:
    admin = world.users["network_admin"]
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    home = reverse("network:network_home", args=[world.network.slug])
    response = client.get(home)
    assert response.headers["Location"].startswith(reverse("accounts:verify"))
    device = TOTPDevice.objects.get(user=admin)
    bad = client.post(reverse("accounts:verify"), {"token": "12345a", "next": home})
    assert bad.status_code == 200 and bad.context["form"].errors
    good = client.post(reverse("accounts:verify"), {"token": _code(device), "next": home})
    assert good.status_code == 302 and good.headers["Location"] == home
    assert client.get(home).status_code == 200


def test_verify_does_not_redirect_to_another_site(world: World, client: Client) -> None:
    admin = world.users["network_admin"]
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.get(user=admin)
    response = client.post(reverse("accounts:verify"), {"token": _code(device), "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_network_admin_cannot_turn_the_second_factor_off(world: World, client: Client) -> None:
    login_as(client, world.users["network_admin"])
    client.post(reverse("accounts:totp_disable"))
    assert TOTPDevice.objects.filter(user=world.users["network_admin"], confirmed=True).exists()


def test_staff_may_turn_the_second_factor_on_and_off(world: World, client: Client) -> None:
    staff = world.users["org_staff"]
    login_as(client, staff)
    client.get(reverse("accounts:totp_setup"))
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("accounts:totp_setup"), {"token": _code(device)})
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    client.post(reverse("accounts:totp_disable"))
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_logout_needs_a_post(world: World, client: Client) -> None:
    login_as(client, world.users["org_staff"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:security")).status_code == 302
