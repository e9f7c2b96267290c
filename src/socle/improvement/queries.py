"""Reads for the improvement pages and the organisation results report.

Current values come from the facts (``socle.measurement.dashboard.estimates_at``: the sum of the
establishments' records, establishments as clusters for the interval), never from raw submissions. A masked
estimate (fewer than 5 respondents) is redacted here, before any page sees it.

For the results report: :func:`targets_of` and :func:`action_plan_of`; :func:`target_rows` gives each target
with its current value and status, :func:`comparison` two campaigns side by side.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from socle.collection.access import campaigns_of
from socle.collection.models import Campaign
from socle.frameworks.models import Framework
from socle.improvement.access import planned_actions_of
from socle.improvement.access import targets_of as _targets
from socle.improvement.documents import FrameworkPlan, IndicatorInfo, plan_of
from socle.improvement.models import PlannedAction, Target
from socle.lib.measurement.compare import Difference, difference
from socle.lib.measurement.estimate import Estimate
from socle.measurement.dashboard import estimates_at

__all__ = [
    "ComparisonRow",
    "TargetRow",
    "action_plan_of",
    "campaigns_for_comparison",
    "comparison",
    "latest_estimates",
    "target_rows",
    "targets_of",
]


def targets_of(organisation_id: int, framework: Framework | int) -> dict[str, Target]:
    """The organisation's targets for one of its frameworks: indicator code → target."""
    framework_id = framework if isinstance(framework, int) else framework.pk
    return {t.indicator: t for t in _targets(organisation_id).filter(framework_id=framework_id).order_by("indicator")}


def action_plan_of(organisation_id: int, *, status: str | None = None) -> list[PlannedAction]:
    """The organisation's action plan, by due date (undated last), with framework and owner loaded."""
    actions = planned_actions_of(organisation_id).select_related("framework", "owner")
    if status:
        actions = actions.filter(status=status)
    return sorted(actions, key=lambda a: (a.due_on is None, a.due_on or datetime.date.min, a.created_at))


def _measuring_campaigns(organisation_id: int, framework: Framework) -> list[Campaign]:
    return list(
        campaigns_of(organisation_id)
        .filter(framework_version__framework=framework)
        .select_related("framework_version__base_version", "framework_version__framework")
        .order_by("-starts_on", "-created_at")
    )


def latest_estimates(
    organisation_id: int, framework: Framework, codes: Iterable[str], *, campaigns: list[Campaign] | None = None
) -> dict[str, tuple[Campaign, Estimate]]:
    """For each indicator code, the organisation's estimate in the latest campaign (by start date) of the
    framework that has facts for it — redacted when masked. Codes that no campaign measures are absent.
    ``campaigns``: the organisation's campaigns, latest first, when the caller has them already."""
    codes = list(codes)
    if campaigns is None:
        campaigns = _measuring_campaigns(organisation_id, framework)
    else:
        campaigns = [c for c in campaigns if c.framework_version.framework_id == framework.pk]
    if not codes or not campaigns:
        return {}
    found = estimates_at(organisation_id, campaigns, codes)
    out: dict[str, tuple[Campaign, Estimate]] = {}
    for code in codes:
        campaign = next((c for c in campaigns if (c.pk, code) in found), None)
        if campaign is not None:
            out[code] = (campaign, found[(campaign.pk, code)].redacted())
    return out


REACHED = "reached"
NOT_YET = "not_yet"
NOT_MEASURED = "not_measured"
MASKED = "masked"


@dataclass(frozen=True)
class TargetRow:
    target: Target
    indicator: IndicatorInfo | None  # None: the indicator left the latest published version
    campaign: Campaign | None
    estimate: Estimate | None
    status: str  # reached, not_yet, not_measured, masked

    @property
    def higher_is_better(self) -> bool:
        return self.indicator.higher_is_better if self.indicator else True


def status_of(target_value: Decimal, estimate: Estimate | None, *, higher_is_better: bool) -> str:
    if estimate is None or (estimate.value is None and not estimate.masked):
        return NOT_MEASURED
    if estimate.masked or estimate.value is None:
        return MASKED
    goal = float(target_value)
    reached = estimate.value >= goal if higher_is_better else estimate.value <= goal
    return REACHED if reached else NOT_YET


def target_rows(
    organisation_id: int, plan: FrameworkPlan, *, campaigns: list[Campaign] | None = None
) -> list[TargetRow]:
    """Each target of the framework with the current value of its indicator and whether it is reached
    (``campaigns``: as :func:`campaigns_for_comparison` gives them, when the caller has them already)."""
    targets = targets_of(organisation_id, plan.framework)
    current = latest_estimates(organisation_id, plan.framework, targets, campaigns=campaigns)
    rows: list[TargetRow] = []
    for code, target in targets.items():
        info = plan.indicators.get(code)
        campaign, found = current.get(code, (None, None))
        higher = info.higher_is_better if info else True
        rows.append(TargetRow(target, info, campaign, found, status_of(target.value, found, higher_is_better=higher)))
    return rows


# --- campaign to campaign -----------------------------------------------------------------------------------------


def campaigns_for_comparison(organisation_id: int) -> list[Campaign]:
    return list(
        campaigns_of(organisation_id)
        .select_related("framework_version__base_version", "framework_version__framework")
        .order_by("-starts_on", "-created_at")
    )


@dataclass(frozen=True)
class ComparisonRow:
    code: str
    indicator: IndicatorInfo  # as campaign B's framework defines it
    a: Estimate | None  # redacted when masked
    b: Estimate | None
    difference: Difference | None  # None when either value is unknown or masked

    @property
    def masked(self) -> bool:
        return bool((self.a and self.a.masked) or (self.b and self.b.masked))

    @property
    def fragile(self) -> bool:
        return bool((self.a and self.a.fragile) or (self.b and self.b.fragile))

    @property
    def real(self) -> bool:
        """The interval of the difference excludes 0."""
        return self.difference is not None and self.difference.excludes_zero

    @property
    def better(self) -> bool | None:
        """Whether a real difference goes the right way (None when there is no real difference)."""
        if not self.real or self.difference is None:
            return None
        return (self.difference.value > 0) == self.indicator.higher_is_better


def _shown(found: Estimate | None) -> Estimate | None:
    if found is None or (found.n == 0 and not found.masked):
        return None
    return found.redacted()


def shared_indicators(a: FrameworkPlan, b: FrameworkPlan) -> list[str]:
    """Indicators over answers that both campaigns' versions define, in B's order."""
    return [
        code
        for code, info in b.indicators.items()
        if info.source == "answers" and code in a.indicators and a.indicators[code].source == "answers"
    ]


def comparison(organisation_id: int, a: Campaign, b: Campaign, *, level: float = 0.95) -> list[ComparisonRow]:
    """Each indicator the two campaigns share: the organisation's estimate in A and B and the difference B - A with
    its interval (independent samples: conservative when the same people answer both)."""
    plan_a, plan_b = plan_of(a.framework_version), plan_of(b.framework_version)
    codes = shared_indicators(plan_a, plan_b)
    found = estimates_at(organisation_id, [a, b], codes)
    rows: list[ComparisonRow] = []
    for code in codes:
        est_a = _shown(found.get((a.pk, code)))
        est_b = _shown(found.get((b.pk, code)))
        diff = None
        if est_a is not None and est_b is not None and est_a.value is not None and est_b.value is not None:
            diff = difference(est_a.value, est_a.standard_error, est_b.value, est_b.standard_error, level=level)
        rows.append(ComparisonRow(code, plan_b.indicators[code], est_a, est_b, diff))
    return rows
