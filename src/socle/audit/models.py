"""One row per action that changes something that matters: who, what, when, on which tenant."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    network = models.ForeignKey("network.Network", null=True, blank=True, on_delete=models.CASCADE)
    organisation = models.ForeignKey("network.Organisation", null=True, blank=True, on_delete=models.CASCADE)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


def record(
    action: str,
    *,
    actor: Any = None,
    network: Any = None,
    organisation: Any = None,
    target: str = "",
    **data: Any,
) -> AuditEvent:
    """Writes one audit row. Call it inside the action's transaction."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        network=network,
        organisation=organisation,
        target=target[:200],
        data=data,
    )
