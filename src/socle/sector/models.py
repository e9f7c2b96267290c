"""Sector figures: a network's consolidation of its members' facts for one sector campaign, the members' review of
it, and its publication.

A :class:`Consolidation` is a snapshot: ``results`` holds what was computed at ``computed_at`` (coverage, weighted
and unweighted estimates, statuses of disclosure control, the members' benchmarks), already filtered by the
disclosure rules, since network staff are outside the organisations that collected the answers. Members review a
consolidation (:class:`Review`); the network then publishes it: a :class:`Publication` copies the results, is
numbered per sector campaign, and never changes (a trigger refuses any update of its figures). Publishing again
makes a new version; the older ones stay readable.

Tenant keys: ``network`` on consolidations and publications (the network's staff), ``organisation`` on reviews.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.collection.models import SectorCampaign
from socle.lib.immutable import ImmutableRows
from socle.network.models import Network, Organisation


class Method(models.TextChoices):
    POSTSTRATIFICATION = "poststratification", _("Post-stratification (type × region)")
    RAKING = "raking", _("Raking (type, then region)")


class SectorSettings(models.Model):
    """The network's stated thresholds: when a sector figure may be called representative, and how weights are
    made. Disclosure rules are not here: they are the same for every network (METHODS.md §4)."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="sector_settings")
    min_establishments = models.PositiveSmallIntegerField(
        _("participating establishments per stratum"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("A stratum (type × region) of the frame is covered with at least this many participating "
                    "establishments."),
    )  # fmt: skip
    min_people_share = models.DecimalField(
        _("share of the stratum's people"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("…and with participating establishments that support at least this share of its people "
                    "(0.1 = 10 %)."),
    )  # fmt: skip
    min_weighting_establishments = models.PositiveSmallIntegerField(
        _("participating establishments to weight a type"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A type of establishment with fewer participating establishments is left out of the weighted "
                    "figures (and said so); a stratum with fewer is pooled with the other regions of its type."),
    )  # fmt: skip
    trim = models.DecimalField(
        _("weight trimming"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.50"),
        validators=[MinValueValidator(Decimal("1.01"))],
        help_text=_("Weights above this many times the median weight are trimmed."),
    )
    method = models.CharField(_("weighting"), max_length=20, choices=Method.choices, default=Method.POSTSTRATIFICATION)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sector settings")
        verbose_name_plural = _("sector settings")

    def __str__(self) -> str:
        return f"sector settings of {self.network_id}"


class ConsolidationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review by the members")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class Consolidation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="consolidations")
    sector_campaign = models.ForeignKey(SectorCampaign, on_delete=models.CASCADE, related_name="consolidations")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=ConsolidationStatus.choices, default=ConsolidationStatus.DRAFT)
    results = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_opened_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(_("message to the members"), blank=True)

    class Meta:
        ordering = ["sector_campaign_id", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["sector_campaign", "number"], name="consolidation_number_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["network", "status"], name="consolidation_network_status")]
        verbose_name = _("consolidation")
        verbose_name_plural = _("consolidations")

    def __str__(self) -> str:
        return f"consolidation {self.number} of sector campaign {self.sector_campaign_id}"


class Decision(models.TextChoices):
    VALIDATED = "validated", _("Validated")
    COMMENTED = "commented", _("Commented")


class Review(models.Model):
    """A participating organisation's answer to a consolidation in review: it validates or comments, and says
    whether it agrees to be named among the participants in public reports."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consolidation = models.ForeignKey(Consolidation, on_delete=models.CASCADE, related_name="reviews")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sector_reviews")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    named = models.BooleanField(_("we agree to be named among the participating organisations"), default=False)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["consolidation_id", "organisation_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["consolidation", "organisation"], name="review_one_per_organisation"),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "consolidation"], name="review_organisation")]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.decision} by {self.organisation_id}"


class Publication(models.Model):
    """Published sector figures: frozen (see :data:`IMMUTABLE_PUBLICATIONS`) and numbered per sector campaign."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="publications")
    sector_campaign = models.ForeignKey(SectorCampaign, on_delete=models.CASCADE, related_name="publications")
    consolidation = models.OneToOneField(Consolidation, on_delete=models.PROTECT, related_name="publication")
    version = models.PositiveIntegerField()
    figures = models.JSONField()
    # The organisations that agreed to be named, by name, as they were when published.
    named_organisations = models.JSONField(default=list)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sector_campaign_id", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["sector_campaign", "version"], name="publication_version_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["network", "published_at"], name="publication_network")]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"publication {self.version} of sector campaign {self.sector_campaign_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("published sector figures never change: publish a new version")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


IMMUTABLE_PUBLICATIONS = ImmutableRows(
    table="sector_publication",
    trigger="sector_publication_frozen",
    function="sector_publication_frozen_fn",
    columns=("figures", "named_organisations", "version", "sector_campaign_id", "consolidation_id", "published_at"),
    message="published sector figures never change",
)


class UnitCost(models.Model):
    """A public cost avoided per unit (a night of emergency accommodation, a day in hospital…): data the network
    edits, with its source and year, indexed to consumer prices when used (METHODS.md §5)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="unit_costs")
    code = models.SlugField(_("code"), max_length=64)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    value = models.DecimalField(_("cost in euros"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.01"))])  # fmt: skip
    # A published range around the value (e.g. an emergency visit €161.50 to €227), used by the low and high ends.
    low = models.DecimalField(_("low"), max_digits=12, decimal_places=2, null=True, blank=True)
    high = models.DecimalField(_("high"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("per"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year of the cost"), validators=[MinValueValidator(1990)])
    source = models.CharField(_("source"), max_length=500)
    verify = models.BooleanField(_("to verify (second-hand or dated)"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["network_id", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["network", "code"], name="unit_cost_code_unique_in_network"),
        ]
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")

    def __str__(self) -> str:
        return f"{self.code}: {self.value} € / {self.unit} ({self.year})"


class CostMapping(models.Model):
    """One outcome counted by a sector indicator, valued with a unit cost: each person counted by the indicator
    avoids ``quantity`` units of the cost a year, adjusted by the SROI ``scenarios`` (low, central and high
    deadweight, attribution, displacement, drop-off, discount rate and years: ``socle.lib.sector.avoided_costs``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="cost_mappings")
    indicator = models.CharField(_("sector indicator"), max_length=100)
    wave = models.CharField(_("wave"), max_length=20, default="follow_up")
    # Empty: the outcomes are the people the indicator counts at ``wave`` (exits to stable housing, people in
    # work). A wave: the outcomes are the change since that wave (fewer emergency visits between entry and follow-up).
    baseline_wave = models.CharField(_("counted as the change since"), max_length=20, blank=True)
    unit_cost = models.ForeignKey(UnitCost, on_delete=models.PROTECT, related_name="mappings")
    quantity = models.DecimalField(_("units avoided per person a year"), max_digits=10, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0.01"))])  # fmt: skip
    description = models.CharField(_("what is avoided"), max_length=500)
    scenarios = models.JSONField()
    comparison_group = models.BooleanField(_("a comparison group exists"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["network_id", "indicator", "unit_cost_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["network", "indicator", "wave", "unit_cost"], name="cost_mapping_unique"),
        ]
        verbose_name = _("avoided-cost mapping")
        verbose_name_plural = _("avoided-cost mappings")

    def __str__(self) -> str:
        return f"{self.indicator} → {self.unit_cost_id} × {self.quantity}"


class ReportJob(models.Model):
    """An advocacy report of a publication, as a PDF made in the background (``socle.sector.tasks``), with its
    progress. As imports keep their files, the PDF's bytes are kept in the database (``content``): the worker may
    run on another machine than the web server, and the database is the one store both share.

    A publication never changes, so a finished job's PDF stays right for its publication, region and language:
    the public ``report.pdf`` serves the latest such PDF and makes one (``for_public``) only when there is none.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    class Step(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        FIGURES = "figures", _("Reading the published figures")
        CHARTS = "charts", _("Drawing the chart and the theory of change")
        PDF = "pdf", _("Laying out the PDF")
        DONE = "done", _("Done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="report_jobs")
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="report_jobs")
    region = models.CharField(max_length=3, blank=True)  # a région's code, or "" for the whole sector
    language = models.CharField(max_length=8, default="fr")
    for_public = models.BooleanField(default=False)  # made on demand for the public page, not by network staff

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    content = models.BinaryField(default=b"")
    file_size = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [
            models.Index(fields=["network", "created_at"], name="report_job_network"),
            models.Index(fields=["publication", "region", "language", "status"], name="report_job_publication"),
        ]
        verbose_name = _("advocacy report")
        verbose_name_plural = _("advocacy reports")

    def __str__(self) -> str:
        return f"report of publication {self.publication_id} ({self.region or 'all'}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
