from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import World, make_world


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_version_caches() -> None:
    """Compiled questionnaires, indicators and diagrams are cached by a framework version's primary key and content
    hash: right in production, where a primary key is never given twice. Tests roll their data back, and SQLite then
    gives the same key to another version (whose base may differ): each test starts with empty caches."""
    from socle.collection import actions as collection_actions
    from socle.impact import presentation as impact_presentation
    from socle.measurement import contributions
    from socle.measurement import views as measurement_views
    from socle.qualitative import queries as qualitative_queries

    collection_actions._compiled.cache_clear()
    contributions._compiled.cache_clear()
    measurement_views._toc_layout.cache_clear()
    impact_presentation._toc_layout.cache_clear()
    qualitative_queries._text_questions.cache_clear()


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def login_as(client: Client, user: Any) -> Client:
    """Signs the user in, with the second factor already given when the user has one."""
    if user is None:
        return client
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def as_role(world: World, client: Client):  # type: ignore[no-untyped-def]
    def _as(role: str) -> Client:
        return login_as(client, world.users[role])

    return _as
