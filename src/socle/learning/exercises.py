"""Whether an exercise is done, detected from the organisation's real data (never from a box ticked): one query
each, through the access helper of the entity it reads. ``dashboard_n`` is the exception: the learner reads a
figure on the dashboard and types it; :func:`dashboard_answer_is_right` checks it against the facts."""

from __future__ import annotations

from collections.abc import Callable

from socle.collection.access import campaigns_of, submissions_of
from socle.frameworks.access import frameworks_of
from socle.frameworks.models import FrameworkVersion
from socle.network.models import Organisation

__all__ = ["DETECTORS", "dashboard_answer_is_right", "dashboard_choices", "detected"]


def _own_framework(organisation: Organisation) -> bool:
    return FrameworkVersion.objects.filter(
        framework__in=frameworks_of(organisation), status=FrameworkVersion.Status.PUBLISHED
    ).exists()


def _own_indicator(organisation: Organisation) -> bool:
    versions = FrameworkVersion.objects.filter(framework__in=frameworks_of(organisation))
    return any(content.get("indicators") for content in versions.values_list("content", flat=True))


def _activity(organisation: Organisation) -> bool:
    from socle.activity.access import current_reports

    return current_reports(organisation.pk).exists()


def _target(organisation: Organisation) -> bool:
    from socle.improvement.access import targets_of

    return targets_of(organisation.pk).exists()


def _action(organisation: Organisation) -> bool:
    from socle.improvement.access import planned_actions_of

    return planned_actions_of(organisation.pk).exists()


def _impact_draft(organisation: Organisation) -> bool:
    from socle.impact.access import pages_of

    return pages_of(organisation.pk).exists()


DETECTORS: dict[str, Callable[[Organisation], bool]] = {
    "own_framework": _own_framework,
    "own_indicator": _own_indicator,
    "campaign": lambda organisation: campaigns_of(organisation.pk).exists(),
    "answers": lambda organisation: submissions_of(organisation.pk).exists(),
    "activity": _activity,
    "target": _target,
    "action": _action,
    "impact_draft": _impact_draft,
}


def detected(check: str, organisation: Organisation) -> bool:
    """Whether the organisation's data shows the exercise done (``dashboard_n`` is never detected this way)."""
    detector = DETECTORS.get(check)
    return detector is not None and detector(organisation)


def _dashboard_figures(organisation: Organisation) -> tuple[list[tuple[str, str]], set[tuple[str, int]]]:
    """The indicators over answers measured in the organisation's campaigns (code, label; first seen in the latest
    campaign), and every (code, n) its dashboard shows for the whole organisation, whatever the campaign chosen."""
    from socle.frameworks.models import text_in
    from socle.measurement import dashboard as reads
    from socle.measurement.contributions import version_indicators

    campaigns = list(campaigns_of(organisation.pk).select_related("framework_version").order_by("-starts_on", "-pk"))
    found = reads.estimates_at(organisation.pk, campaigns)
    labels: dict[str, str] = {}
    for campaign in campaigns:
        version = campaign.framework_version
        document = version_indicators(version.pk, version.content_sha256).document
        for indicator in document.get("indicators", []):
            code = str(indicator["code"])
            if (campaign.pk, code) in found:
                labels.setdefault(code, text_in(indicator.get("label")) or code)
    return sorted(labels.items(), key=lambda item: item[1]), {(code, e.n) for (_c, code), e in found.items()}


def dashboard_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """(code, label) of the indicators the organisation's dashboard shows figures for."""
    return _dashboard_figures(organisation)[0]


def dashboard_answer_is_right(organisation: Organisation, code: str, n: int) -> bool:
    """Whether ``n`` is the number of people who answered ``code`` in one of the organisation's campaigns."""
    return (code, n) in _dashboard_figures(organisation)[1]
