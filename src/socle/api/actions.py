"""Creating and revoking API tokens; finding the token of a request."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.api.models import ApiToken, Scope
from socle.audit.models import record
from socle.network.actions import ActionError
from socle.network.models import Organisation

TOKEN_PREFIX = "socle_"
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    organisation: Organisation, *, name: str, scopes: Iterable[str], acting_user: Any
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    chosen = sorted(set(scopes))
    if not chosen or any(scope not in Scope.values for scope in chosen):
        raise ActionError(_("Choose what the token may do."))
    name = name.strip()
    if not name:
        raise ActionError(_("Give the token a name, to recognise it later."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name[:100],
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            token_sha256=hash_token(secret),
            scopes=chosen,
            created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        record(
            "api_token.created",
            actor=acting_user,
            network=organisation.network,
            organisation=organisation,
            target=str(token.public_id),
            name=token.name,
            scopes=chosen,
        )
    return token, secret


def revoke_token(token: ApiToken, *, acting_user: Any) -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record(
                "api_token.revoked",
                actor=acting_user,
                network=locked.organisation.network,
                organisation=locked.organisation,
                target=str(locked.public_id),
                name=locked.name,
            )
    return locked


def token_for(secret: str) -> ApiToken | None:
    """The active token with this secret, if any (found by its hash: the secret itself never reaches the
    database). `last_used_at` is written at most once a minute, so that a tool sending thousands of
    submissions does not rewrite the token's row each time."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("organisation")
        .filter(token_sha256=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token
