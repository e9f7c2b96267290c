"""Frameworks (référentiels) and their versions, and the consultation of members on a draft.

A version's content is one document (docs/framework-format.md), checked before it is stored. A published version
never changes: `FrameworkVersion.save` refuses it, and a database trigger (migration 0002) refuses any UPDATE or
DELETE of a published row, whatever path the write takes. Views reach these rows through
`socle.frameworks.access`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from socle.lib.frameworks.merge import effective
from socle.network.models import Field, Network, Organisation


class ImmutableVersionError(Exception):
    """A published framework version was about to change."""


def text_in(text: Any, language: str | None = None) -> str:
    """A text (mapping language → string) in the active language, else French."""
    if not isinstance(text, dict):
        return str(text or "")
    language = (language or get_language() or "fr")[:2]
    return str(text.get(language) or text.get("fr") or "")


class Framework(models.Model):
    """A sector framework of a network for a field, or an organisation framework adopted from a sector one."""

    class Kind(models.TextChoices):
        SECTOR = "sector", _("Sector framework")
        ORGANISATION = "organisation", _("Organisation framework")

    slug = models.SlugField(unique=True, max_length=64)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="frameworks")
    field = models.ForeignKey(Field, null=True, blank=True, on_delete=models.PROTECT, related_name="frameworks")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="frameworks"
    )
    base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
        help_text="For an organisation framework: the sector framework it adopted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(kind="sector", organisation__isnull=True, base__isnull=True))
                | Q(kind="organisation", organisation__isnull=False, base__isnull=False),
                name="framework_kind_consistent",
            ),
            models.UniqueConstraint(fields=["organisation", "base"], name="framework_one_adoption_per_base"),
        ]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.slug

    @property
    def is_sector(self) -> bool:
        return self.kind == self.Kind.SECTOR


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    base_version = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_versions",
        help_text="For an organisation framework: the published sector version it extends.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["framework", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_unique_number"),
            models.UniqueConstraint(
                fields=["framework"], condition=Q(status="draft"), name="framework_version_one_draft"
            ),
        ]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")

    def __str__(self) -> str:
        return f"{self.framework.slug} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = FrameworkVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.PUBLISHED:
                raise ImmutableVersionError(f"{self} is published and cannot be changed")
        self.content_sha256 = self.digest(self.content)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.pk is not None and FrameworkVersion.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise ImmutableVersionError(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def title(self) -> str:
        return text_in(self.content.get("title"))

    @property
    def notice(self) -> Any:
        """The notice shown on every page: the version's own, else its sector base's (as `effective_content`)."""
        if "notice" in self.content or self.base_version_id is None:
            return self.content.get("notice")
        assert self.base_version is not None
        return self.base_version.content.get("notice")

    def effective_content(self) -> dict[str, Any]:
        """The document collected and measured with: an organisation framework merged with its sector base."""
        if self.base_version_id is None:
            return self.content
        assert self.base_version is not None
        return effective(self.base_version.content, self.content)

    @staticmethod
    def digest(content: dict[str, Any]) -> str:
        return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Consultation(models.Model):
    """Members' consultation on a draft sector version; it stays attached to the version once published."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.OneToOneField(FrameworkVersion, on_delete=models.PROTECT, related_name="consultation")
    message = models.TextField(_("message to members"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return f"consultation on {self.version}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class TargetKind(models.TextChoices):
    GENERAL = "general", _("The framework as a whole")
    NODE = "node", _("Theory of change")
    INDICATOR = "indicator", _("Indicator")
    QUESTION = "question", _("Question")


class ConsultationComment(models.Model):
    """A comment by a member organisation (or an answer by network staff) on one element of the draft.

    Tenant key: `organisation` (null for the network's answers).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="comments")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="consultation_comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    target_code = models.CharField(max_length=140, blank=True)
    text = models.TextField()
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on {self.target_kind} {self.target_code}".strip()


class IndicatorView(models.Model):
    """A member organisation's view on one indicator of the draft: keep, change or drop."""

    class View(models.TextChoices):
        KEEP = "keep", _("Keep")
        CHANGE = "change", _("Change")
        DROP = "drop", _("Drop")

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="views")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="indicator_views")
    indicator_code = models.CharField(max_length=64)
    view = models.CharField(max_length=10, choices=View.choices)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["consultation", "organisation", "indicator_code"], name="indicator_view_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code}: {self.view}"
