"""The improvement pages of an organisation: targets and the action plan, their forms, and the comparison of two
campaigns. Each view calls its access helper first (``socle.improvement.access``, built on
``socle.network.access.get_organisation_for_user``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.improvement import actions, queries
from socle.improvement.access import (
    ImprovementAccess,
    get_action_for_user,
    get_improvement_access,
    get_target_for_user,
)
from socle.improvement.documents import FrameworkPlan, plan_of, published_plans
from socle.improvement.forms import ActionForm, TargetForm
from socle.improvement.models import ActionStatus, PlannedAction, Target
from socle.network.actions import ActionError
from socle.network.models import Membership


def _overview_url(slug: str, framework_slug: str | None = None) -> str:
    url = reverse("improvement:overview", args=[slug])
    return f"{url}?{urlencode({'framework': framework_slug})}" if framework_slug else url


def _plan_or_404(plans: list[FrameworkPlan], wanted: str | None) -> FrameworkPlan:
    if not wanted:
        return plans[0]
    for plan in plans:
        if plan.framework.slug == wanted:
            return plan
    raise Http404


def _members(access: ImprovementAccess) -> list[Any]:
    memberships = (
        Membership.objects.filter(organisation_id=access.organisation.pk, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [m.user for m in memberships]


def _base_context(access: ImprovementAccess, **extra: Any) -> dict[str, Any]:
    return {"organisation": access.organisation, "access": access, **extra}


# --- overview -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_improvement_access(request, slug)
    plans = published_plans(access.organisation)
    context = _base_context(access, plans=plans, statuses=ActionStatus.choices)
    status = request.GET.get("status") or ""
    if status not in ActionStatus.values:
        status = ""
    today = timezone.localdate()
    action_plan = queries.action_plan_of(access.organisation.pk, status=status or None)
    campaigns = queries.campaigns_for_comparison(access.organisation.pk)
    labels = {p.framework.pk: {**p.outcomes, **{c: i.label for c, i in p.indicators.items()}} for p in plans}
    rows = [
        (a, a.is_overdue(today), [(c, labels.get(a.framework_id, {}).get(c, c)) for c in [*a.outcomes, *a.indicators]])
        for a in action_plan
    ]
    context.update(status=status, today=today, actions=rows, campaigns=campaigns)
    if plans:
        plan = _plan_or_404(plans, request.GET.get("framework"))
        context.update(plan=plan, rows=queries.target_rows(access.organisation.pk, plan, campaigns=campaigns))
    return render(request, "improvement/overview.html", context)


# --- targets ------------------------------------------------------------------------------------------------------


def _render_target(
    request: HttpRequest,
    access: ImprovementAccess,
    plan: FrameworkPlan,
    form: TargetForm,
    *,
    target: Target | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "improvement/target_form.html",
        _base_context(access, plan=plan, form=form, target=target, back_url=_overview_url(access.organisation.slug)),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_improvement_access(request, slug, write=True)
    plans = published_plans(access.organisation)
    if not plans:
        raise Http404
    plan = _plan_or_404(plans, request.POST.get("framework") or request.GET.get("framework"))
    if request.method == "GET":
        form = TargetForm(plan=plan, initial={"indicator": request.GET.get("indicator", "")})
        return _render_target(request, access, plan, form)
    form = TargetForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            actions.set_target(
                organisation=access.organisation,
                framework=plan.framework,
                indicator=form.cleaned_data["indicator"],
                value=form.cleaned_data["value"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ActionError as error:
            form.add_error("value", str(error))
        else:
            info = plan.indicators[form.cleaned_data["indicator"]]
            messages.success(request, _("Target saved for “%(indicator)s”.") % {"indicator": info.label})
            return redirect(_overview_url(slug, plan.framework.slug))
    return _render_target(request, access, plan, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, target = get_target_for_user(request, slug, public_id, write=True)
    version = _latest_or_404(access, target.framework_id)
    plan = plan_of(version)
    if target.indicator not in plan.indicators:
        messages.warning(request, _("This indicator is no longer in the published version: remove the target."))
        return redirect(_overview_url(slug, plan.framework.slug))
    if request.method == "GET":
        initial = {
            "indicator": target.indicator,
            "value": f"{target.value.normalize():f}",
            "due_on": target.due_on,
            "note": target.note,
        }
        form = TargetForm(plan=plan, fixed_indicator=target.indicator, initial=initial)
        return _render_target(request, access, plan, form, target=target)
    form = TargetForm(
        request.POST, plan=plan, fixed_indicator=target.indicator, initial={"indicator": target.indicator}
    )
    if form.is_valid():
        try:
            actions.set_target(
                organisation=access.organisation,
                framework=plan.framework,
                indicator=target.indicator,
                value=form.cleaned_data["value"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ActionError as error:
            form.add_error("value", str(error))
        else:
            info = plan.indicators[target.indicator]
            messages.success(request, _("Target saved for “%(indicator)s”.") % {"indicator": info.label})
            return redirect(_overview_url(slug, plan.framework.slug))
    return _render_target(request, access, plan, form, target=target, status=422)


def _latest_or_404(access: ImprovementAccess, framework_id: int) -> Any:
    for plan in published_plans(access.organisation):
        if plan.framework.pk == framework_id:
            return plan.version
    raise Http404


@login_required
@require_POST
def target_remove(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    _access, target = get_target_for_user(request, slug, public_id, write=True)
    framework_slug = target.framework.slug
    actions.remove_target(target, acting_user=request.user)
    messages.success(request, _("Target removed."))
    return redirect(_overview_url(slug, framework_slug))


# --- actions ------------------------------------------------------------------------------------------------------


def _render_action(
    request: HttpRequest,
    access: ImprovementAccess,
    plan: FrameworkPlan,
    form: ActionForm,
    *,
    action: PlannedAction | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "improvement/action_form.html",
        _base_context(
            access, plan=plan, form=form, action=action, back_url=_overview_url(access.organisation.slug) + "#plan"
        ),
        status=status,
    )


def _action_fields(form: ActionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "outcomes": data["outcomes"],
        "indicators": data["indicators"],
        "owner": data["owner"],
        "due_on": data["due_on"],
        "status": data["status"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_improvement_access(request, slug, write=True)
    plans = published_plans(access.organisation)
    if not plans:
        raise Http404
    plan = _plan_or_404(plans, request.POST.get("framework") or request.GET.get("framework"))
    members = _members(access)
    if request.method == "GET":
        return _render_action(request, access, plan, ActionForm(plan=plan, members=members))
    form = ActionForm(request.POST, plan=plan, members=members)
    if form.is_valid():
        try:
            action = actions.create_action(
                organisation=access.organisation,
                framework=plan.framework,
                acting_user=request.user,
                **_action_fields(form),
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Action “%(title)s” added to the plan.") % {"title": action.title})
            return redirect(_overview_url(slug) + "#plan")
    return _render_action(request, access, plan, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, action = get_action_for_user(request, slug, public_id, write=True)
    plan = plan_of(_latest_or_404(access, action.framework_id))
    members = _members(access)
    if request.method == "GET":
        initial = {
            "title": action.title,
            "description": action.description,
            "outcomes": [c for c in action.outcomes if c in plan.outcomes],
            "indicators": [c for c in action.indicators if c in plan.indicators],
            "owner": str(action.owner.public_id) if action.owner else "",
            "due_on": action.due_on,
            "status": action.status,
        }
        return _render_action(
            request, access, plan, ActionForm(plan=plan, members=members, initial=initial), action=action
        )
    form = ActionForm(request.POST, plan=plan, members=members)
    if form.is_valid():
        try:
            actions.update_action(action, acting_user=request.user, **_action_fields(form))
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Action “%(title)s” saved.") % {"title": action.title})
            return redirect(_overview_url(slug) + "#plan")
    return _render_action(request, access, plan, form, action=action, status=422)


@login_required
@require_POST
def action_remove(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    _access, action = get_action_for_user(request, slug, public_id, write=True)
    title = action.title
    actions.remove_action(action, acting_user=request.user)
    messages.success(request, _("Action “%(title)s” removed from the plan.") % {"title": title})
    return redirect(_overview_url(slug) + "#plan")


# --- comparison ---------------------------------------------------------------------------------------------------


def _uuid_or_404(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise Http404 from None


@login_required
@require_GET
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_improvement_access(request, slug)
    campaigns = queries.campaigns_for_comparison(access.organisation.pk)
    by_id = {str(c.public_id): c for c in campaigns}
    context = _base_context(access, campaigns=campaigns)
    a_text, b_text = request.GET.get("a", ""), request.GET.get("b", "")
    if a_text and b_text:
        a = by_id.get(str(_uuid_or_404(a_text)))
        b = by_id.get(str(_uuid_or_404(b_text)))
        if a is None or b is None:
            raise Http404
        context.update(a=a, b=b, rows=queries.comparison(access.organisation.pk, a, b))
    else:
        # Preselect B, the latest campaign, and A, the latest one before it of the same wave (else the one before).
        latest = campaigns[0] if campaigns else None
        earlier = [c for c in campaigns[1:] if latest is not None and c.wave == latest.wave] or campaigns[1:2]
        context.update(selected_a=earlier[0] if earlier else None, selected_b=latest)
    return render(request, "improvement/compare.html", context)
