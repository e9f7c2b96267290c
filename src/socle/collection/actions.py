"""Writes of collection: opening a campaign, and receiving a submission exactly once.

`submit` is the one way answers enter Socle (respondent form, assisted entry, paper, import, API). It checks
every answer against the questionnaire first (`socle.lib.collection.answers`), then stores the submission under
`UNIQUE(framework_version, questionnaire_code, uuid)`: a resend of the same answers returns the stored row, the
same uuid with other answers is a conflict, and two concurrent sends of one uuid store one row.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import uuid as uuid_module
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.collection.models import Campaign, CollectionLink, FollowUpKey, Mode, SectorCampaign, Submission, Wave
from socle.frameworks.models import FrameworkVersion
from socle.lib.collection import followup
from socle.lib.collection.answers import AnswerError, Questionnaire, compile_questionnaire
from socle.measurement import actions as facts
from socle.network.actions import ActionError
from socle.network.models import Establishment, Network, Organisation

LINK_CODE_LENGTH = 10


class InvalidSubmission(ActionError):
    """Answers that do not fit the questionnaire; `errors` has one entry per question (HTTP 422)."""

    def __init__(self, errors: Iterable[AnswerError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.question}: {e.message}" for e in self.errors))


class SubmissionConflict(ActionError):
    """The same submission id was already received with other answers (HTTP 409)."""


# --- questionnaires ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _compiled(version_pk: int, content_sha256: str, code: str) -> tuple[Questionnaire, str]:
    version = FrameworkVersion.objects.select_related("base_version").get(pk=version_pk)
    document = version.effective_content()
    audience = next((q["audience"] for q in document.get("questionnaires", []) if q["code"] == code), "")
    return compile_questionnaire(document, code), audience


def questionnaire_of(version: FrameworkVersion, code: str) -> tuple[Questionnaire, str]:
    """The compiled questionnaire of a version and its audience (cached by content: a published version never
    changes, and a draft's cache entry is keyed by its content's hash)."""
    return _compiled(version.pk, version.content_sha256, code)


# --- campaigns ----------------------------------------------------------------------------------------------------


def _link_code() -> str:
    return "".join(secrets.choice(followup.ALPHABET) for _ in range(LINK_CODE_LENGTH)).lower()


def open_sector_campaign(
    network: Network,
    version: FrameworkVersion,
    *,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    acting_user: Any,
    code: str = "",
) -> SectorCampaign:
    """A network's campaign on a published version of one of its sector frameworks, that members join. ``code``
    (a slug, unique in the network) defaults to the name's slug, numbered when it is taken."""
    framework = version.framework
    if framework.network_id != network.pk or framework.organisation_id is not None or not version.is_published:
        raise ActionError(_("A sector campaign runs a published version of one of the network's sector frameworks."))
    if not name.strip():
        raise ActionError(_("Give the campaign a name."))
    if ends_on < starts_on:
        raise ActionError(_("The campaign ends before it starts."))
    code = code.strip()
    if code and (slugify(code) != code or len(code) > 64):
        raise ActionError(_("The code may hold only lower-case letters, digits and hyphens (64 at most)."))
    if code in RESERVED_SECTOR_CAMPAIGN_CODES:
        raise ActionError(_("This code is a page of the sector site: choose another one."))
    with transaction.atomic():
        if code and SectorCampaign.objects.filter(network=network, code=code).exists():
            raise ActionError(_("Another sector campaign of the network already has this code."))
        sector_campaign = SectorCampaign.objects.create(
            network=network,
            framework_version=version,
            code=code or free_sector_campaign_code(network, name),
            name=name.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        record(
            "sector_campaign.opened",
            actor=acting_user,
            network=network,
            target=str(sector_campaign.public_id),
            name=sector_campaign.name,
            version=f"{framework.slug} v{version.number}",
        )
    return sector_campaign


# /sector/<network>/<code>/ is a sector campaign's page, but /sector/<network>/members/ is the directory of the
# members' impact pages (socle.impact).
RESERVED_SECTOR_CAMPAIGN_CODES = frozenset({"members"})


def free_sector_campaign_code(network: Network, name: str) -> str:
    """The name's slug (``campaign`` when it has none), numbered ``-2``, ``-3``… when the network already uses it."""
    base = slugify(name)[:56].strip("-") or "campaign"
    taken = set(SectorCampaign.objects.filter(network=network, code__startswith=base).values_list("code", flat=True))
    taken |= RESERVED_SECTOR_CAMPAIGN_CODES
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


def can_join(sector_campaign: SectorCampaign, organisation: Organisation, version: FrameworkVersion) -> str:
    """Why a campaign of `organisation` on `version` may not join `sector_campaign` ("" when it may)."""
    if sector_campaign.network_id != organisation.network_id:
        return _("This sector campaign belongs to another network.")
    if sector_campaign.closed_at is not None:
        return _("This sector campaign is closed.")
    if version.base_version_id != sector_campaign.framework_version_id:
        sector_version = sector_campaign.framework_version
        return _(
            "The sector campaign runs %(framework)s version %(number)s: your framework version must be based on it."
        ) % {"framework": sector_version.framework.slug, "number": sector_version.number}
    return ""


def open_campaign(
    organisation: Organisation,
    version: FrameworkVersion,
    *,
    name: str,
    wave: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    establishments: Iterable[Establishment],
    acting_user: Any,
    sector_campaign: SectorCampaign | None = None,
) -> Campaign:
    """A campaign on a published version of the organisation's framework, with one collection link per
    establishment and questionnaire answered at that wave; it may join a sector campaign of the network."""
    framework = version.framework
    if framework.organisation_id != organisation.pk or not version.is_published:
        raise ActionError(_("A campaign runs a published version of your organisation's framework."))
    if wave not in Wave.values:
        raise ActionError(_("Choose the wave: entry, follow-up or exit."))
    if ends_on < starts_on:
        raise ActionError(_("The campaign ends before it starts."))
    if sector_campaign is not None:
        problem = can_join(sector_campaign, organisation, version)
        if problem:
            raise ActionError(problem)
        if starts_on < sector_campaign.starts_on or ends_on > sector_campaign.ends_on:
            raise ActionError(
                _("A campaign that joins %(name)s runs within its dates, from %(start)s to %(end)s.")
                % {
                    "name": sector_campaign.name,
                    "start": sector_campaign.starts_on.isoformat(),
                    "end": sector_campaign.ends_on.isoformat(),
                }
            )
    chosen = list(establishments)
    if not chosen or any(e.organisation_id != organisation.pk for e in chosen):
        raise ActionError(_("Choose one or more of your organisation's establishments."))
    document = version.effective_content()
    codes = [q["code"] for q in document.get("questionnaires", []) if wave in q["waves"]]
    if not codes:
        raise ActionError(_("No questionnaire of this framework is answered at this wave."))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            organisation=organisation,
            framework_version=version,
            name=name,
            wave=wave,
            starts_on=starts_on,
            ends_on=ends_on,
            sector_campaign=sector_campaign,
            created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        CollectionLink.objects.bulk_create(
            CollectionLink(
                code=_link_code(),
                organisation=organisation,
                campaign=campaign,
                establishment=establishment,
                questionnaire_code=code,
            )
            for establishment in chosen
            for code in codes
        )
        record(
            "campaign.opened",
            actor=acting_user,
            network=organisation.network,
            organisation=organisation,
            target=str(campaign.public_id),
            name=name,
            wave=wave,
            links=len(chosen) * len(codes),
            sector_campaign=str(sector_campaign.public_id) if sector_campaign else "",
        )
    return campaign


# --- submissions --------------------------------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def stored_answers(answers: Mapping[str, object]) -> dict[str, object]:
    """Checked answers as JSON values: decimals as strings (exact), dates in ISO form."""
    return {name: _json_value(value) for name, value in answers.items()}


def answers_digest(answers: Mapping[str, object]) -> str:
    return hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def followup_key(organisation: Organisation) -> bytes:
    """The organisation's follow-up key, made on first use (two first uses at once make one key)."""
    found = FollowUpKey.objects.filter(organisation=organisation).first()
    if found is None:
        try:
            with transaction.atomic():
                found = FollowUpKey.objects.create(organisation=organisation, key_hex=secrets.token_hex(32))
        except IntegrityError:
            found = FollowUpKey.objects.get(organisation=organisation)
    return found.key


def issued_code(key: bytes, submission_uuid: uuid_module.UUID) -> str:
    """The follow-up code given at entry: derived from the organisation's key and the submission id, so that a
    resend gets the same code back although only its keyed hash is stored."""
    digest = hashlib.sha256(key + b"/issue/" + submission_uuid.bytes).digest()
    number = int.from_bytes(digest[:5], "big")
    body = "".join(followup.ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return body + followup.check_character(body)


@dataclass
class Received:
    submission: Submission
    created: bool  # False: the same answers had already been received
    followup_code: str = ""  # at entry, the code to give the person (printable with followup.printable)
    scores: dict[str, object] = field(default_factory=dict)


def submit(
    *,
    campaign: Campaign,
    establishment: Establishment,
    questionnaire_code: str,
    submission_uuid: uuid_module.UUID,
    answers: Mapping[str, object],
    mode: str,
    link: CollectionLink | None = None,
    followup_code: str | None = None,
    quote_consent: bool | None = None,
    acting_user: Any = None,
) -> Received:
    """Receive one filled questionnaire exactly once; nothing is stored unless every answer fits."""
    if mode not in Mode.values:
        raise ActionError(_("Unknown mode of collection."))
    if establishment.organisation_id != campaign.organisation_id:
        raise ActionError(_("This establishment does not take part in this campaign."))
    version = campaign.framework_version
    try:
        questionnaire, audience = questionnaire_of(version, questionnaire_code)
    except KeyError:
        raise ActionError(_("This campaign has no questionnaire %(code)s.") % {"code": questionnaire_code}) from None
    scored_on = datetime.date.today()  # what check() uses by default; the facts reuse the scores for that day
    checked = questionnaire.check(answers, today=scored_on)
    errors = list(checked.errors)
    followup_hash = ""
    issued = ""
    key = followup_key(campaign.organisation)
    if audience != "people_supported":
        pass  # staff and partners are not followed over time
    elif campaign.wave == Wave.ENTRY:
        issued = issued_code(key, submission_uuid)
        followup_hash = followup.keyed_hash(key, issued)
    elif followup_code:
        try:
            followup_hash = followup.read(followup_code).hashed(key)
        except followup.FollowUpCodeError as error:
            errors.append(AnswerError("followup_code", "followup_code", str(error)))
    if errors:
        raise InvalidSubmission(errors)
    stored = stored_answers(checked.answers)
    digest = answers_digest(stored)
    identity = {"framework_version": version, "questionnaire_code": questionnaire_code, "uuid": submission_uuid}
    with transaction.atomic():
        existing = Submission.objects.filter(**identity).first()
        if existing is None:
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(
                        **identity,
                        organisation_id=campaign.organisation_id,
                        campaign=campaign,
                        link=link,
                        establishment=establishment,
                        wave=campaign.wave,
                        mode=mode,
                        answers=stored,
                        answers_sha256=digest,
                        followup_hash=followup_hash,
                        quote_consent=quote_consent,
                        entered_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
                    )
                # an entry's follow-up hash was issued for it just now: no other submission has it yet
                facts.submission_received(submission, checked.scores, scored_on, new_respondent=bool(issued))
                return Received(submission, True, issued, dict(checked.scores))
            except IntegrityError:
                existing = Submission.objects.filter(**identity).first()
                if existing is None:  # pragma: no cover - another constraint failed
                    raise
    if existing.answers_sha256 != digest or existing.campaign_id != campaign.pk:
        raise SubmissionConflict(_("This submission was already received with other answers; nothing was changed."))
    return Received(existing, False, issued, dict(checked.scores))


def correct_submission(
    original: Submission, answers: Mapping[str, object], *, reason: str, acting_user: Any
) -> Submission:
    """Record a correction: a new submission that `corrects` the latest version, checked like any other; the
    received answers stay as they were. Only the latest version of an answer can be corrected, once
    (`UNIQUE(corrects)`: two people correcting it at once make one correction, the other gets a conflict)."""
    if not reason.strip():
        raise ActionError(_("Say why the answers are corrected."))
    questionnaire, _audience = questionnaire_of(original.framework_version, original.questionnaire_code)
    checked = questionnaire.check(answers)
    if checked.errors:
        raise InvalidSubmission(checked.errors)
    stored = stored_answers(checked.answers)
    digest = answers_digest(stored)
    if digest == original.answers_sha256:
        raise ActionError(_("These are the answers already recorded: nothing to correct."))
    meanwhile = SubmissionConflict(_("These answers were corrected meanwhile: correct the latest version."))
    if Submission.objects.filter(corrects=original).exists():
        raise meanwhile
    try:
        with transaction.atomic():
            correction = Submission.objects.create(
                uuid=uuid_module.uuid4(),
                organisation_id=original.organisation_id,
                campaign_id=original.campaign_id,
                link_id=original.link_id,
                establishment_id=original.establishment_id,
                framework_version_id=original.framework_version_id,
                questionnaire_code=original.questionnaire_code,
                wave=original.wave,
                mode=original.mode,
                answers=stored,
                answers_sha256=digest,
                followup_hash=original.followup_hash,
                quote_consent=original.quote_consent,
                entered_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
                corrects=original,
            )
            facts.correction_received(original, correction)
            changed = sorted(
                name for name in set(original.answers) | set(stored) if original.answers.get(name) != stored.get(name)
            )
            record(
                "submission.corrected",
                actor=acting_user,
                network=original.organisation.network,
                organisation=original.organisation,
                target=str(correction.uuid),
                corrects=str(original.uuid),
                questions=changed,
                reason=reason.strip()[:500],
            )
    except IntegrityError:
        raise meanwhile from None
    return correction
