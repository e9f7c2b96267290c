"""Learning paths (docs/learning.md): the formation-action courses as versioned data, and each learner's progress.

A :class:`LearningPath` belongs to a network, whose staff edit it as :class:`PathVersion` documents (checked by
``socle.lib.learning.document``), like frameworks: a draft changes, a published version never does (the model and
a trigger refuse it). A learner's :class:`Progress` is kept per person, organisation and path version: the lessons
read, each module's quiz result, the exercises Socle detected, and whether the person agrees that the
organisation's facilitators see it.

Tenant keys: ``network`` on paths, ``organisation`` on progress.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socle.lib.immutable import ImmutableRows
from socle.network.models import Network, Organisation


class LearningPath(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="learning_paths")
    code = models.SlugField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network_id", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["network", "code"], name="learning_path_code_unique_in_network")
        ]
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")

    def __str__(self) -> str:
        return f"learning path {self.code}"


class PathVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["path_id", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["path", "number"], name="learning_path_version_unique")
        ]
        verbose_name = _("learning path version")
        verbose_name_plural = _("learning path versions")

    def __str__(self) -> str:
        return f"{self.path_id} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


IMMUTABLE_PATH_VERSIONS = ImmutableRows(
    table="learning_pathversion",
    trigger="learning_pathversion_frozen",
    function="learning_pathversion_frozen_fn",
    columns=("content", "content_sha256", "number", "path_id", "published_at"),
    message="a published learning path version never changes",
    only_when="OLD.published_at IS NOT NULL",
)


class Progress(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_progress")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="learning_progress")
    path_version = models.ForeignKey(PathVersion, on_delete=models.PROTECT, related_name="progress")
    lessons = models.JSONField(default=list)  # codes of the lessons read
    quizzes = models.JSONField(default=dict)  # module code -> {"right", "total", "passed", "given": {question: index}}
    exercises = models.JSONField(default=dict)  # exercise code -> ISO date-time Socle detected it
    shared = models.BooleanField(_("facilitators may see my progress"), default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "organisation", "path_version"], name="learning_progress_one_per_learner"
            )
        ]
        verbose_name = _("learning progress")
        verbose_name_plural = _("learning progress")

    def __str__(self) -> str:
        return f"progress of {self.user_id} in {self.path_version_id}"
