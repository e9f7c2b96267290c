"""Network staff's pages of the learning paths: the paths and their versions, a path's page (its versions and the
modules of its latest one), one module edited as YAML into the path's draft, the changes between two versions,
publishing a draft and downloading a version. Paths are data, versioned like frameworks: a draft changes, a
published version never does."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.learning import actions
from socle.learning.access import get_paths_for_network, network_learning_path, network_version, paths_of
from socle.learning.models import LearningPath, PathVersion
from socle.learning.views import rendered_markdown
from socle.lib.learning.diff import diff
from socle.lib.learning.document import CODE, dump_yaml, module_index, raw_modules
from socle.network.actions import ActionError
from socle.web.forms import compared_versions

MAX_TEXT = 500_000


class PathForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Path document (YAML or JSON)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MAX_TEXT,
        strip=False,  # a text block's final line break is part of it
    )
    publish = forms.BooleanField(label=gettext_lazy("Publish at once"), required=False)


class ModuleForm(forms.Form):
    text = forms.CharField(  # drawn by learning/network_module.html, with its help text
        label=gettext_lazy("The module (YAML)"),
        max_length=MAX_TEXT,
        strip=False,  # the module's last text block keeps its final line break
    )
    base = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _parsed(form: forms.Form) -> Any:
    """The YAML (or JSON) of the form's text, or None with the error, and the line where it is, on the field."""
    try:
        return yaml.safe_load(form.cleaned_data["text"])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = (
            _(" (line %(line)d, column %(column)d)") % {"line": mark.line + 1, "column": mark.column + 1}
            if mark is not None
            else ""
        )
        form.add_error("text", _("The document cannot be read%(where)s.") % {"where": where})
        return None


def _latest(path: LearningPath) -> PathVersion:
    version = path.versions.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def _starter(code: str) -> dict[str, Any]:
    """A new module's first text: every part once, to fill in."""
    return {
        "code": code,
        "title": {"fr": "", "en": ""},
        "lessons": [{"code": f"{code}-1", "title": {"fr": "", "en": ""}, "body": {"fr": "\n", "en": "\n"}}],
        "quiz": [],
        "exercises": [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def network_paths(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_paths_for_network(request, slug, write=request.method == "POST")
    network = access.network
    form = PathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        document = _parsed(form)
        if not form.errors:
            try:
                version = actions.load_path(
                    network, document, publish=form.cleaned_data["publish"], acting_user=request.user
                )
            except ActionError as error:
                form.add_error("text", str(error))
            else:
                messages.success(request, _("Version %(number)d of the path is saved.") % {"number": version.number})
                return redirect("learning:network_paths", slug=slug)
    paths = [
        (p, sorted(p.versions.all(), key=lambda v: -v.number))
        for p in paths_of(network.pk).prefetch_related("versions").order_by("code")
    ]
    return render(
        request,
        "learning/network_paths.html",
        {"network": network, "access": access, "paths": paths, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def network_path(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    access = get_paths_for_network(request, slug)
    path = network_learning_path(access.network.pk, code)
    versions = list(path.versions.select_related("created_by").order_by("-number"))
    if not versions:
        raise Http404
    latest = versions[0]
    return render(
        request,
        "learning/network_path.html",
        {
            "network": access.network,
            "access": access,
            "path": path,
            "versions": versions,
            "latest": latest,
            "title": latest.content.get("title") or {},
            "modules": raw_modules(latest.content),
            "code_error": request.GET.get("error") == "code",
        },
    )


@login_required
@require_GET
def network_module_add(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The add-a-module form on the path page: to the new module's editor, or back when its code cannot be one."""
    access = get_paths_for_network(request, slug, write=True)
    path = network_learning_path(access.network.pk, code)
    module = request.GET.get("module", "").strip()
    if not CODE.match(module) or module in actions.RESERVED_MODULE_CODES:
        return redirect(reverse("learning:network_path", args=[slug, path.code]) + "?error=code#add-module")
    return redirect("learning:network_module", slug=slug, code=code, module=module)


@login_required
@require_http_methods(["GET", "POST"])
def network_module(request: HttpRequest, slug: str, code: str, module: str) -> HttpResponse:
    """One module of the path as YAML: saving writes it into the path's draft (a new draft copied from the latest
    published version when there is none); a module the path does not have yet is added at its end."""
    access = get_paths_for_network(request, slug, write=request.method == "POST")
    path = network_learning_path(access.network.pk, code)
    latest = _latest(path)
    modules = raw_modules(latest.content)
    index = module_index(modules, module)
    current = modules[index] if index is not None else None
    if current is None and not CODE.match(module):
        raise Http404
    if request.method == "POST" and "remove" in request.POST:
        form = ModuleForm({"text": dump_yaml(dict(current or {})), "base": latest.content_sha256})
        form.is_valid()  # bound, to carry the error below
        try:
            version = actions.save_module(
                path, module, None, base_sha256=request.POST.get("base", ""), acting_user=request.user
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            number = version.number if version is not None else latest.number
            messages.success(
                request,
                _("The module %(module)s is removed from the draft, version %(number)d.")
                % {"module": module, "number": number},
            )
            return redirect("learning:network_path", slug=slug, code=code)
    elif request.method == "POST":
        form = ModuleForm(request.POST)
        if form.is_valid():
            document = _parsed(form)
            if not form.errors:
                try:
                    version = actions.save_module(
                        path, module, document, base_sha256=form.cleaned_data["base"], acting_user=request.user
                    )
                except ActionError as error:
                    form.add_error("text", str(error))
                else:
                    if version is None:
                        messages.info(request, _("Nothing changed: the draft is as it was."))
                    else:
                        messages.success(
                            request,
                            _("The module %(module)s is saved in the draft, version %(number)d.")
                            % {"module": module, "number": version.number},
                        )
                    return redirect("learning:network_path", slug=slug, code=code)
    else:
        form = ModuleForm(
            initial={"text": dump_yaml(dict(current) if current else _starter(module)), "base": latest.content_sha256}
        )
    return render(
        request,
        "learning/network_module.html",
        {
            "network": access.network,
            "access": access,
            "path": path,
            "latest": latest,
            "module_code": module,
            "module": current,
            "removable": current is not None and len(modules) > 1,
            "index": index if index is not None else len(modules),
            "form": form,
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def network_diff(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The changes between two versions of the path (`?from=1&to=2`; by default the latest and the one before)."""
    access = get_paths_for_network(request, slug)
    path = network_learning_path(access.network.pk, code)
    versions = list(path.versions.order_by("number"))
    old, new = compared_versions(request, versions)
    return render(
        request,
        "learning/network_diff.html",
        {
            "network": access.network,
            "access": access,
            "path": path,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": diff(old.content, new.content),
        },
    )


@login_required
@require_GET
def network_preview(request: HttpRequest, slug: str, code: str, number: int) -> HttpResponse:
    """A version of the path read whole, as staff review it before publishing: every lesson rendered, every quiz
    question with its right answer and the feedback of each choice, every exercise and what Socle checks."""
    access = get_paths_for_network(request, slug)
    version = network_version(access.network.pk, code, number)
    path = actions.path_of(version)
    return render(
        request,
        "learning/network_preview.html",
        {
            "network": access.network,
            "access": access,
            "version": version,
            "path": path,
            "modules": [
                {
                    "module": module,
                    "lessons": [(lesson, rendered_markdown(lesson.body, top=4)) for lesson in module.lessons],
                    "exercises": [(e, rendered_markdown(e.instructions, top=4)) for e in module.exercises],
                }
                for module in path.modules
            ],
        },
    )


@login_required
@require_POST
def network_publish(request: HttpRequest, slug: str, code: str, number: int) -> HttpResponse:
    access = get_paths_for_network(request, slug, write=True)
    version = network_version(access.network.pk, code, number)
    try:
        actions.publish_version(version, acting_user=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The version is published."))
    if request.POST.get("next") == "path":
        return redirect("learning:network_path", slug=slug, code=code)
    return redirect("learning:network_paths", slug=slug)


@login_required
@require_GET
def network_export(request: HttpRequest, slug: str, code: str, number: int) -> HttpResponse:
    access = get_paths_for_network(request, slug)
    version = network_version(access.network.pk, code, number)
    response = HttpResponse(dump_yaml(version.content), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}-v{number}.yaml"'
    return response
