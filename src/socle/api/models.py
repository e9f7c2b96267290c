"""API tokens: per organisation, scoped, revocable, stored as a SHA-256 hash (the secret is shown once)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.network.models import Organisation


class Scope(models.TextChoices):
    SUBMISSIONS_WRITE = "submissions:write", _("Send submissions")
    SUBMISSIONS_READ = "submissions:read", _("Read and export the organisation's submissions")
    RESULTS_READ = "results:read", _("Read the organisation's results (aggregates)")


class ApiToken(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)  # the first characters, to recognise a token in a list
    token_sha256 = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes: ClassVar = [models.Index(fields=["organisation", "revoked_at"])]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_labels(self) -> list[str]:
        """What the token may do, in words (its scopes in the order of `Scope`)."""
        return [str(label) for value, label in Scope.choices if value in self.scopes]
