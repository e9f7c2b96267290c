"""Import jobs: one file of answers on its way into a campaign, from the upload to the result.

The file's bytes are kept in the database (``content``), not under ``MEDIA_ROOT``: the worker that runs the
import (``socle worker``) may run on another machine than the web server, and the database is the one store
both share (the task queue is in it too). The file then belongs to its job's transaction, its organisation's
tenant key and its backups, and goes with it. Files are at most 20 MB (``socle.imports.actions.MAX_FILE_BYTES``).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.collection.models import Campaign, CollectionLink
from socle.network.models import Establishment, Organisation


class ImportJob(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Waiting for the column mapping")
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="import_jobs")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="import_jobs")
    # The whole file goes to this link's establishment, or (link empty) each row names its establishment.
    link = models.ForeignKey(CollectionLink, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    establishment = models.ForeignKey(Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    questionnaire_code = models.CharField(max_length=64)

    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField(default=0)
    content = models.BinaryField()
    # What the upload read: the column titles, the first rows and notes on how the file was read.
    header = models.JSONField(default=list)
    preview = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    # [[column title, target], …]: target is a question name, "@row_id", "@establishment", "@followup_code",
    # "@quote_consent", or "" (ignored); see socle.lib.imports.mapping.
    mapping = models.JSONField(default=list)
    row_id_column = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(default=False)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    imported_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)  # already imported with the same answers
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # the error report: the first 100,000 errors
    failure = models.TextField(blank=True)  # why a failed job failed (not an error of the rows)

    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [models.Index(fields=["organisation", "campaign", "created_at"])]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} → {self.campaign_id}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def imported(self) -> bool:
        """Whether this job stored its rows (or found them all already there)."""
        return self.status == self.Status.DONE and not self.dry_run and self.error_count == 0

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.finished else 0
        return min(100, round(100 * self.rows_processed / self.rows_total))
