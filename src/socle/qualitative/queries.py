"""Reads of open answers for the pages: the listing (latest versions only), counts per theme, approved quotes.

**How the listing is read.** Answers live in each submission's JSON. The listing reads the latest versions of the
organisation's submissions that hold an answer to a text question (`answers` has one of their names: one query,
on both databases), newest first, at most `SCAN_LIMIT` of them, and turns them into one row per open answer in
Python, where the search (case and accents ignored, `socle.lib.qualitative.fold`) and the filters are applied.
The cost is bounded by `SCAN_LIMIT` submissions per request; a page says when older answers were left out and
that a campaign filter reaches them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db.models import Count
from django.db.models.functions import TruncMonth

from socle.collection.models import Campaign, Submission
from socle.collection.queries import current
from socle.frameworks import presentation
from socle.frameworks.models import FrameworkVersion
from socle.lib.collection.answers import DONT_KNOW
from socle.lib.qualitative import fold, is_small, words_of
from socle.qualitative.access import codings_of, proposals_of, themes_of
from socle.qualitative.models import QuoteProposal, QuoteStatus, Theme

TEXT_TYPES = frozenset({"text", "long_text"})
SCAN_LIMIT = 5000
NOT_CODED = "none"


@lru_cache(maxsize=256)
def _text_questions(version_pk: int, content_sha256: str, base_sha256: str, lang: str) -> dict[tuple[str, str], str]:
    version = FrameworkVersion.objects.select_related("base_version").get(pk=version_pk)
    return _questions_of(version, lang)


def _questions_of(version: FrameworkVersion, lang: str) -> dict[tuple[str, str], str]:
    document = version.effective_content()
    out: dict[tuple[str, str], str] = {}
    for spec in document.get("questionnaires", []):
        for section in presentation.questionnaire_sections(document, spec, lang=lang, easy=False):
            for question in section.questions:
                if question.type in TEXT_TYPES:
                    out[(spec["code"], question.name)] = question.label
    return out


def text_questions(version: FrameworkVersion, lang: str) -> dict[tuple[str, str], str]:
    """(questionnaire code, question name) → label, for the text questions of a version (cached by content)."""
    base = version.base_version.content_sha256 if version.base_version_id else ""  # type: ignore[union-attr]
    return dict(_text_questions(version.pk, version.content_sha256, base, lang))


def open_text(value: object) -> str | None:
    """The text of an answer, or None when it holds none (empty, "don't know")."""
    if isinstance(value, str) and value.strip() and value != DONT_KNOW:
        return value.strip()
    return None


@dataclass
class OpenAnswer:
    submission_uuid: UUID
    root_id: int
    campaign: str
    establishment: str
    received_at: datetime.datetime
    questionnaire_code: str
    question_code: str
    question_label: str
    text: str
    quote_consent: bool | None
    themes: list[Theme] = field(default_factory=list)
    proposal: QuoteProposal | None = None

    @property
    def anchor(self) -> str:
        return f"answer-{self.submission_uuid}-{self.question_code}"

    @property
    def theme_ids(self) -> set[UUID]:
        return {t.public_id for t in self.themes}


@dataclass
class Listing:
    answers: list[OpenAnswer]
    scanned: int
    truncated: bool


@dataclass
class Filters:
    campaigns: list[Campaign]
    questions: list[tuple[str, str]]  # (question name, label)
    themes: list[Theme]


def roots_of(pairs: list[tuple[int, int | None]]) -> dict[int, int]:
    """Submission id → the id of the first version of its chain of corrections (one query per step back)."""
    parent = {pk: corrects for pk, corrects in pairs}
    pending = {corrects for corrects in parent.values() if corrects is not None and corrects not in parent}
    while pending:
        found = dict(Submission.objects.filter(id__in=pending).values_list("id", "corrects_id"))
        parent.update(found)
        pending = {c for c in found.values() if c is not None and c not in parent}
    roots: dict[int, int] = {}
    for pk in (pk for pk, _corrects in pairs):
        node = pk
        while parent.get(node) is not None:
            node = parent[node]  # type: ignore[assignment]
        roots[pk] = node
    return roots


def _campaigns(organisation_id: int) -> list[Campaign]:
    return list(
        Campaign.objects.filter(organisation_id=organisation_id)
        .select_related("framework_version__base_version")
        .order_by("-starts_on", "name")
    )


def filters(organisation_id: int, lang: str) -> Filters:
    campaigns = _campaigns(organisation_id)
    labels: dict[str, str] = {}
    for campaign in campaigns:
        for (_questionnaire, name), label in text_questions(campaign.framework_version, lang).items():
            labels.setdefault(name, label)
    questions = sorted(labels.items(), key=lambda item: fold(item[1]))
    return Filters(campaigns, questions, list(themes_of(organisation_id).order_by("archived", "name")))


def open_answers(
    organisation_id: int,
    *,
    campaigns: list[Campaign],
    campaign: Campaign | None = None,
    question: str = "",
    theme: str = "",
    search: str = "",
    lang: str = "fr",
) -> Listing:
    """The open answers of the latest versions of the organisation's submissions, newest first, filtered.

    `campaigns` are the organisation's (from `filters`), `theme` a theme's public id or `NOT_CODED`."""
    chosen = [campaign] if campaign is not None else campaigns
    by_version = {c.framework_version_id: text_questions(c.framework_version, lang) for c in chosen}
    names = sorted({name for questions in by_version.values() for _q, name in questions})
    if question:
        names = [name for name in names if name == question]
    if not names:
        return Listing([], 0, False)
    names_of_campaign = {c.pk: c.name for c in chosen}
    rows = list(
        current(Submission.objects.filter(organisation_id=organisation_id, campaign_id__in=names_of_campaign))
        .filter(answers__has_any_keys=names)
        .order_by("-received_at", "-id")
        .values_list(
            "id",
            "corrects_id",
            "uuid",
            "campaign_id",
            "establishment__name",
            "received_at",
            "framework_version_id",
            "questionnaire_code",
            "answers",
            "quote_consent",
        )[: SCAN_LIMIT + 1]
    )
    truncated = len(rows) > SCAN_LIMIT
    rows = rows[:SCAN_LIMIT]
    words = words_of(search)
    answers: list[OpenAnswer] = []
    kept: list[tuple[int, int | None]] = []
    for pk, corrects, uuid, campaign_id, establishment, received_at, version_id, code, values, consent in rows:
        found = False
        for (questionnaire, name), label in by_version[version_id].items():
            if questionnaire != code or name not in names:
                continue
            text = open_text(values.get(name))
            if text is None or (words and not all(word in fold(text) for word in words)):
                continue
            answers.append(
                OpenAnswer(
                    uuid,
                    pk,
                    names_of_campaign[campaign_id],
                    establishment,
                    received_at,
                    code,
                    name,
                    label,
                    text,
                    consent,
                )
            )
            found = True
        if found:
            kept.append((pk, corrects))
    roots = roots_of(kept)
    for answer in answers:
        answer.root_id = roots[answer.root_id]
    coded: dict[tuple[int, str], list[Theme]] = defaultdict(list)
    for coding in (
        codings_of(organisation_id)
        .filter(submission__campaign_id__in=names_of_campaign)
        .select_related("theme")
        .order_by("theme__name")
    ):
        coded[(coding.submission_id, coding.question_code)].append(coding.theme)
    live = {
        (p.submission_id, p.question_code): p
        for p in proposals_of(organisation_id).filter(
            submission__campaign_id__in=names_of_campaign, status__in=[QuoteStatus.PROPOSED, QuoteStatus.APPROVED]
        )
    }
    for answer in answers:
        answer.themes = coded.get((answer.root_id, answer.question_code), [])
        answer.proposal = live.get((answer.root_id, answer.question_code))
    if theme == NOT_CODED:
        answers = [a for a in answers if not a.themes]
    elif theme:
        answers = [a for a in answers if any(str(t.public_id) == theme for t in a.themes)]
    return Listing(answers, len(rows), truncated)


@dataclass
class Cell:
    n: int

    @property
    def small(self) -> bool:
        return is_small(self.n)


@dataclass
class ThemeCounts:
    themes: list[Theme]
    campaigns: list[Campaign]
    months: list[datetime.date]
    by_campaign: dict[int, list[Cell]]  # theme id → one cell per campaign, in the order of `campaigns`
    by_month: dict[int, list[Cell]]  # theme id → one cell per month
    totals: dict[int, Cell]

    def rows(self, which: str) -> list[tuple[Theme, list[Cell], Cell]]:
        table = self.by_campaign if which == "campaign" else self.by_month
        return [(t, table[t.pk], self.totals[t.pk]) for t in self.themes]


def theme_counts(organisation_id: int) -> ThemeCounts:
    """Per theme, the number of coded answers per campaign and per month of receipt of the answer (its first
    version). Two aggregate queries, plus the themes and the campaigns."""
    themes = list(themes_of(organisation_id).order_by("archived", "name"))
    codings = codings_of(organisation_id)
    per_campaign = list(codings.values("theme_id", "submission__campaign_id").annotate(n=Count("id")).order_by())
    per_month = list(
        codings.annotate(month=TruncMonth("submission__received_at"))
        .values("theme_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    campaign_ids = {row["submission__campaign_id"] for row in per_campaign}
    campaigns = list(
        Campaign.objects.filter(organisation_id=organisation_id, pk__in=campaign_ids).order_by("starts_on", "name")
    )
    months = sorted({_month(row["month"]) for row in per_month})
    n_campaign = {(r["theme_id"], r["submission__campaign_id"]): r["n"] for r in per_campaign}
    n_month: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for r in per_month:
        n_month[(r["theme_id"], _month(r["month"]))] += r["n"]
    by_campaign = {t.pk: [Cell(n_campaign.get((t.pk, c.pk), 0)) for c in campaigns] for t in themes}
    by_month = {t.pk: [Cell(n_month.get((t.pk, m), 0)) for m in months] for t in themes}
    totals = {t.pk: Cell(sum(c.n for c in by_campaign[t.pk])) for t in themes}
    return ThemeCounts(themes, campaigns, months, by_campaign, by_month, totals)


def _month(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    return value.replace(day=1)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ApprovedQuote:
    """A quote the organisation approved for its impact page: the words, where and when they were collected, and
    nothing that identifies the person."""

    public_id: UUID
    text: str
    question_code: str
    campaign: str
    establishment: str
    approved_at: datetime.datetime


def approved_quotes(organisation_id: int) -> list[ApprovedQuote]:
    """The organisation's approved quotes, most recently approved first (for the impact pages)."""
    return [
        ApprovedQuote(
            p.public_id,
            p.text,
            p.question_code,
            p.submission.campaign.name,
            p.submission.establishment.name,
            p.decided_at or p.proposed_at,
        )
        for p in proposals_of(organisation_id)
        .filter(status=QuoteStatus.APPROVED)
        .select_related("submission__campaign", "submission__establishment")
        .order_by("-decided_at", "-id")
    ]
