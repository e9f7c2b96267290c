"""Organisation frameworks in the browser: adopting a sector version, building the additions, upgrading to a newer
sector version; and questionnaires to and from XLSForm files.

Views are thin: the access helper first, a form to read the request, `socle.lib.frameworks.edit` to make the new
document, `actions.save_draft` to check and store it. A document with problems is never stored: the page shows
each problem with its path, with status 422.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.frameworks import actions, presentation
from socle.frameworks.access import (
    FrameworkAccess,
    frameworks_of,
    get_framework_for_user,
    get_version_for_user,
    sector_frameworks_for_organisation,
)
from socle.frameworks.forms_builder import (
    BUILDER_FORMS,
    MAX_XLSFORM_BYTES,
    XLSX_CONTENT_TYPE,
    AdoptForm,
    BuilderForm,
    RemoveForm,
    UpgradeForm,
    XLSFormUploadForm,
)
from socle.frameworks.models import FrameworkVersion
from socle.frameworks.views import newer_base, version_context
from socle.lib.frameworks import edit, xlsform
from socle.lib.frameworks.diff import diff
from socle.lib.frameworks.problems import Problem, format_path
from socle.network.access import get_organisation_for_user


def _shown_problems(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"path": format_path(p.path), "message": p.message, "line": p.line} for p in problems]


def _published_conflict(request: HttpRequest, context: dict[str, Any], number: int) -> HttpResponse:
    context["message"] = _("Version %(number)s is published and cannot be changed. Start a new draft instead.") % {
        "number": number
    }
    return render(request, "frameworks/published_conflict.html", context, status=409)


def _organisation_version(request: HttpRequest, slug: str, number: int) -> tuple[FrameworkAccess, FrameworkVersion]:
    """A version of an organisation framework the person may change (404 for a sector framework)."""
    access, version = get_version_for_user(request, slug, number)
    if access.framework.is_sector:
        raise Http404
    if not access.can_write:
        raise PermissionDenied
    return access, version


# --- the organisation's frameworks ---------------------------------------------------------------------------------


@login_required
@require_GET
def organisation_frameworks(request: HttpRequest, slug: str) -> HttpResponse:
    """The network's sector frameworks (to adopt) and the organisation's own frameworks, with newer sector versions."""
    access = get_organisation_for_user(request, slug)
    organisation = access.organisation
    own = list(frameworks_of(organisation).select_related("base").order_by("slug"))
    sectors = list(sector_frameworks_for_organisation(organisation).select_related("field").order_by("slug"))
    sector_ids = {f.pk for f in sectors} | {f.base_id for f in own if f.base_id}
    latest_published: dict[int, FrameworkVersion] = {}
    for v in FrameworkVersion.objects.filter(framework_id__in=sector_ids, status="published").order_by("number"):
        latest_published[v.framework_id] = v
    versions: dict[int, list[FrameworkVersion]] = {}
    for v in (
        FrameworkVersion.objects.filter(framework__in=own).select_related("base_version__framework").order_by("number")
    ):
        versions.setdefault(v.framework_id, []).append(v)
    adopted = {f.base_id: f for f in own}
    sector_rows = [
        {"framework": f, "latest": latest_published.get(f.pk), "adopted": adopted.get(f.pk)}
        for f in sectors
        if organisation.is_member and f.pk in latest_published
    ]
    own_rows = []
    for f in own:
        listed = versions.get(f.pk, [])
        current = listed[-1] if listed else None
        base = current.base_version if current else None
        newest = latest_published.get(f.base_id) if f.base_id else None
        newer = newest if newest is not None and base is not None and newest.number > base.number else None
        own_rows.append(
            {
                "framework": f,
                "versions": listed,
                "current": current,
                "base": base,
                "newer": newer,
                "published": next((v for v in reversed(listed) if v.is_published), None),
                "draft": next((v for v in listed if not v.is_published), None),
            }
        )
    return render(
        request,
        "frameworks/organisation_frameworks.html",
        {
            "access": access,
            "organisation": organisation,
            "sector_rows": sector_rows,
            "own_rows": own_rows,
        },
    )


@login_required
@require_POST
def adopt(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug, write=True)
    organisation = access.organisation
    form = AdoptForm(request.POST)
    version = None
    if form.is_valid():
        version = (
            FrameworkVersion.objects.select_related("framework")
            .filter(
                framework__in=sector_frameworks_for_organisation(organisation),
                framework__slug=form.cleaned_data["framework"],
                number=form.cleaned_data["version"],
                status="published",
            )
            .first()
        )
    if version is None:
        messages.error(request, _("Choose a published version of one of your network's sector frameworks."))
        return redirect("frameworks:organisation_frameworks", organisation.slug)
    if not organisation.is_member:
        messages.error(request, _("Only member organisations of the network adopt its frameworks."))
        return redirect("frameworks:organisation_frameworks", organisation.slug)
    try:
        framework = actions.adopt_framework(organisation, version, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, str(error))
        return redirect("frameworks:organisation_frameworks", organisation.slug)
    messages.success(
        request,
        _(
            "Your organisation adopted %(framework)s version %(number)s. Add your own outcomes, indicators and "
            "questions, then publish."
        )
        % {"framework": version.framework.slug, "number": version.number},
    )
    return redirect("frameworks:build", framework.slug, 1)


# --- building: the three forms ------------------------------------------------------------------------------------


# --- building: the page -------------------------------------------------------------------------------------------

COLLECTION_LABELS = {
    "stakeholders": gettext_lazy("stakeholder"),
    "nodes": gettext_lazy("element of the theory of change"),
    "links": gettext_lazy("link"),
    "indicators": gettext_lazy("indicator"),
    "choice_lists": gettext_lazy("choice list"),
    "questionnaires": gettext_lazy("questionnaire"),
    "sections": gettext_lazy("section"),
    "questions": gettext_lazy("question"),
    "activity_items": gettext_lazy("activity item"),
    "activity_checks": gettext_lazy("activity check"),
}


def _own_listing(version: FrameworkVersion, effective: Mapping[str, Any]) -> dict[str, Any]:
    """The organisation's own elements, as the builder page lists them."""
    own = version.content
    node_labels = {n["code"]: presentation.text_in(n["label"]) for n in effective.get("nodes", [])}
    sector_indicators = {
        i["code"]: presentation.text_in(i["label"])
        for i in (version.base_version.content if version.base_version else {}).get("indicators", [])
    }
    titles = {q["code"]: presentation.text_in(q["title"]) for q in effective.get("questionnaires", [])}
    nodes = [
        {"code": n["code"], "kind": n["kind"], "term": n.get("term", ""), "label": presentation.text_in(n["label"])}
        for n in own.get("nodes", [])
    ]
    links = [
        {
            "code": edit.link_key(link),
            "from": node_labels.get(link["from"], link["from"]),
            "to": node_labels.get(link["to"], link["to"]),
        }
        for link in own.get("links", [])
    ]
    indicators = [
        {
            "code": i["code"],
            "label": presentation.text_in(i["label"]),
            "kind": presentation.KIND_LABELS[i["kind"]],
            "outcomes": [node_labels.get(o, o) for o in i["outcomes"]],
            "maps_to": i.get("maps_to", ""),
            "maps_to_label": sector_indicators.get(i.get("maps_to", ""), ""),
        }
        for i in own.get("indicators", [])
    ]
    groups = []
    for extension in own.get("questionnaire_extensions", []):
        code = extension["questionnaire"]
        groups.append({"code": code, "title": titles.get(code, code), "own": False, "sections": extension["sections"]})
    for questionnaire in own.get("questionnaires", []):
        code = questionnaire["code"]
        groups.append(
            {"code": code, "title": titles.get(code, code), "own": True, "sections": questionnaire["sections"]}
        )
    for group in groups:
        group["questions"] = [
            {
                "name": q["name"],
                "key": f"{group['code']}/{q['name']}",
                "label": presentation.text_in(q["label"]),
                "type": presentation.QUESTION_TYPE_LABELS.get(q["type"], q["type"]),
                "section": s["code"],
            }
            for s in group["sections"]
            for q in s["questions"]
        ]
    others = [
        {
            "collection": collection,
            "kind": COLLECTION_LABELS[collection],
            "code": item[edit.CODE_KEYS[collection]],
            "label": presentation.text_in(item.get("label")),
        }
        for collection in ("stakeholders", "choice_lists", "activity_items", "activity_checks")
        for item in own.get(collection, [])
    ]
    return {
        "own_nodes": nodes,
        "own_links": links,
        "own_indicators": indicators,
        "question_groups": groups,
        "own_others": others,
    }


def _build_page(
    request: HttpRequest,
    access: FrameworkAccess,
    version: FrameworkVersion,
    *,
    forms_by_name: Mapping[str, BuilderForm] | None = None,
    problems: Mapping[str, Sequence[Problem]] | None = None,
    removal: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    effective = version.effective_content()
    built = {name: cls(version, effective, prefix=name) for name, cls in BUILDER_FORMS.items()}
    built.update(forms_by_name or {})
    context = version_context(request, access, version)
    context.update(_own_listing(version, effective))
    context.update(
        {
            "forms": built,
            "outcome_form": built["outcome"],
            "question_form": built["question"],
            "indicator_form": built["indicator"],
            "problems": {name: _shown_problems(found) for name, found in (problems or {}).items()},
            "removal": removal,
            "newer_base": newer_base(version),
        }
    )
    return render(request, "frameworks/build.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def build(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The builder of an organisation draft: its own elements, and forms to add an outcome, a question, an indicator."""
    access, version = _organisation_version(request, slug, number)
    if version.is_published:
        return _published_conflict(request, version_context(request, access, version), number)
    if request.method == "GET":
        return _build_page(request, access, version)
    name = request.POST.get("form", "")
    form_class = BUILDER_FORMS.get(name)
    if form_class is None:
        messages.error(request, _("Choose what to add."))
        return redirect("frameworks:build", slug, number)
    form = form_class(version, version.effective_content(), request.POST, prefix=name)
    if not form.is_valid():
        return _build_page(request, access, version, forms_by_name={name: form}, status=422)
    try:
        actions.save_draft(version, form.document(), acting_user=request.user)
    except actions.DocumentRejected as error:
        return _build_page(
            request, access, version, forms_by_name={name: form}, problems={name: error.problems}, status=422
        )
    except actions.ActionError as error:
        form.add_error(None, str(error))
        return _build_page(request, access, version, forms_by_name={name: form}, status=422)
    added = {
        "outcome": _("The outcome %(code)s is added."),
        "question": _("The question %(code)s is added."),
        "indicator": _("The indicator %(code)s is added."),
    }[name]
    messages.success(request, added % {"code": form.cleaned_data.get("code") or form.cleaned_data.get("name")})
    return redirect("frameworks:build", slug, number)


@login_required
@require_POST
def remove_element(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Remove one own element: first a page that says in words what goes, then, confirmed, the removal itself."""
    access, version = _organisation_version(request, slug, number)
    if version.is_published:
        return _published_conflict(request, version_context(request, access, version), number)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an element of your own to remove."))
        return redirect("frameworks:build", slug, number)
    collection, code = form.cleaned_data["collection"], form.cleaned_data["code"]
    try:
        document, removed = edit.remove_element(version.content, collection, code)
    except edit.EditError:
        messages.error(request, _("%(code)s is not one of your own elements in this draft.") % {"code": code})
        return redirect("frameworks:build", slug, number)
    removal = {
        "collection": collection,
        "code": code,
        "kind": COLLECTION_LABELS[collection],
        "removed": [{"kind": COLLECTION_LABELS[r.collection], "code": r.code} for r in removed],
    }
    if not form.cleaned_data["confirm"]:
        return _build_page(request, access, version, removal=removal)
    try:
        actions.save_draft(version, document, acting_user=request.user)
    except actions.DocumentRejected as error:
        return _build_page(request, access, version, removal=removal, problems={"removal": error.problems}, status=422)
    except actions.ActionError as error:
        messages.error(request, str(error))
        return redirect("frameworks:build", slug, number)
    messages.success(request, _("%(code)s is removed.") % {"code": code})
    return redirect("frameworks:build", slug, number)


# --- upgrading ----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upgrade(request: HttpRequest, slug: str) -> HttpResponse:
    """The differences between the sector version the organisation framework is based on and the newest one; and
    the upgrade, as a new draft, when the organisation's additions still fit."""
    access = get_framework_for_user(request, slug, write=request.method == "POST")
    framework = access.framework
    if framework.is_sector:
        raise Http404
    current = (
        access.versions().select_related("base_version__framework").filter(status="draft").first()
        or access.versions().select_related("base_version__framework").order_by("-number").first()
    )
    if current is None or current.base_version is None:
        raise Http404
    old_base = current.base_version
    newest = (
        FrameworkVersion.objects.select_related("framework")
        .filter(framework_id=framework.base_id, status="published")
        .order_by("-number")
        .first()
    )
    target = newest if newest is not None and newest.number > old_base.number else None
    status = 200
    upgrade_problems: list[Problem] = []
    error = ""
    if request.method == "POST":
        form = UpgradeForm(request.POST)
        if target is None or not form.is_valid() or form.cleaned_data["to"] != target.number:
            messages.error(request, _("There is no newer sector version to upgrade to, or it changed: look again."))
            return redirect("frameworks:upgrade", slug)
        try:
            version = actions.upgrade_framework(framework, target, acting_user=request.user)
        except actions.DocumentRejected as rejected:
            upgrade_problems, status = rejected.problems, 422
        except actions.ActionError as refused:
            error, status = str(refused), 422
        else:
            messages.success(
                request,
                _(
                    "Your framework is now based on version %(number)s of the sector framework, as draft version "
                    "%(draft)s. Check it, then publish it."
                )
                % {"number": target.number, "draft": version.number},
            )
            return redirect("frameworks:version", slug, version.number)
    fit = actions.rebase_problems(current, target) if target is not None else []
    context = version_context(request, access, current)
    context.update(
        {
            "current": current,
            "old_base": old_base,
            "target": target,
            "newest": newest,
            "changes": diff(old_base.content, target.content) if target is not None else [],
            "change_notes": presentation.text_in(target.content.get("change_notes")) if target is not None else "",
            "fit_problems": _shown_problems(fit),
            "upgrade_problems": _shown_problems(upgrade_problems),
            "error": error,
        }
    )
    return render(request, "frameworks/upgrade.html", context, status=status)


# --- XLSForm ------------------------------------------------------------------------------------------------------


def _read_upload(upload: Any, *, code: str | None, default_language: str) -> xlsform.XLSFormImport:
    """Read an uploaded XLSForm through a temporary file, which is always removed."""
    suffix = Path(upload.name).suffix.lower()
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="socle-xlsform-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return xlsform.read_xlsform(Path(name), default_language=default_language, code=code)
    finally:
        Path(name).unlink(missing_ok=True)


@login_required
@require_http_methods(["GET", "POST"])
def import_xlsform(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A questionnaire from an XLSForm file, into a draft (sector or organisation); "check only" writes nothing."""
    access, version = get_version_for_user(request, slug, number, write=True)
    context = version_context(request, access, version)
    if version.is_published:
        return _published_conflict(request, context, number)
    form = XLSFormUploadForm()
    status = 200
    result: xlsform.XLSFormImport | None = None
    problems: list[Problem] = []
    renames: dict[str, str] = {}
    refusal = ""
    check_only = request.POST.get("action") == "check"
    if request.method == "POST":
        form = XLSFormUploadForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            effective = version.effective_content()
            try:
                result = _read_upload(
                    form.cleaned_data["file"],
                    code=form.cleaned_data["code"] or None,
                    default_language=(effective.get("languages") or ["fr"])[0],
                )
            except xlsform.XLSFormError as error:
                form.add_error("file", _("This file cannot be read as an XLSForm: %(error)s") % {"error": error})
            else:
                try:
                    outcome = actions.import_questionnaire(
                        version, result, acting_user=request.user, dry_run=check_only
                    )
                except actions.ActionError as error:
                    refusal = str(error)
                else:
                    renames, refusal, problems = outcome.renames, outcome.refusal, outcome.problems or []
                    if check_only:
                        status = 200
                    elif outcome.saved:
                        messages.success(request, _("The questionnaire %(code)s is imported.") % {"code": outcome.code})
                        return redirect("frameworks:questionnaire", slug, number, outcome.code)
    context.update(
        {
            "form": form,
            "result": result,
            "summary": result.summary() if result else "",
            "problems": _shown_problems(problems),
            "renames": sorted(renames.items()),
            "refusal": refusal,
            "check_only": check_only,
            "max_megabytes": MAX_XLSFORM_BYTES // (1024 * 1024),
            "questionnaires": [
                {"code": q["code"], "title": presentation.text_in(q["title"])}
                for q in version.effective_content().get("questionnaires", [])
            ],
        }
    )
    return render(request, "frameworks/import_xlsform.html", context, status=status)


@login_required
@require_GET
def export_xlsform(request: HttpRequest, slug: str, number: int, code: str) -> HttpResponse:
    """A questionnaire of the effective framework as an XLSForm, with the choice lists it uses."""
    access, version = get_version_for_user(request, slug, number)
    document = version.effective_content()
    questionnaire = presentation.find(document.get("questionnaires", []), "code", code)
    if questionnaire is None:
        raise Http404
    used = {q["choices"] for s in questionnaire["sections"] for q in s["questions"] if "choices" in q}
    lists = [cl for cl in document.get("choice_lists", []) if cl["name"] in used]
    data = xlsform.write_xlsform(questionnaire, lists, list(document.get("languages", ["fr"])))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{access.framework.slug}-v{version.number}-{code}.xlsx"'
    return response


__all__ = [
    "adopt",
    "build",
    "export_xlsform",
    "import_xlsform",
    "organisation_frameworks",
    "remove_element",
    "upgrade",
]
