"""Reads of collection for the pages: how a campaign is going, and who takes part in a sector campaign.

A correction is a new submission that `corrects` an earlier one: a person counts once (the first submission of a
chain, `corrects` empty), and answers are read from the latest version (a submission without corrections).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from socle.collection import actions
from socle.collection.models import Campaign, SectorCampaign, Submission, Wave
from socle.lib.collection import progress
from socle.network.models import Organisation

COMPLETION_SAMPLE = 2000


def people(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """One row per person who answered: the first submission of each chain of corrections."""
    return submissions.filter(corrects__isnull=True)


def current(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """The latest version of each answer: submissions that no later one corrects."""
    return submissions.filter(corrections__isnull=True)


@dataclass
class LinkProgress:
    link: Any
    title: Any
    received: int
    expected: int | None  # people supported a year in the establishment (frame), for questionnaires to people
    rate: Decimal | None


@dataclass
class QuestionnaireProgress:
    code: str
    title: Any
    received: int
    questions: list[tuple[Any, progress.QuestionCompletion]] = field(default_factory=list)
    read: int = 0  # how many answers the completion was computed over (the latest COMPLETION_SAMPLE at most)


@dataclass
class CampaignProgress:
    received: int
    links: list[LinkProgress]
    days: list[tuple[datetime.date, int]]
    by_mode: list[tuple[str, int]]
    questionnaires: list[QuestionnaireProgress]
    paired: int | None  # follow-up and exit: answers whose follow-up code matches an entry answer
    codes_given: int | None


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    submissions = campaign.submissions.all()
    everyone = people(submissions)
    version = campaign.framework_version
    document = version.effective_content()
    specs = {q["code"]: q for q in document.get("questionnaires", [])}
    # by establishment and questionnaire, not by link: imports and the API send answers without a link
    counts = {
        (establishment, code): n
        for establishment, code, n in everyone.order_by()
        .values_list("establishment_id", "questionnaire_code")
        .annotate(n=Count("id"))
    }
    links = []
    for link in campaign.links.select_related("establishment").order_by("establishment__name", "questionnaire_code"):
        spec = specs.get(link.questionnaire_code, {})
        received = counts.get((link.establishment_id, link.questionnaire_code), 0)
        expected = link.establishment.people_supported if spec.get("audience") == "people_supported" else None
        links.append(LinkProgress(link, spec.get("title"), received, expected, progress.percent(received, expected)))
    total = everyone.count()
    today = timezone.localdate()
    end = min(campaign.ends_on, max(today, campaign.starts_on))
    days = (
        everyone.annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("day")
        .annotate(n=Count("id"))
    )
    series = progress.daily_counts(days, campaign.starts_on, end)
    by_mode = list(everyone.order_by("mode").values_list("mode").annotate(n=Count("id")))
    questionnaires = []
    for code in sorted({link.link.questionnaire_code for link in links}):
        spec = specs.get(code)
        if spec is None:  # pragma: no cover - links are made from the version's questionnaires
            continue
        questionnaire, _audience = actions.questionnaire_of(version, code)
        # the page is rendered on each visit: completion is read over the latest answers, not the whole campaign
        answers = list(
            current(submissions.filter(questionnaire_code=code))
            .order_by("-received_at", "-id")
            .values_list("answers", flat=True)[:COMPLETION_SAMPLE]
        )
        completion = progress.question_completion(questionnaire, answers)
        labels = {
            q["name"]: q.get("label") for section in spec.get("sections", []) for q in section.get("questions", [])
        }
        received = sum(link.received for link in links if link.link.questionnaire_code == code)
        questionnaires.append(
            QuestionnaireProgress(
                code, spec.get("title"), received, [(labels.get(c.name), c) for c in completion], len(answers)
            )
        )
    paired: int | None = None
    given: int | None = None
    if campaign.wave in (Wave.FOLLOW_UP, Wave.EXIT):
        entry_hashes = set(
            Submission.objects.filter(organisation_id=campaign.organisation_id, wave=Wave.ENTRY)
            .exclude(followup_hash="")
            .values_list("followup_hash", flat=True)
        )
        paired, given = progress.paired_share(
            everyone.values_list("followup_hash", flat=True).iterator(chunk_size=2000), entry_hashes
        )
    return CampaignProgress(total, links, series, by_mode, questionnaires, paired, given)


@dataclass
class MemberParticipation:
    organisation: Organisation
    campaigns: list[Campaign]
    establishments: int
    answers: dict[str, int]  # by wave

    @property
    def total(self) -> int:
        return sum(self.answers.values())


def sector_participation(sector_campaign: SectorCampaign) -> tuple[list[MemberParticipation], list[Organisation]]:
    """The members that joined (their campaigns, establishments and number of answers by wave), and the members
    that have not joined yet. Counts only: the network never reads members' answers."""
    joined = list(
        Campaign.objects.filter(sector_campaign=sector_campaign)
        .select_related("organisation")
        .annotate(n_establishments=Count("links__establishment", distinct=True))
        .order_by("organisation__name", "starts_on")
    )
    answers = (
        people(Submission.objects.filter(campaign__sector_campaign=sector_campaign))
        .order_by()
        .values_list("organisation_id", "wave")
        .annotate(n=Count("id"))
    )
    by_member: dict[int, dict[str, int]] = defaultdict(dict)
    for organisation_id, wave, n in answers:
        by_member[organisation_id][wave] = n
    establishments = dict(
        Campaign.objects.filter(sector_campaign=sector_campaign)
        .order_by()
        .values_list("organisation_id")
        .annotate(n=Count("links__establishment", distinct=True))
    )
    rows: dict[int, MemberParticipation] = {}
    for campaign in joined:
        row = rows.get(campaign.organisation_id)
        if row is None:
            row = rows[campaign.organisation_id] = MemberParticipation(
                campaign.organisation,
                [],
                establishments.get(campaign.organisation_id, 0),
                {wave: by_member[campaign.organisation_id].get(wave, 0) for wave in Wave.values},
            )
        row.campaigns.append(campaign)
    others = list(
        Organisation.objects.filter(network_id=sector_campaign.network_id, is_member=True)
        .exclude(pk__in=rows.keys())
        .order_by("name")
    )
    return list(rows.values()), others


def with_participation(sector_campaigns: QuerySet[SectorCampaign]) -> QuerySet[SectorCampaign]:
    """Sector campaigns with the number of members that joined them and of people who answered."""
    return sector_campaigns.annotate(
        members=Count("member_campaigns__organisation", distinct=True),
        answers=Count(
            "member_campaigns__submissions",
            filter=Q(member_campaigns__submissions__corrects__isnull=True),
            distinct=True,
        ),
    )
