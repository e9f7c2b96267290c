"""Activity data: per establishment and period, the values of the framework's activity items.

One `ActivityReport` row is one revision of the report of an (establishment, period, framework). Rows never
change: `ActivityReport.save()` refuses an update, and a database trigger (migration 0002) refuses any UPDATE
except `entered_by` becoming NULL when its account is deleted. A correction is a new row that `supersedes` the
current one, with the next `revision` number and a comment saying why.

"One current report per (establishment, period, framework)" holds by construction, in the database:

- the first revision is unique: `UNIQUE(establishment, framework, period) WHERE supersedes IS NULL`;
- `supersedes` is one-to-one, so a revision is superseded at most once;
- `UNIQUE(establishment, framework, period, revision)`, and `revision = 1` exactly when `supersedes` is empty.

So the revisions of a report form one chain, and its one current revision is the row that nothing supersedes:
`ActivityReport.objects.filter(superseded_by__isnull=True)` (see `socle.activity.access.current_reports`).
Every row carries `organisation_id`, the tenant key.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.activity.periods import Period, parse_period
from socle.lib.activity.values import Number, from_json
from socle.network.models import Establishment, Organisation


class ImmutableReportError(Exception):
    """A stored activity report was about to change."""


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class Source(models.TextChoices):
    FORM = "form", _("Entered in the form")
    IMPORT = "import", _("Imported from a file")


class ActivityReport(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="activity_reports")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="activity_reports")
    # The report's key is the framework (an organisation's adoption of a sector framework); the version says
    # which items and checks the values were checked against.
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="activity_reports")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="activity_reports")
    period = models.CharField(_("period"), max_length=7)  # canonical code: 2026, 2026-Q1, 2026-03
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    # Item code -> value: integers as JSON numbers, decimals as exact decimal text ("3.5"); an item not given is
    # absent (socle.lib.activity.values.to_json / from_json).
    values = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["establishment_id", "period_start", "period_end", "revision"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["establishment", "framework", "period", "revision"], name="activity_report_unique_revision"
            ),
            models.UniqueConstraint(
                fields=["establishment", "framework", "period"],
                condition=Q(supersedes__isnull=True),
                name="activity_report_one_first_revision",
            ),
            models.CheckConstraint(
                condition=Q(revision=1, supersedes__isnull=True) | Q(revision__gt=1, supersedes__isnull=False),
                name="activity_report_revision_chain",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="activity_report_period_in_order"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "framework", "period_start"], name="activity_org_period"),
            models.Index(fields=["organisation", "establishment", "period_start"], name="activity_org_establishment"),
        ]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")

    def __str__(self) -> str:
        return f"{self.establishment_id} {self.period} r{self.revision}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableReportError("an activity report never changes: record a correction instead")
        super().save(*args, **kwargs)

    @property
    def period_value(self) -> Period:
        return parse_period(self.period)

    @property
    def numbers(self) -> dict[str, Number]:
        """The values as numbers: ``int`` for integer items, ``Decimal`` for decimal ones."""
        return from_json(self.values)
