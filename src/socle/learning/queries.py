"""Reads of the learning paths: a learner's progress through a path, module by module; the guided approach of an
organisation's home (its steps and their status from its real state); the learners' progress shown to the
organisation's admins and consenting facilitators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from socle.learning import exercises
from socle.learning.access import paths_of
from socle.learning.models import PathVersion, Progress
from socle.lib.learning.document import Module, Path, read_path
from socle.network.models import Organisation

__all__ = ["FULL_PATH", "ModuleProgress", "PathProgress", "Step", "path_progress", "steps"]

FULL_PATH = "mesure-gestion"  # the full course: its modules teach each step of the approach


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    lessons_read: int
    quiz: dict[str, Any] | None
    exercises_done: int

    @property
    def done(self) -> bool:
        quiz_ok = not self.module.quiz or bool(self.quiz and self.quiz.get("passed"))
        return (
            self.lessons_read == len(self.module.lessons)
            and quiz_ok
            and self.exercises_done == len(self.module.exercises)
        )


@dataclass(frozen=True)
class PathProgress:
    path: Path
    modules: list[ModuleProgress]
    progress: Progress | None

    @property
    def steps_total(self) -> int:
        return sum(len(m.module.lessons) + (1 if m.module.quiz else 0) + len(m.module.exercises) for m in self.modules)

    @property
    def steps_done(self) -> int:
        return sum(
            m.lessons_read + (1 if m.quiz and m.quiz.get("passed") else 0) + m.exercises_done for m in self.modules
        )

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0


def path_progress(version: PathVersion, progress: Progress | None) -> PathProgress:
    path = read_path(version.content)
    lessons = set(progress.lessons) if progress else set()
    quizzes = progress.quizzes if progress else {}
    done = set(progress.exercises) if progress else set()
    return PathProgress(
        path,
        [
            ModuleProgress(
                module,
                sum(1 for lesson in module.lessons if lesson.code in lessons),
                quizzes.get(module.code),
                sum(1 for e in module.exercises if e.code in done),
            )
            for module in path.modules
        ],
        progress,
    )


@dataclass(frozen=True)
class Step:
    key: str
    title: Any
    status: str  # done / started / todo
    action_url: str
    action_label: Any
    lesson_url: str


def steps(organisation: Organisation) -> list[Step]:
    """The five steps of the approach, each with its status from the organisation's real state, a link to do it
    and a link to its module of the full course (when the network publishes it)."""
    slug = organisation.slug
    full = (
        PathVersion.objects.filter(
            path__in=paths_of(organisation.network_id), path__code=FULL_PATH, published_at__isnull=False
        )
        .order_by("-number")
        .first()
    )
    modules = {m.code for m in read_path(full.content).modules} if full is not None else set()

    def lesson(code: str) -> str:
        if full is None or code not in modules:
            return ""
        return reverse("learning:module", args=[slug, FULL_PATH, code])

    def status(done: bool, started: bool) -> str:
        return "done" if done else ("started" if started else "todo")

    has = exercises.all_detected(organisation, [*exercises.DETECTED, "figures", "page_published"])
    return [
        Step(
            "framework",
            _("Framework"),
            status(has["own_framework"], has["own_indicator"]),
            reverse("frameworks:organisation_frameworks", args=[slug]),
            _("Adopt the sector framework and add your own indicators"),
            lesson("referentiel"),
        ),
        Step(
            "collection",
            _("Collection"),
            status(has["answers"], has["campaign"]),
            reverse("collection:campaigns", args=[slug]),
            _("Open a campaign and collect answers"),
            lesson("collecte"),
        ),
        Step(
            "analysis",
            _("Analysis"),
            status(has["figures"], has["answers"]),
            reverse("measurement:dashboard", args=[slug]),
            _("Read your results with their uncertainty"),
            lesson("analyse"),
        ),
        Step(
            "communication",
            _("Communication"),
            status(has["page_published"], has["impact_draft"]),
            reverse("impact:composer", args=[slug]),
            _("Publish your impact page"),
            lesson("communication"),
        ),
        Step(
            "improvement",
            _("Improvement"),
            status(has["target"] and has["action"], has["target"] or has["action"]),
            reverse("improvement:overview", args=[slug]),
            _("Set targets and plan actions"),
            lesson("amelioration"),
        ),
    ]
