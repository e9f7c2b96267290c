"""Impact pages: each member organisation's public page (docs/impact.md).

An :class:`ImpactPage` is the organisation's draft, edited by its admins: texts (mission, activities, the five
dimensions of the Impact Management Project), the campaign whose results are shown, the indicators chosen, the
approved quotes chosen, and what else to show. Publishing computes everything the page shows, passes every figure
through the public disclosure rules (``socle.lib.impact.public``) and stores the result as an
:class:`ImpactPublication`: numbered, never changed (a trigger refuses any update of its content). The public
reads only the latest publication, and only while the page is published (``ImpactPage.published``); older
versions stay readable by the organisation. Photos (:class:`ImpactPhoto`) are stored re-encoded, without their
metadata; a removed photo stays for the versions that show it.

Tenant key: ``organisation`` on every row.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.collection.models import Campaign
from socle.lib.immutable import ImmutableRows
from socle.network.models import Organisation


class ImpactPage(models.Model):
    """The organisation's draft of its impact page, and whether the page is published."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="impact_page")
    mission = models.TextField(_("mission"), blank=True, max_length=2000)
    activities = models.TextField(_("activities"), blank=True, max_length=2000)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("campaign")
    )
    indicators = models.JSONField(default=list)  # indicator codes of the campaign's framework, in order
    quotes = models.JSONField(default=list)  # public ids of approved quotes
    show_activity = models.BooleanField(_("show key activity figures"), default=True)
    show_theory_of_change = models.BooleanField(_("show the theory of change"), default=True)
    show_sector = models.BooleanField(_("show the contribution to the sector figures"), default=True)
    imp_what = models.TextField(_("what"), blank=True, max_length=1000)
    imp_who = models.TextField(_("who"), blank=True, max_length=1000)
    imp_how_much = models.TextField(_("how much"), blank=True, max_length=1000)
    imp_contribution = models.TextField(_("contribution"), blank=True, max_length=1000)
    imp_risk = models.TextField(_("risk"), blank=True, max_length=1000)
    published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("impact page")
        verbose_name_plural = _("impact pages")

    def __str__(self) -> str:
        return f"impact page of organisation {self.organisation_id}"


class ImpactPhoto(models.Model):
    """A photo of the page, re-encoded as JPEG without metadata; ``removed_at`` takes it off the draft only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="impact_photos")
    content = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(_("alternative text"), max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo {self.public_id}"


class ImpactPublication(models.Model):
    """A published version of the page: everything it shows, already filtered; frozen, numbered per organisation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="impact_publications")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation_id", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "version"], name="impact_publication_version_unique"),
        ]
        verbose_name = _("impact page version")
        verbose_name_plural = _("impact page versions")

    def __str__(self) -> str:
        return f"impact page version {self.version} of organisation {self.organisation_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("a published impact page never changes: publish a new version")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


IMMUTABLE_IMPACT_PUBLICATIONS = ImmutableRows(
    table="impact_impactpublication",
    trigger="impact_publication_frozen",
    function="impact_publication_frozen_fn",
    columns=("content", "version", "organisation_id", "published_at"),
    message="a published impact page never changes",
)
