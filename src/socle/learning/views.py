"""Learning paths: the public catalogue and lessons (``/learn/…``), a learner's path in the organisation's space
(``/o/<slug>/learn/…``: lessons, quizzes, exercises detected from the organisation's data, the certificate), the
learners' progress for admins and consenting facilitators. The network staff's pages (``/n/<slug>/learn/``) are in
``views_network``. Every view calls its access helper first (``socle.learning.access``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.frameworks.models import text_in
from socle.learning import actions, exercises, queries
from socle.learning.access import (
    get_learner,
    get_learners_for_user,
    get_public_path,
    progress_of,
    published_paths,
)
from socle.learning.models import PathVersion, Progress
from socle.lib.learning.document import Lesson, Module, Path
from socle.lib.learning.markdown import render as render_markdown
from socle.network.actions import ActionError
from socle.network.models import Network, Organisation


def rendered_markdown(text: Any, *, top: int = 3) -> str:
    """A lesson's or an exercise's Markdown in the reader's language, as safe HTML (``##`` as ``h<top>``)."""
    return mark_safe(render_markdown(text_in(text), top=top))  # noqa: S308 - markdown-it escapes raw HTML (html=False)


# --- Public -------------------------------------------------------------------------------------------------------


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    by_network: dict[int, tuple[Network, list[tuple[PathVersion, Path]]]] = {}
    for version in published_paths():
        network = version.path.network
        by_network.setdefault(network.pk, (network, []))[1].append((version, actions.path_of(version)))
    networks = list(by_network.values())
    return render(request, "learning/catalogue.html", {"networks": networks})


@require_GET
def public_path(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    network, version = get_public_path(network_slug, code)
    return render(
        request, "learning/public_path.html", {"network": network, "version": version, "path": actions.path_of(version)}
    )


def _lesson(path: Path, code: str) -> tuple[Module, Lesson, Lesson | None]:
    found = path.lessons
    for index, (module, lesson) in enumerate(found):
        if lesson.code == code:
            following = found[index + 1][1] if index + 1 < len(found) else None
            return module, lesson, following
    raise Http404


@require_GET
def public_lesson(request: HttpRequest, network_slug: str, code: str, lesson: str) -> HttpResponse:
    network, version = get_public_path(network_slug, code)
    path = actions.path_of(version)
    module, found, following = _lesson(path, lesson)
    return render(
        request,
        "learning/lesson.html",
        {
            "network": network,
            "path": path,
            "module": module,
            "lesson": found,
            "body": rendered_markdown(found.body),
            "following": following,
        },
    )


# --- The learner ----------------------------------------------------------------------------------------------------


def _version_for(organisation: Organisation, code: str) -> PathVersion:
    version = next((v for v in published_paths(organisation.network_id) if v.path.code == code), None)
    if version is None:
        raise Http404
    return version


def _progress(request: HttpRequest, organisation: Organisation, version: PathVersion) -> Progress | None:
    return progress_of(organisation.pk).filter(user=request.user, path_version=version).first()


@login_required
@require_GET
def learner_home(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_learner(request, slug)
    organisation = access.organisation
    rows = [
        queries.path_progress(version, _progress(request, organisation, version))
        for version in published_paths(organisation.network_id)
    ]
    return render(request, "learning/learner_home.html", {"organisation": organisation, "access": access, "rows": rows})


@login_required
@require_GET
def path_page(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    access = get_learner(request, slug)
    organisation = access.organisation
    version = _version_for(organisation, code)
    summary = queries.path_progress(version, _progress(request, organisation, version))
    return render(
        request,
        "learning/path.html",
        {"organisation": organisation, "access": access, "version": version, "summary": summary},
    )


class DashboardForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"))
    n = forms.IntegerField(label=gettext_lazy("Number of people who answered"), min_value=0, max_value=10_000_000)

    def __init__(self, data: Any, choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["indicator"].choices = choices  # type: ignore[attr-defined]


def _learner_module(request: HttpRequest, slug: str, code: str, module: str) -> tuple[Any, PathVersion, Path, Module]:
    """The learner's access, the path's published version, the path and one of its modules (404 when unknown)."""
    access = get_learner(request, slug)
    version = _version_for(access.organisation, code)
    path = actions.path_of(version)
    found = path.module(module)
    if found is None:
        raise Http404
    return access, version, path, found


@login_required
@require_GET
def module_page(request: HttpRequest, slug: str, code: str, module: str) -> HttpResponse:
    access, version, path, found = _learner_module(request, slug, code, module)
    organisation = access.organisation
    progress = _progress(request, organisation, version)
    return render(request, "learning/module.html", _module_context(access, version, path, found, progress))


def _module_context(
    access: Any, version: PathVersion, path: Path, module: Module, progress: Progress | None, **extra: Any
) -> dict[str, Any]:
    result = extra.get("result")
    given = {m.question: m.given for m in result.marked} if result is not None else {}
    marks = {m.question: m for m in result.marked} if result is not None else {}
    quiz_rows = [
        (
            question,
            [(index, choice, given.get(question.code) == index) for index, choice in enumerate(question.choices)],
            marks.get(question.code),
            question.choices[marks[question.code].given].feedback  # type: ignore[index]
            if question.code in marks and marks[question.code].given is not None
            else None,
        )
        for question in module.quiz
    ]
    needs_dashboard = any(e.check == "dashboard_n" for e in module.exercises)
    choices = exercises.dashboard_choices(access.organisation) if needs_dashboard else []
    return {
        "organisation": access.organisation,
        "access": access,
        "version": version,
        "path": path,
        "module": module,
        "progress": progress,
        "lessons_read": set(progress.lessons) if progress else set(),
        "quiz_state": progress.quizzes.get(module.code) if progress else None,
        "exercises_done": set(progress.exercises) if progress else set(),
        "instructions": {e.code: rendered_markdown(e.instructions) for e in module.exercises},
        "dashboard_form": DashboardForm(None, choices) if choices else None,
        "quiz_rows": quiz_rows,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def lesson_page(request: HttpRequest, slug: str, code: str, lesson: str) -> HttpResponse:
    access = get_learner(request, slug)
    organisation = access.organisation
    version = _version_for(organisation, code)
    path = actions.path_of(version)
    module, found, following = _lesson(path, lesson)
    if request.method == "POST":
        progress = actions.start(request.user, organisation, version)
        actions.read_lesson(progress, found.code)
        if following is not None:
            return redirect("learning:lesson", slug=slug, code=code, lesson=following.code)
        return redirect("learning:module", slug=slug, code=code, module=module.code)
    progress = _progress(request, organisation, version)
    return render(
        request,
        "learning/lesson.html",
        {
            "organisation": organisation,
            "access": access,
            "version": version,
            "path": path,
            "module": module,
            "lesson": found,
            "body": rendered_markdown(found.body),
            "following": following,
            "read": bool(progress and found.code in progress.lessons),
            "learner": True,
        },
    )


@login_required
@require_POST
def quiz(request: HttpRequest, slug: str, code: str, module: str) -> HttpResponse:
    access, version, path, found = _learner_module(request, slug, code, module)
    organisation = access.organisation
    if not found.quiz:
        raise Http404
    given: dict[str, int | None] = {}
    for question in found.quiz:
        raw = request.POST.get(question.code, "")
        if raw == "":
            given[question.code] = None
            continue
        try:
            given[question.code] = int(raw)
        except ValueError:
            raise Http404 from None
    try:
        progress, result = actions.answer_quiz(actions.start(request.user, organisation, version), found.code, given)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("learning:module", slug=slug, code=code, module=module)
    return render(
        request, "learning/module.html", _module_context(access, version, path, found, progress, result=result)
    )


@login_required
@require_POST
def exercise(request: HttpRequest, slug: str, code: str, exercise: str) -> HttpResponse:
    access = get_learner(request, slug)
    organisation = access.organisation
    version = _version_for(organisation, code)
    path = actions.path_of(version)
    module = next((m for m, e in path.exercises if e.code == exercise), None)
    if module is None:
        raise Http404
    found = next(e for e in module.exercises if e.code == exercise)
    progress = actions.start(request.user, organisation, version)
    indicator, n = "", None
    if found.check == "dashboard_n":
        form = DashboardForm(request.POST, exercises.dashboard_choices(organisation))
        if form.is_valid():
            indicator, n = form.cleaned_data["indicator"], form.cleaned_data["n"]
    if actions.check_exercise(progress, exercise, indicator=indicator, n=n):
        messages.success(request, _("Done: Socle finds it in your organisation's data."))
    elif found.check == "dashboard_n":
        messages.error(request, _("That is not the figure of your dashboard: look again at the number of answers."))
    else:
        messages.error(
            request,
            _("Not yet: Socle does not find it in your organisation's data. Follow the steps, then check again."),
        )
    return redirect(f"{request.path.rsplit('/exercise/', 1)[0]}/{module.code}/#exercise-{exercise}")


@login_required
@require_POST
def share(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    access = get_learner(request, slug)
    version = _version_for(access.organisation, code)
    progress = actions.start(request.user, access.organisation, version)
    shared = request.POST.get("shared") == "on"
    actions.set_shared(progress, shared)
    messages.success(
        request,
        _("The organisation's facilitators and admins now see your progress.")
        if shared
        else _("Your progress is no longer shown to others."),
    )
    return redirect("learning:path", slug=slug, code=code)


@login_required
@require_GET
def certificate(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    access = get_learner(request, slug)
    organisation = access.organisation
    version = _version_for(organisation, code)
    progress = _progress(request, organisation, version)
    if progress is None or progress.completed_at is None:
        raise Http404
    from socle.learning.certificate import certificate_pdf

    response = HttpResponse(certificate_pdf(progress, actions.path_of(version)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificat-{code}.pdf"'
    return response


@login_required
@require_GET
def learners(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_learners_for_user(request, slug)
    rows = [
        (p, queries.path_progress(p.path_version, p))
        for p in progress_of(access.organisation.pk)
        .filter(shared=True)
        .select_related("user", "path_version__path")
        .order_by("user__email", "path_version__path__code")
    ]
    return render(
        request, "learning/learners.html", {"organisation": access.organisation, "access": access, "rows": rows}
    )
