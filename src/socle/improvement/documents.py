"""What targets and actions may point at: the indicators and outcomes of the latest published version of one of
the organisation's frameworks (its effective document: the sector base merged with the organisation's own)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from socle.frameworks.access import frameworks_of
from socle.frameworks.models import Framework, FrameworkVersion, text_in
from socle.network.models import Organisation

OUTCOME_KINDS = ("outcome", "impact")


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    definition: dict[str, Any]

    @property
    def label(self) -> str:
        return text_in(self.definition.get("label")) or self.code

    @property
    def kind(self) -> str:
        return str(self.definition.get("kind", ""))

    @property
    def source(self) -> str:
        return str(self.definition.get("source", "answers"))

    @property
    def unit(self) -> str:
        return text_in(self.definition.get("unit"))

    @property
    def factor(self) -> Decimal:
        return Decimal(str(self.definition.get("factor", 1)))

    @property
    def higher_is_better(self) -> bool:
        """Read from the definition's ``direction``: only ``down`` means lower is better (default: higher)."""
        return self.definition.get("direction") != "down"


@dataclass(frozen=True)
class FrameworkPlan:
    """One of the organisation's frameworks, its latest published version and what it offers to plan against."""

    framework: Framework
    version: FrameworkVersion
    indicators: dict[str, IndicatorInfo]
    outcomes: dict[str, str]  # node code -> label (outcomes and impacts of the theory of change)

    @property
    def title(self) -> str:
        return self.version.title or self.framework.slug

    def indicator_choices(self) -> list[tuple[str, str]]:
        return [(code, f"{info.label} ({code})") for code, info in self.indicators.items()]

    def outcome_choices(self) -> list[tuple[str, str]]:
        return [(code, f"{label} ({code})") for code, label in self.outcomes.items()]


def plan_of(version: FrameworkVersion) -> FrameworkPlan:
    document = version.effective_content()
    indicators = {
        str(item["code"]): IndicatorInfo(str(item["code"]), item)
        for item in document.get("indicators", [])
        if isinstance(item, dict) and item.get("code")
    }
    outcomes = {
        str(node["code"]): text_in(node.get("label")) or str(node["code"])
        for node in document.get("nodes", [])
        if isinstance(node, dict) and node.get("kind") in OUTCOME_KINDS and node.get("code")
    }
    return FrameworkPlan(version.framework, version, indicators, outcomes)


def latest_published(framework: Framework) -> FrameworkVersion | None:
    return (
        framework.versions.filter(status=FrameworkVersion.Status.PUBLISHED)
        .select_related("framework", "base_version")
        .order_by("-number")
        .first()
    )


def published_plans(organisation: Organisation) -> list[FrameworkPlan]:
    """Each of the organisation's frameworks that has a published version, with its latest one (one query)."""
    versions = (
        FrameworkVersion.objects.filter(
            framework__in=frameworks_of(organisation), status=FrameworkVersion.Status.PUBLISHED
        )
        .select_related("framework", "base_version")
        .order_by("framework__slug", "-number")
    )
    found: dict[int, FrameworkVersion] = {}
    for version in versions:
        found.setdefault(version.framework_id, version)
    return [plan_of(version) for version in found.values()]
