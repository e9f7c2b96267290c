"""Framework pages: the list, a version (theory of change, indicators, questionnaires), export, diff, editing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.frameworks import actions, presentation
from socle.frameworks.access import FrameworkAccess, get_framework_for_user, get_version_for_user
from socle.frameworks.models import Consultation, Framework, FrameworkVersion
from socle.lib.frameworks import diagram
from socle.lib.frameworks.diff import diff
from socle.lib.frameworks.document import dump_json, dump_yaml, parse_text
from socle.lib.frameworks.document import schema as framework_schema
from socle.lib.frameworks.problems import FrameworkDocumentError
from socle.network.access import get_network_for_user
from socle.web.forms import compared_versions

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    """The published JSON Schema of framework files (public: it describes a format, not data)."""
    return JsonResponse(framework_schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})


class FrameworkFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Framework file (.yaml or .json)"),
        help_text=gettext_lazy(
            "One version, as described by the published schema. Nothing is written if it has a problem."
        ),
    )
    publish = forms.BooleanField(label=gettext_lazy("Publish it once loaded"), required=False)

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".yaml", ".yml", ".json")):
            raise forms.ValidationError(_("Choose a .yaml or .json file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("This file is larger than 2 MB."))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("This file is not UTF-8 text.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def network_frameworks(request: HttpRequest, slug: str) -> HttpResponse:
    """Network staff: the sector frameworks, their versions, and loading a file."""
    access = get_network_for_user(request, slug, write=request.method == "POST")
    network = access.network
    form = FrameworkFileForm()
    problems = []
    if request.method == "POST":
        form = FrameworkFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = actions.load_framework_text(
                    form.cleaned_data["file"],
                    filename=request.FILES["file"].name,
                    network=network,
                    acting_user=request.user,
                    publish=form.cleaned_data["publish"],
                )
            except actions.DocumentRejected as error:
                problems = error.problems
            except actions.ActionError as error:
                form.add_error("file", str(error))
            else:
                if result.version.framework.is_sector:
                    messages.success(request, _("%(version)s loaded.") % {"version": result.version})
                    return redirect("frameworks:version", result.version.framework.slug, result.version.number)
                form.add_error("file", _("This is an organisation framework: its organisation loads it."))
    frameworks = (
        Framework.objects.filter(network=network, kind="sector").select_related("field").prefetch_related("versions")
    )
    return render(
        request,
        "frameworks/network_frameworks.html",
        {
            "network": network,
            "access": access,
            "frameworks": frameworks,
            "form": form,
            "problems": problems,
        },
    )


def version_context(request: HttpRequest, access: FrameworkAccess, version: FrameworkVersion) -> dict[str, object]:
    versions = list(access.versions().order_by("number").only("number", "status", "framework_id"))
    return {
        "access": access,
        "framework": access.framework,
        "version": version,
        "versions": versions,
        "content": version.content,
        "network": access.framework.network,
        "organisation": access.organisation,
        "notice": presentation.text_in(version.notice),
    }


@login_required
@require_GET
def framework_detail(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_framework_for_user(request, slug)
    versions = access.versions()
    version = versions.filter(status="published").order_by("-number").first() or versions.order_by("-number").first()
    if version is None:
        raise Http404
    return redirect("frameworks:version", slug, version.number)


@login_required
@require_GET
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    access, version = get_version_for_user(request, slug, number)
    doc = version.effective_content()
    own = presentation.own_elements(version)
    lang = presentation.language()
    layout = diagram.layout(doc.get("nodes", []), doc.get("links", []), language=lang)
    svg = diagram.render_svg(
        layout,
        title=_("Theory of change"),
        column_titles={k: str(v) for k, v in presentation.STAGE_TITLES.items()},
        highlight=own.get("nodes", set()),
    )
    context = version_context(request, access, version)
    context.update(
        {
            "doc": doc,
            "toc_svg": svg,
            "stages": presentation.theory_of_change(doc, own),
            "stakeholders": [(s["code"], presentation.text_in(s["label"])) for s in doc.get("stakeholders", [])],
            "indicators": presentation.indicators(doc, own),
            "questionnaires": [
                {
                    "code": q["code"],
                    "title": presentation.text_in(q["title"]),
                    "audience": presentation.AUDIENCE_LABELS[q["audience"]],
                    "waves": [presentation.WAVE_LABELS[w] for w in q["waves"]],
                    "questions": sum(len(s["questions"]) for s in q["sections"]),
                    "easy": presentation.has_easy_read(q),
                    "own": q["code"] in own.get("questionnaires", set()),
                }
                for q in doc.get("questionnaires", [])
            ],
            "languages": [(code, presentation.LANGUAGE_NAMES.get(code, code)) for code in doc.get("languages", ["fr"])],
            "activity_items": [
                {
                    "code": a["code"],
                    "label": presentation.text_in(a["label"]),
                    "unit": presentation.text_in(a.get("unit")),
                    "type": a["type"],
                }
                for a in doc.get("activity_items", [])
            ],
            "activity_checks": [
                {"code": c["code"], "rule": c["rule"], "message": presentation.text_in(c["message"])}
                for c in doc.get("activity_checks", [])
            ],
            "consultation": Consultation.objects.filter(version=version).first(),
            "newer_base": newer_base(version),
        }
    )
    return render(request, "frameworks/version.html", context)


def newer_base(version: FrameworkVersion) -> FrameworkVersion | None:
    """For an organisation framework: a later published version of its sector framework, if any."""
    if version.base_version_id is None:
        return None
    assert version.base_version is not None
    return (
        FrameworkVersion.objects.filter(
            framework_id=version.base_version.framework_id, status="published", number__gt=version.base_version.number
        )
        .order_by("-number")
        .first()
    )


@login_required
@require_GET
def version_indicators(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    access, version = get_version_for_user(request, slug, number)
    doc = version.effective_content()
    context = version_context(request, access, version)
    context["indicators"] = presentation.indicators(doc, presentation.own_elements(version))
    return render(request, "frameworks/indicators.html", context)


@login_required
@require_GET
def questionnaire_preview(request: HttpRequest, slug: str, number: int, code: str) -> HttpResponse:
    access, version = get_version_for_user(request, slug, number)
    doc = version.effective_content()
    questionnaire = presentation.find(doc.get("questionnaires", []), "code", code)
    if questionnaire is None:
        raise Http404
    languages = list(doc.get("languages", ["fr"]))
    lang = request.GET.get("lang", "fr")
    if lang not in languages:
        lang = "fr"
    easy = request.GET.get("easy") == "1"
    context = version_context(request, access, version)
    title = presentation.pick(questionnaire, "title", lang, easy)
    context.update(
        {
            "questionnaire": questionnaire,
            "q_title": title,
            "q_intro": presentation.pick(questionnaire, "intro", lang, easy),
            "sections": presentation.questionnaire_sections(
                doc, questionnaire, lang=lang, easy=easy, own=presentation.own_elements(version)
            ),
            "scores": [
                {"name": s["name"], "label": presentation.text_in(s["label"], lang), "expression": s["expression"]}
                for s in questionnaire.get("scores", [])
            ],
            "preview_lang": lang,
            "easy": easy,
            "languages": [(c, presentation.LANGUAGE_NAMES.get(c, c)) for c in languages],
            "has_easy": presentation.has_easy_read(questionnaire),
            "audience": presentation.AUDIENCE_LABELS[questionnaire["audience"]],
            "waves": [presentation.WAVE_LABELS[w] for w in questionnaire["waves"]],
        }
    )
    return render(request, "frameworks/questionnaire.html", context)


@login_required
@require_GET
def version_export(request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponse:
    access, version = get_version_for_user(request, slug, number)
    if fmt not in ("yaml", "json"):
        raise Http404
    text = dump_yaml(version.content) if fmt == "yaml" else dump_json(version.content)
    content_type = "application/yaml" if fmt == "yaml" else "application/json"
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.framework.slug}-v{version.number}.{fmt}"'
    return response


@login_required
@require_GET
def version_diff(request: HttpRequest, slug: str) -> HttpResponse:
    """The differences between two versions the person may see (`?from=1&to=2`)."""
    access = get_framework_for_user(request, slug)
    versions = list(access.versions().select_related("base_version__framework").order_by("number"))
    old, new = compared_versions(request, versions)
    changes = diff(old.effective_content(), new.effective_content())
    return render(
        request,
        "frameworks/diff.html",
        {
            "access": access,
            "framework": access.framework,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": changes,
            "network": access.framework.network,
            "organisation": access.organisation,
            "version": new,
        },
    )


class DraftEditForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The draft, in YAML"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        required=False,
    )
    file = forms.FileField(label=gettext_lazy("Or replace it with a file (.yaml or .json)"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if not upload.name.lower().endswith((".yaml", ".yml", ".json")):
                self.add_error("file", _("Choose a .yaml or .json file."))
            elif upload.size > MAX_UPLOAD_BYTES:
                self.add_error("file", _("This file is larger than 2 MB."))
            else:
                try:
                    data["text"] = upload.read().decode("utf-8")
                    data["filename"] = upload.name
                except UnicodeDecodeError:
                    self.add_error("file", _("This file is not UTF-8 text."))
        elif not data.get("text", "").strip():
            self.add_error("text", _("The draft cannot be empty."))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Edit a draft as YAML text or by uploading a file. A published version answers 409: it cannot change."""
    access, version = get_version_for_user(request, slug, number, write=True)
    context = version_context(request, access, version)
    if version.is_published:
        context["message"] = _("Version %(number)s is published and cannot be changed. Start a new draft instead.") % {
            "number": version.number
        }
        return render(request, "frameworks/published_conflict.html", context, status=409)
    problems = []
    if request.method == "POST":
        form = DraftEditForm(request.POST, request.FILES)
        if form.is_valid():
            filename = form.cleaned_data.get("filename") or f"{slug}-v{number}.yaml"
            try:
                parsed = parse_text(form.cleaned_data["text"], filename=filename)
                actions.save_draft(version, parsed.document, acting_user=request.user, parsed=parsed)
            except FrameworkDocumentError as error:
                problems = error.problems
            except actions.DocumentRejected as error:
                problems = error.problems
            except actions.ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Draft saved."))
                return redirect("frameworks:version", slug, number)
    else:
        form = DraftEditForm(initial={"text": dump_yaml(version.content)})
    context.update({"form": form, "problems": problems})
    return render(request, "frameworks/edit.html", context, status=422 if problems else 200)


@login_required
@require_POST
def version_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _access, version = get_version_for_user(request, slug, number, write=True)
    try:
        actions.publish_version(version, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Version %(number)s is published. It will not change any more.") % {"number": number}
        )
    return redirect("frameworks:version", slug, number)


@login_required
@require_POST
def new_draft(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_framework_for_user(request, slug, write=True)
    try:
        version = actions.create_draft(access.framework, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, str(error))
        return redirect(reverse("frameworks:framework", args=[slug]))
    messages.success(request, _("Draft version %(number)s started.") % {"number": version.number})
    return redirect("frameworks:version", slug, version.number)
