"""Writes of the learning paths: loading a path version (network staff), editing one module of its draft,
publishing it; and a learner's progress: starting, reading a lesson, answering a quiz, an exercise detected, sharing
with facilitators.

Each function is one transaction; anything wrong raises ``ActionError`` with a message for the person, and nothing
is written. Network staff's writes and completions write an audit row.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.learning import exercises
from socle.learning.access import paths_of, progress_of
from socle.learning.models import LearningPath, PathVersion, Progress
from socle.lib.learning.document import Path, PathError, module_index, raw_modules, read_path
from socle.lib.learning.quiz import QuizResult, score
from socle.network.actions import ActionError
from socle.network.models import Network, Organisation

__all__ = [
    "answer_quiz",
    "check_exercise",
    "load_path",
    "publish_version",
    "read_lesson",
    "save_module",
    "set_shared",
    "start",
]


# /o/<slug>/learn/<path>/ and /o/<slug>/learn/<path>/<module>/ share their address space with these pages.
RESERVED_PATH_CODES = frozenset({"learners"})
RESERVED_MODULE_CODES = frozenset({"share", "lessons", "exercise"})


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _sha(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _checked(document: Any) -> Path:
    """The path of a document the network may store, or ActionError with every problem and where it is."""
    try:
        path_data = read_path(document)
    except PathError as error:
        raise ActionError(
            _("The path cannot be used: %(problems)s") % {"problems": "; ".join(error.problems)}
        ) from None
    reserved = [m.code for m in path_data.modules if m.code in RESERVED_MODULE_CODES]
    if path_data.code in RESERVED_PATH_CODES or reserved:
        raise ActionError(
            _("These codes name pages of the learning space: %(codes)s. Choose others.")
            % {"codes": ", ".join([path_data.code, *reserved] if path_data.code in RESERVED_PATH_CODES else reserved)}
        )
    return path_data


def _store(path: LearningPath, latest: PathVersion | None, document: Any, *, acting_user: Any) -> PathVersion:
    """The document as the path's draft: the latest version replaced when it is a draft (locked by the caller), a
    new version otherwise."""
    sha = _sha(document)
    if latest is not None and not latest.is_published:
        latest.content, latest.content_sha256 = document, sha
        latest.save(update_fields=["content", "content_sha256"])
        return latest
    number = (path.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    return PathVersion.objects.create(
        path=path, number=number, content=document, content_sha256=sha, created_by=_actor(acting_user)
    )


def load_path(network: Network, document: Any, *, publish: bool = False, acting_user: Any) -> PathVersion:
    """A new version of the network's path of the document's code (or the draft replaced, when the latest version
    is a draft); published at once when ``publish``. Publishing a document equal to the latest published version
    changes nothing and returns it."""
    path_data = _checked(document)
    with transaction.atomic():
        path, _created = LearningPath.objects.get_or_create(network=network, code=path_data.code)
        latest = path.versions.select_for_update().order_by("-number").first()
        if latest is not None and latest.is_published and latest.content_sha256 == _sha(document):
            return latest
        version = _store(path, latest, document, acting_user=acting_user)
        if publish:
            version.published_at = timezone.now()
            version.save(update_fields=["published_at"])
        record(
            "learning.path_loaded",
            actor=acting_user,
            network=network,
            target=str(version.public_id),
            path=path.code,
            number=version.number,
            published=publish,
        )
    return version


def save_module(
    path: LearningPath, module_code: str, module: Any, *, base_sha256: str, acting_user: Any
) -> PathVersion | None:
    """The path's draft with its module ``module_code`` replaced by ``module``, added at the end when the path has
    no module of that code, or removed when ``module`` is None. The draft is the latest version when it is one, or
    a new version copied from the latest published one. ``base_sha256`` is the content the person edited (the
    latest version's when the page was shown): when the path changed since, nothing is written. Returns None, and
    writes nothing, when the path would not change."""
    if module is not None and not isinstance(module, Mapping):
        raise ActionError(_("A module is a set of fields: code, title, lessons, quiz and exercises."))
    if module is not None and module.get("code") != module_code:
        raise ActionError(
            _("The module's code must stay %(code)s. To rename a module, load the whole path again.")
            % {"code": module_code}
        )
    with transaction.atomic():
        latest = path.versions.select_for_update().order_by("-number").first()
        if latest is None or latest.content_sha256 != base_sha256:
            raise ActionError(
                _("The path has changed since you opened this page: open the module again to edit its latest text.")
            )
        document = copy.deepcopy(latest.content)
        modules = raw_modules(document)
        index = module_index(modules, module_code)
        if module is None:
            if index is None:
                raise ActionError(_("The path has no module %(code)s.") % {"code": module_code})
            if len(modules) == 1:
                raise ActionError(_("A path needs at least one module, and this is its last one."))
            del modules[index]
        elif index is None:
            modules.append(dict(module))
        else:
            modules[index] = dict(module)
        document["modules"] = modules
        if _sha(document) == latest.content_sha256:
            return None
        _checked(document)
        version = _store(path, latest, document, acting_user=acting_user)
        record(
            "learning.module_removed" if module is None else "learning.module_saved",
            actor=acting_user,
            network=path.network,
            target=str(version.public_id),
            path=path.code,
            module=module_code,
            number=version.number,
        )
    return version


def publish_version(version: PathVersion, *, acting_user: Any) -> PathVersion:
    with transaction.atomic():
        locked = PathVersion.objects.select_for_update().select_related("path__network").get(pk=version.pk)
        if locked.is_published:
            raise ActionError(_("This version is already published."))
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        record("learning.path_published", actor=acting_user, network=locked.path.network, target=str(locked.public_id))
    return locked


def path_of(version: PathVersion) -> Path:
    return read_path(version.content)


def start(user: Any, organisation: Organisation, version: PathVersion) -> Progress:
    """The learner's progress in the path version (made the first time: resumable afterwards)."""
    if not version.is_published or not paths_of(organisation.network_id).filter(pk=version.path_id).exists():
        raise ActionError(_("This path is not one of your network's published paths."))
    progress, _created = Progress.objects.get_or_create(user=user, organisation=organisation, path_version=version)
    return progress


def _complete_if_done(progress: Progress, path: Path) -> None:
    done = (
        all(lesson.code in progress.lessons for _m, lesson in path.lessons)
        and all(progress.quizzes.get(m.code, {}).get("passed") for m in path.modules if m.quiz)
        and all(e.code in progress.exercises for _m, e in path.exercises)
    )
    if done and progress.completed_at is None:
        progress.completed_at = timezone.now()
        record(
            "learning.completed",
            actor=progress.user,
            organisation=progress.organisation,
            target=str(progress.public_id),
            path=path.code,
        )


def _locked(progress: Progress) -> Progress:
    return progress_of(progress.organisation_id).select_for_update().get(pk=progress.pk)


def read_lesson(progress: Progress, code: str) -> Progress:
    path = path_of(progress.path_version)
    if code not in {lesson.code for _m, lesson in path.lessons}:
        raise ActionError(_("No such lesson in this path."))
    with transaction.atomic():
        locked = _locked(progress)
        if code not in locked.lessons:
            locked.lessons = [*locked.lessons, code]
        _complete_if_done(locked, path)
        locked.save()
    return locked


def answer_quiz(progress: Progress, module_code: str, given: Mapping[str, int | None]) -> tuple[Progress, QuizResult]:
    """Scores the module's quiz and keeps the result (a later attempt replaces it; passing once is enough)."""
    path = path_of(progress.path_version)
    module = path.module(module_code)
    if module is None or not module.quiz:
        raise ActionError(_("No such quiz in this path."))
    try:
        result = score(module.quiz, given)
    except ValueError as error:
        raise ActionError(str(error)) from None
    with transaction.atomic():
        locked = _locked(progress)
        passed = result.passed or bool(locked.quizzes.get(module_code, {}).get("passed"))
        locked.quizzes = {
            **locked.quizzes,
            module_code: {
                "right": result.right,
                "total": result.total,
                "passed": passed,
                "given": {m.question: m.given for m in result.marked},
            },
        }
        _complete_if_done(locked, path)
        locked.save()
    return locked, result


def check_exercise(progress: Progress, code: str, *, indicator: str = "", n: int | None = None) -> bool:
    """Looks at the organisation's data for the exercise; records it done when it is. ``dashboard_n`` exercises
    are checked with the figure the learner read (``indicator``, ``n``)."""
    path = path_of(progress.path_version)
    exercise = next((e for _m, e in path.exercises if e.code == code), None)
    if exercise is None:
        raise ActionError(_("No such exercise in this path."))
    organisation = progress.organisation
    if exercise.check == "dashboard_n":
        done = n is not None and exercises.dashboard_answer_is_right(organisation, indicator, n)
    else:
        done = exercises.detected(exercise.check, organisation)
    if done:
        with transaction.atomic():
            locked = _locked(progress)
            if code not in locked.exercises:
                locked.exercises = {**locked.exercises, code: timezone.now().isoformat()}
            _complete_if_done(locked, path)
            locked.save()
    return done


def set_shared(progress: Progress, shared: bool) -> Progress:
    with transaction.atomic():
        locked = _locked(progress)
        locked.shared = shared
        locked.save(update_fields=["shared", "updated_at"])
        record(
            "learning.shared" if shared else "learning.unshared",
            actor=progress.user,
            organisation=progress.organisation,
            target=str(progress.public_id),
        )
    return locked
