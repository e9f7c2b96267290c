"""Whether an exercise is done, detected from the organisation's real data (never from a box ticked): an
``EXISTS`` per check, through the access helper of the entity it reads, all of them in one query when asked
together (the organisation's home). ``dashboard_n`` is the exception: the learner reads a
figure on the dashboard and types it; :func:`dashboard_answer_is_right` checks it against the facts."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists

from socle.collection.access import campaigns_of, submissions_of
from socle.frameworks.access import frameworks_of
from socle.frameworks.models import FrameworkVersion
from socle.network.models import Organisation

__all__ = ["DETECTED", "all_detected", "dashboard_answer_is_right", "dashboard_choices", "detected"]


def _conditions(organisation: Organisation) -> dict[str, Exists]:
    """check → an ``EXISTS`` over the organisation's rows, each through its entity's access helper."""
    from socle.activity.access import current_reports
    from socle.impact.access import pages_of
    from socle.improvement.access import planned_actions_of, targets_of
    from socle.measurement.access import facts_of

    versions = FrameworkVersion.objects.filter(framework__in=frameworks_of(organisation))
    return {
        "own_framework": Exists(versions.filter(status=FrameworkVersion.Status.PUBLISHED)),
        # a version whose additions hold at least one indicator (its first item exists)
        "own_indicator": Exists(versions.filter(content__indicators__0__isnull=False)),
        "campaign": Exists(campaigns_of(organisation.pk)),
        "answers": Exists(submissions_of(organisation.pk)),
        "activity": Exists(current_reports(organisation.pk)),
        "target": Exists(targets_of(organisation.pk)),
        "action": Exists(planned_actions_of(organisation.pk)),
        "impact_draft": Exists(pages_of(organisation.pk)),
        # not exercises: states of the approach's steps (socle.learning.queries.steps)
        "figures": Exists(facts_of(organisation.pk).filter(campaign__isnull=False)),
        "page_published": Exists(pages_of(organisation.pk).filter(published=True)),
    }


DETECTED: frozenset[str] = frozenset(
    {"own_framework", "own_indicator", "campaign", "answers", "activity", "target", "action", "impact_draft"}
)


def all_detected(organisation: Organisation, checks: Iterable[str] = DETECTED) -> dict[str, bool]:
    """Each check's state, in one query."""
    conditions = _conditions(organisation)
    wanted = [check for check in checks if check in conditions]
    if not wanted:
        return {}
    row = Organisation.objects.filter(pk=organisation.pk).annotate(**{c: conditions[c] for c in wanted}).values(*wanted)
    found = row.first() or {}
    return {check: bool(found.get(check)) for check in wanted}


def detected(check: str, organisation: Organisation) -> bool:
    """Whether the organisation's data shows the exercise done (``dashboard_n`` is never detected this way)."""
    return all_detected(organisation, [check]).get(check, False)


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
