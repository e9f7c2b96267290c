"""Writes on open answers: themes, coding an answer with themes, proposing an answer as a quote and deciding on it.

Each is one transaction with one audit row, takes the acting user, and raises `ActionError` with a message for the
person who asked. Identifiers come from forms: every one is looked up within the organisation, and an unknown or
another organisation's one is `NotFound` (the pages answer 404) before anything is written.

Codings and proposals point to the first version of the answer's chain of corrections, so they follow it: a
corrected answer keeps its themes, and the listing shows the latest version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.collection.models import Submission
from socle.network.actions import ActionError
from socle.network.models import Organisation
from socle.qualitative.access import codings_of, proposals_of, themes_of
from socle.qualitative.models import Coding, QuoteProposal, QuoteStatus, Theme
from socle.qualitative.queries import open_text, text_questions

MAX_THEME_NAME = 80
MAX_THEME_DESCRIPTION = 300


class NotFound(ActionError):
    """An identifier that is not the organisation's: the pages answer 404."""


@dataclass
class Answer:
    latest: Submission
    root: Submission
    question_code: str
    text: str


def find_answer(organisation: Organisation, submission_uuid: UUID, question_code: str) -> Answer:
    """An open answer of the organisation, read from the latest version of the submission's chain."""
    submission = (
        Submission.objects.select_related("framework_version__base_version")
        .filter(organisation_id=organisation.pk, uuid=submission_uuid)
        .order_by("id")
        .first()
    )
    if submission is None:
        raise NotFound(_("There is no such answer in your organisation."))
    root = submission
    while root.corrects_id is not None:
        root = Submission.objects.get(pk=root.corrects_id, organisation_id=organisation.pk)
    latest = submission
    while (later := Submission.objects.filter(corrects=latest).select_related("framework_version").first()) is not None:
        latest = later
    if (latest.questionnaire_code, question_code) not in text_questions(latest.framework_version, "fr"):
        raise NotFound(_("This question takes no open answer."))
    text = open_text(latest.answers.get(question_code))
    if text is None:
        raise ActionError(_("This answer holds no text."))
    return Answer(latest, root, question_code, text)


def create_theme(organisation: Organisation, *, name: str, description: str = "", acting_user: Any) -> Theme:
    name = " ".join(name.split())
    description = description.strip()
    if not name:
        raise ActionError(_("Give the theme a name."))
    if len(name) > MAX_THEME_NAME or len(description) > MAX_THEME_DESCRIPTION:
        raise ActionError(
            _("A theme's name has %(name)s characters at most, its description %(description)s.")
            % {"name": MAX_THEME_NAME, "description": MAX_THEME_DESCRIPTION}
        )
    exists = _("Your organisation already has a theme named “%(name)s”.") % {"name": name}
    if any(t.casefold() == name.casefold() for t in themes_of(organisation.pk).values_list("name", flat=True)):
        raise ActionError(exists)
    try:
        with transaction.atomic():
            theme = Theme.objects.create(
                organisation=organisation, name=name, description=description, created_by=_user(acting_user)
            )
            record(
                "theme.created",
                actor=acting_user,
                network=organisation.network,
                organisation=organisation,
                target=str(theme.public_id),
                name=name,
            )
    except IntegrityError:
        raise ActionError(exists) from None
    return theme


def set_theme_archived(organisation: Organisation, theme_id: UUID, *, archived: bool, acting_user: Any) -> Theme:
    """An archived theme keeps its codings and counts but is no longer offered for coding."""
    with transaction.atomic():
        theme = themes_of(organisation.pk).select_for_update().filter(public_id=theme_id).first()
        if theme is None:
            raise NotFound(_("Your organisation has no such theme."))
        if theme.archived == archived:
            return theme
        Theme.objects.filter(pk=theme.pk).update(archived=archived)
        theme.archived = archived
        record(
            "theme.archived" if archived else "theme.restored",
            actor=acting_user,
            network=organisation.network,
            organisation=organisation,
            target=str(theme.public_id),
            name=theme.name,
        )
    return theme


@dataclass
class Coded:
    added: list[str]
    removed: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def code_answer(
    organisation: Organisation, *, submission_uuid: UUID, question_code: str, theme_ids: list[UUID], acting_user: Any
) -> Coded:
    """Give an open answer exactly these themes among the active ones (archived themes it has stay)."""
    answer = find_answer(organisation, submission_uuid, question_code)
    wanted = set(theme_ids)
    themes = {t.public_id: t for t in themes_of(organisation.pk).filter(public_id__in=wanted)}
    if len(themes) != len(wanted):
        raise NotFound(_("Your organisation has no such theme."))
    if any(t.archived for t in themes.values()):
        raise ActionError(_("An archived theme cannot be given to an answer; restore it first."))
    with transaction.atomic():
        existing = {
            c.theme.public_id: c
            for c in codings_of(organisation.pk)
            .select_for_update()
            .select_related("theme")
            .filter(submission=answer.root, question_code=question_code)
        }
        added = [themes[i] for i in wanted - set(existing)]
        removed = [c for i, c in existing.items() if i not in wanted and not c.theme.archived]
        if not added and not removed:
            return Coded([], [])
        Coding.objects.bulk_create(
            [
                Coding(
                    organisation=organisation,
                    submission=answer.root,
                    question_code=question_code,
                    theme=theme,
                    coded_by=_user(acting_user),
                )
                for theme in added
            ]
        )
        Coding.objects.filter(pk__in=[c.pk for c in removed]).delete()
        result = Coded(sorted(t.name for t in added), sorted(c.theme.name for c in removed))
        record(
            "answer.coded",
            actor=acting_user,
            network=organisation.network,
            organisation=organisation,
            target=f"{answer.root.uuid}/{question_code}",
            added=result.added,
            removed=result.removed,
        )
    return result


def propose_quote(
    organisation: Organisation, *, submission_uuid: UUID, question_code: str, acting_user: Any
) -> QuoteProposal:
    """Propose an open answer as a quote for the impact page: only when its respondent agreed to be quoted."""
    answer = find_answer(organisation, submission_uuid, question_code)
    if answer.latest.quote_consent is not True:
        raise ActionError(
            _("The person who answered did not agree to be quoted: this answer cannot be proposed as a quote.")
        )
    already = _("This answer is already proposed as a quote.")
    live = [QuoteStatus.PROPOSED, QuoteStatus.APPROVED]
    try:
        with transaction.atomic():
            if (
                proposals_of(organisation.pk)
                .filter(submission=answer.root, question_code=question_code, status__in=live)
                .exists()
            ):
                raise ActionError(already)
            proposal = QuoteProposal.objects.create(
                organisation=organisation,
                submission=answer.root,
                question_code=question_code,
                text=answer.text,
                proposed_by=_user(acting_user),
            )
            record(
                "quote.proposed",
                actor=acting_user,
                network=organisation.network,
                organisation=organisation,
                target=str(proposal.public_id),
                answer=f"{answer.root.uuid}/{question_code}",
            )
    except IntegrityError:
        raise ActionError(already) from None
    return proposal


def decide_quote(organisation: Organisation, *, proposal_id: UUID, approve: bool, acting_user: Any) -> QuoteProposal:
    """An admin approves a proposed quote, or withdraws a proposed or approved one."""
    with transaction.atomic():
        proposal = proposals_of(organisation.pk).select_for_update().filter(public_id=proposal_id).first()
        if proposal is None:
            raise NotFound(_("Your organisation has no such quote proposal."))
        if approve and proposal.status != QuoteStatus.PROPOSED:
            raise ActionError(_("Only a proposed quote can be approved."))
        if not approve and proposal.status == QuoteStatus.WITHDRAWN:
            raise ActionError(_("This quote is already withdrawn."))
        status = QuoteStatus.APPROVED if approve else QuoteStatus.WITHDRAWN
        now = timezone.now()
        QuoteProposal.objects.filter(pk=proposal.pk).update(
            status=status, decided_by=_user(acting_user), decided_at=now
        )
        proposal.status, proposal.decided_at = status, now
        record(
            "quote.approved" if approve else "quote.withdrawn",
            actor=acting_user,
            network=organisation.network,
            organisation=organisation,
            target=str(proposal.public_id),
        )
    return proposal


def _user(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None
