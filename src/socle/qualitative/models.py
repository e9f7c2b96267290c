"""Themes, codings and quote proposals: an organisation's reading of its own open-text answers.

Every row carries `organisation_id`, the tenant key. A coding and a quote proposal point to the **first version**
of an answer (the submission whose `corrects` is empty): a correction adds a version without changing the received
answers, and the coding follows the chain of versions (see docs/qualitative.md).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.collection.models import Submission
from socle.network.models import Organisation


class Theme(models.Model):
    """A theme the organisation reads in its open answers ("housing", "being listened to"…)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["archived", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "name"], name="theme_unique_name"),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "archived", "name"])]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Coding(models.Model):
    """One theme given to one open answer: the first version of a submission and a question's name."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="codings")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="codings")
    question_code = models.CharField(max_length=64)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="codings")
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "submission", "question_code", "theme"], name="coding_unique"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "theme"])]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.question_code}: {self.theme_id}"


class QuoteStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class QuoteProposal(models.Model):
    """An open answer proposed as a quote for the organisation's impact page; only when its respondent agreed to
    be quoted. The words are kept as they were when proposed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="quote_proposals")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="quote_proposals")
    question_code = models.CharField(max_length=64)
    text = models.TextField()
    status = models.CharField(max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints: ClassVar = [
            # one live proposal per answer; a withdrawn one may be proposed again
            models.UniqueConstraint(
                fields=["organisation", "submission", "question_code"],
                condition=models.Q(status__in=["proposed", "approved"]),
                name="quote_one_live_per_answer",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "status"])]
        verbose_name = _("quote proposal")
        verbose_name_plural = _("quote proposals")

    def __str__(self) -> str:
        return f"{self.status}: {self.text[:40]}"
