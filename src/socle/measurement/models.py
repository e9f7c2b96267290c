"""Facts: the sufficient statistics of one indicator for one cell, summed over the answers (or activity reports)
that fall in it.

A fact's key is (framework version, indicator, establishment, campaign, wave, breakdown, value) for indicators
over answers, and (framework version, indicator, establishment, period, breakdown, value) for indicators over
activity data (``campaign`` empty, ``wave`` empty). The total of a cell has ``breakdown = value = ""``; a
breakdown (``sex``, ``age_band``, ``mode``…) has one fact per value, ``""`` for "not answered", so that the values
of a breakdown add up to the total. ``stats`` is the record's ``to_dict()`` (``socle.lib.measurement.stats``):
exact, and summable to any higher level. A fact whose statistics fall back to zero is deleted.

Rows are written only by ``socle.measurement.actions`` and read through ``socle.measurement.access.facts_of``;
``organisation`` is the tenant key.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socle.collection.models import Campaign
from socle.frameworks.models import FrameworkVersion
from socle.lib.measurement.stats import Stats, stats_from_dict
from socle.network.models import Establishment, Organisation


class Fact(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="facts")
    # The version whose (effective) indicator definition computed the statistics: definitions may change from
    # one version to the next, so statistics of two versions are summed only by a reader who decides they match.
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="facts")
    indicator = models.CharField(max_length=100)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="facts")
    # Answers: the campaign and its wave (for an evolution, those of the respondent's first wave: see the docs).
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="facts")
    wave = models.CharField(max_length=20, blank=True)
    # Activity data: the report's period (``2026``, ``2026-Q1``, ``2026-03``) and its kind.
    period = models.CharField(max_length=7, blank=True)
    period_kind = models.CharField(max_length=10, blank=True)
    breakdown = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    stats = models.JSONField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["framework_version", "indicator", "establishment", "campaign", "wave", "breakdown", "value"],
                condition=Q(campaign__isnull=False),
                name="fact_unique_answers_key",
            ),
            models.UniqueConstraint(
                fields=["framework_version", "indicator", "establishment", "period", "breakdown", "value"],
                condition=Q(campaign__isnull=True),
                name="fact_unique_activity_key",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "indicator"], name="fact_organisation_indicator"),
            models.Index(fields=["establishment", "campaign", "wave"], name="fact_cell"),
        ]
        verbose_name = _("fact")
        verbose_name_plural = _("facts")

    def __str__(self) -> str:
        where = f"campaign {self.campaign_id} {self.wave}" if self.campaign_id else self.period
        return f"{self.indicator} @ {self.establishment_id} {where} {self.breakdown}={self.value}"

    @property
    def record(self) -> Stats:
        """The statistics as a record of ``socle.lib.measurement.stats``."""
        return stats_from_dict(self.stats)

    def key(self) -> tuple[Any, ...]:
        return fact_key(self)


def fact_key(fact: Fact) -> tuple[Any, ...]:
    """(organisation, version, indicator, establishment, campaign, wave, period, breakdown, value)."""
    return (
        fact.organisation_id,
        fact.framework_version_id,
        fact.indicator,
        fact.establishment_id,
        fact.campaign_id,
        fact.wave,
        fact.period,
        fact.breakdown,
        fact.value,
    )
