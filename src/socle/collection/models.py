"""Campaigns, their collection links, and submissions: the raw answers, immutable once received.

Every row carries `organisation_id`, the tenant key; views and the API reach these rows through
`socle.collection.access` (to come with the pages). A submission never changes: `Submission.save()` refuses an
update and a database trigger (migration 0002) refuses any UPDATE of its answers or identity; a correction is a
new submission that `corrects` the old one.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.frameworks.models import FrameworkVersion
from socle.network.models import Establishment, Network, Organisation


class Wave(models.TextChoices):
    ENTRY = "entry", _("Entry")
    FOLLOW_UP = "follow_up", _("Follow-up")
    EXIT = "exit", _("Exit")


class Mode(models.TextChoices):
    SELF = "self", _("Filled in by the person")
    ASSISTED = "assisted", _("Filled in with a staff member")
    PAPER = "paper", _("Paper form entered by staff")
    IMPORT = "import", _("Imported from a file")
    API = "api", _("Sent through the API")


class SectorCampaign(models.Model):
    """A network's campaign on a published version of a sector framework (e.g. "LCEP 2026"), over a period.

    It holds no links and no answers: member organisations open their own campaigns, on their framework based on
    this very version and within its dates, and join it (`Campaign.sector_campaign`). The network sees only the
    participation of its members (how many campaigns, establishments and answers), never the answers.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="sector_campaigns")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="sector_campaigns")
    name = models.CharField(_("name"), max_length=200)
    # The short name that commands, files and public addresses use (``socle sector_report --campaign lcep-2026``);
    # unique in the network.
    code = models.SlugField(_("code"), max_length=64)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="sector_campaign_dates_in_order"
            ),
            models.UniqueConstraint(fields=["network", "code"], name="sector_campaign_code_unique_in_network"),
        ]
        verbose_name = _("sector campaign")
        verbose_name_plural = _("sector campaigns")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """An organisation runs the questionnaires of a published version of its framework, for one wave, over a
    period, in some or all of its establishments."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="campaigns")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    wave = models.CharField(_("wave"), max_length=20, choices=Wave.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    sector_campaign = models.ForeignKey(
        SectorCampaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_campaigns",
        verbose_name=_("sector campaign"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_in_order"
            ),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class CollectionLink(models.Model):
    """One (campaign, establishment, questionnaire): the public link `/r/<code>/` and its QR code."""

    code = models.CharField(max_length=16, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="collection_links")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="collection_links")
    questionnaire_code = models.CharField(max_length=64)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["campaign", "establishment", "questionnaire_code"], name="collection_link_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class FollowUpKey(models.Model):
    """The organisation's secret key for follow-up codes: only keyed hashes of codes are stored."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="followup_key")
    key_hex = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"follow-up key of {self.organisation_id}"

    @property
    def key(self) -> bytes:
        return bytes.fromhex(self.key_hex)


class ImmutableSubmissionError(Exception):
    """A received submission was about to change."""


class Submission(models.Model):
    """One filled questionnaire, as received. `uuid` is made by the browser (or the importing tool), so that a
    resend of the same answers is recognised: `UNIQUE(framework_version, questionnaire_code, uuid)`."""

    uuid = models.UUIDField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="submissions")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="submissions")
    link = models.ForeignKey(
        CollectionLink, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="submissions")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="submissions")
    questionnaire_code = models.CharField(max_length=64)
    wave = models.CharField(max_length=20, choices=Wave.choices)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    answers = models.JSONField()
    answers_sha256 = models.CharField(max_length=64)
    followup_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The respondent's answer to the closing question: may open answers be quoted anonymously? (None: not asked)
    quote_consent = models.BooleanField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")

    class Meta:
        ordering = ["received_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["framework_version", "questionnaire_code", "uuid"], name="submission_unique_uuid"
            ),
            # a chain of corrections never forks: a version is corrected at most once
            models.UniqueConstraint(fields=["corrects"], name="submission_corrected_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "campaign", "received_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_code} {self.uuid}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableSubmissionError("a received submission never changes: record a correction instead")
        super().save(*args, **kwargs)
