"""Continuous improvement (amélioration continue): an organisation's targets per indicator and its action plan.

Both carry ``organisation_id``, the tenant key, with an index that starts with it. A target or an action belongs
to one of the organisation's frameworks: its indicator, outcomes and indicators are codes of that framework's
latest published version (checked by ``socle.improvement.actions``), kept as codes so that they survive a new
version that still has them.
"""

from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.frameworks.models import Framework
from socle.network.models import Organisation


class Target(models.Model):
    """The value an organisation aims at for one indicator of one of its frameworks, in the indicator's displayed
    unit (70 for 70 % when the indicator's factor is 100)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="targets")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="targets")
    indicator = models.CharField(_("indicator"), max_length=64)
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    due_on = models.DateField(_("to reach by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["framework_id", "indicator"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "framework", "indicator"], name="improvement_one_target_per_indicator"
            ),
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator} → {self.value}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class PlannedAction(models.Model):
    """One action of the organisation's improvement plan, linked to outcomes (theory-of-change node codes) and
    indicators of one of its frameworks."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="planned_actions")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="planned_actions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)  # node codes
    indicators = models.JSONField(_("indicators"), default=list, blank=True)  # indicator codes
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "status", "due_on"], name="improvement_action_org_status"),
        ]
        verbose_name = _("planned action")
        verbose_name_plural = _("planned actions")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date) -> bool:
        """Due before ``today`` and neither done nor dropped."""
        return self.due_on is not None and self.status in OPEN_STATUSES and self.due_on < today
