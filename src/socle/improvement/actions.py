"""Writes of continuous improvement: targets per indicator and the action plan.

Each function is one transaction that writes one audit row (``socle.audit.models.record``) and takes the acting
user. Codes are checked against the latest published version of the framework the target or action belongs to
(its effective document); anything wrong raises ``ActionError`` with a message for the person, and nothing is
written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.frameworks.models import Framework
from socle.improvement.documents import FrameworkPlan, latest_published, plan_of
from socle.improvement.models import ActionStatus, PlannedAction, Target
from socle.network.actions import ActionError
from socle.network.models import Membership, Organisation

MAX_TARGET = Decimal("1e9")


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _plan(organisation: Organisation, framework: Framework) -> FrameworkPlan:
    if framework.organisation_id != organisation.pk:
        raise ActionError(_("Choose one of your organisation's frameworks."))
    version = latest_published(framework)
    if version is None:
        raise ActionError(_("This framework has no published version yet: publish it before planning against it."))
    return plan_of(version)


def _target_value(plan: FrameworkPlan, indicator: str, value: Decimal | str | int) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except InvalidOperation:
        raise ActionError(_("The target must be a number, such as 70 or 12.5.")) from None
    if not number.is_finite() or abs(number) >= MAX_TARGET:
        raise ActionError(_("The target must be a number, such as 70 or 12.5."))
    if number.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ActionError(_("The target has at most four decimals."))
    info = plan.indicators[indicator]
    if info.kind == "proportion" or (info.kind == "evolution"):
        if not 0 <= number <= info.factor:
            raise ActionError(
                _("This indicator is a share: its target is between 0 and %(top)s.")
                % {"top": f"{info.factor.normalize():f}"}
            )
    elif number < 0 and info.kind in ("count", "ratio"):
        raise ActionError(_("The target of this indicator cannot be negative."))
    return number


@transaction.atomic
def set_target(
    *,
    organisation: Organisation,
    framework: Framework,
    indicator: str,
    value: Decimal | str | int,
    due_on: datetime.date | None = None,
    note: str = "",
    acting_user: Any,
) -> Target:
    """Sets (creates or replaces) the organisation's target for one indicator of one of its frameworks."""
    plan = _plan(organisation, framework)
    if indicator not in plan.indicators:
        raise ActionError(
            _("The indicator %(code)s is not in the published version of this framework.") % {"code": indicator}
        )
    number = _target_value(plan, indicator, value)
    note = (note or "").strip()
    if len(note) > 500:
        raise ActionError(_("The note is 500 characters at most."))
    target, created = Target.objects.select_for_update().get_or_create(
        organisation=organisation,
        framework=framework,
        indicator=indicator,
        defaults={"value": number, "due_on": due_on, "note": note, "set_by": _actor(acting_user)},
    )
    previous = None if created else f"{Decimal(target.value).normalize():f}"
    if not created:
        target.value = number
        target.due_on = due_on
        target.note = note
        target.set_by = _actor(acting_user)
        target.save()
    record(
        "improvement.target_set",
        actor=acting_user,
        network=organisation.network,
        organisation=organisation,
        target=str(target.public_id),
        framework=framework.slug,
        version=plan.version.number,
        indicator=indicator,
        value=f"{number.normalize():f}",
        previous=previous,
        due_on=due_on.isoformat() if due_on else None,
    )
    return target


@transaction.atomic
def remove_target(target: Target, *, acting_user: Any) -> None:
    organisation = target.organisation
    record(
        "improvement.target_removed",
        actor=acting_user,
        network=organisation.network,
        organisation=organisation,
        target=str(target.public_id),
        framework=target.framework.slug,
        indicator=target.indicator,
        value=str(target.value),
    )
    target.delete()


def _codes(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        code = str(value).strip()
        if code and code not in seen:
            seen.append(code)
    return seen


def _check_action(
    organisation: Organisation,
    plan: FrameworkPlan,
    *,
    title: str,
    outcomes: list[str],
    indicators: list[str],
    owner: Any,
    status: str,
) -> None:
    if not title:
        raise ActionError(_("Give the action a title."))
    if len(title) > 200:
        raise ActionError(_("The title is 200 characters at most."))
    unknown = [code for code in outcomes if code not in plan.outcomes]
    if unknown:
        raise ActionError(
            _("The outcome %(code)s is not in the published version of this framework.") % {"code": unknown[0]}
        )
    unknown = [code for code in indicators if code not in plan.indicators]
    if unknown:
        raise ActionError(
            _("The indicator %(code)s is not in the published version of this framework.") % {"code": unknown[0]}
        )
    if status not in ActionStatus.values:
        raise ActionError(_("Choose a status: planned, in progress, done or dropped."))
    if owner is not None and not Membership.objects.filter(user=owner, organisation=organisation).exists():
        raise ActionError(_("The person in charge must be a member of your organisation's team."))


def _snapshot(action: PlannedAction) -> dict[str, Any]:
    return {
        "framework": action.framework.slug,
        "title": action.title,
        "outcomes": list(action.outcomes),
        "indicators": list(action.indicators),
        "owner": str(action.owner.public_id) if action.owner else None,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "status": action.status,
    }


@transaction.atomic
def create_action(
    *,
    organisation: Organisation,
    framework: Framework,
    title: str,
    description: str = "",
    outcomes: Iterable[str] = (),
    indicators: Iterable[str] = (),
    owner: Any = None,
    due_on: datetime.date | None = None,
    status: str = ActionStatus.PLANNED,
    acting_user: Any,
) -> PlannedAction:
    """Adds an action to the organisation's plan."""
    plan = _plan(organisation, framework)
    title = (title or "").strip()
    outcome_codes, indicator_codes = _codes(outcomes), _codes(indicators)
    _check_action(
        organisation, plan, title=title, outcomes=outcome_codes, indicators=indicator_codes, owner=owner, status=status
    )
    action = PlannedAction.objects.create(
        organisation=organisation,
        framework=framework,
        title=title,
        description=(description or "").strip(),
        outcomes=outcome_codes,
        indicators=indicator_codes,
        owner=owner,
        due_on=due_on,
        status=status,
        created_by=_actor(acting_user),
    )
    record(
        "improvement.action_created",
        actor=acting_user,
        network=organisation.network,
        organisation=organisation,
        target=str(action.public_id),
        **_snapshot(action),
    )
    return action


@transaction.atomic
def update_action(
    action: PlannedAction,
    *,
    title: str,
    description: str = "",
    outcomes: Iterable[str] = (),
    indicators: Iterable[str] = (),
    owner: Any = None,
    due_on: datetime.date | None = None,
    status: str,
    acting_user: Any,
) -> PlannedAction:
    """Changes an action of the plan (its framework stays)."""
    organisation = action.organisation
    plan = _plan(organisation, action.framework)
    title = (title or "").strip()
    outcome_codes, indicator_codes = _codes(outcomes), _codes(indicators)
    _check_action(
        organisation, plan, title=title, outcomes=outcome_codes, indicators=indicator_codes, owner=owner, status=status
    )
    before = _snapshot(action)
    action.title = title
    action.description = (description or "").strip()
    action.outcomes = outcome_codes
    action.indicators = indicator_codes
    action.owner = owner
    action.due_on = due_on
    action.status = status
    action.save()
    after = _snapshot(action)
    record(
        "improvement.action_updated",
        actor=acting_user,
        network=organisation.network,
        organisation=organisation,
        target=str(action.public_id),
        changed={key: [before[key], after[key]] for key in after if before[key] != after[key]},
    )
    return action


@transaction.atomic
def remove_action(action: PlannedAction, *, acting_user: Any) -> None:
    organisation = action.organisation
    record(
        "improvement.action_removed",
        actor=acting_user,
        network=organisation.network,
        organisation=organisation,
        target=str(action.public_id),
        **_snapshot(action),
    )
    action.delete()
