"""Writes on frameworks. Each is one transaction that also writes an audit row, and takes the acting user.

Every content stored is a checked document (`socle.lib.frameworks.document.check_document`): a draft is always
valid, so publishing only has to freeze it. A document that fails raises `DocumentRejected` with every problem,
and nothing is written.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.frameworks.models import (
    Consultation,
    ConsultationComment,
    Framework,
    FrameworkVersion,
    IndicatorView,
    TargetKind,
)
from socle.lib.frameworks.document import Parsed, canonical, check_document, parse_text
from socle.lib.frameworks.problems import FrameworkDocumentError, Problem
from socle.network.actions import ActionError
from socle.network.models import Field, Network, Organisation

__all__ = ["ActionError", "DocumentRejected"]


class DocumentRejected(ActionError):
    """A framework document with problems; `problems` lists them, each with its path (and line, from a file)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _check(parsed: Parsed, base: Mapping[str, Any] | None) -> dict[str, Any]:
    try:
        return check_document(parsed, base=base)
    except FrameworkDocumentError as error:
        raise DocumentRejected(error.problems) from None


def _reject(parsed: Parsed, path: tuple[str | int, ...], message: str) -> DocumentRejected:
    return DocumentRejected([parsed.locate(Problem(path, message))])


def base_content(version: FrameworkVersion) -> dict[str, Any] | None:
    return version.base_version.content if version.base_version_id else None


@dataclass(frozen=True)
class LoadResult:
    version: FrameworkVersion
    created: bool  # a new version was written
    unchanged: bool  # the same published version was already there


def _resolve_base(parsed: Parsed, document: Mapping[str, Any]) -> tuple[FrameworkVersion | None, Organisation | None]:
    """For an organisation document: the published sector version it names, and the organisation."""
    if document.get("kind") != "organisation" or not isinstance(document.get("base"), dict):
        return None, None
    base = document["base"]
    version = (
        FrameworkVersion.objects.select_related("framework")
        .filter(framework__slug=base.get("framework"), number=base.get("version"), framework__kind="sector")
        .first()
    )
    if version is None or not version.is_published:
        raise _reject(parsed, ("base",), f"no published sector version {base.get('framework')} v{base.get('version')}")
    organisation = Organisation.objects.filter(
        slug=document.get("organisation"), network_id=version.framework.network_id
    ).first()
    if organisation is None:
        raise _reject(
            parsed, ("organisation",), f"no organisation '{document.get('organisation')}' in the network of the base"
        )
    return version, organisation


def load_framework_text(
    text: str,
    *,
    filename: str | None = None,
    network: Network | None = None,
    acting_user: Any = None,
    publish: bool = False,
) -> LoadResult:
    """Load one framework version from a YAML or JSON file's text (`socle load_framework`, the upload page).

    A new version number creates a version; the number of the current draft replaces the draft; the number
    of a published version is accepted only if the content is the same (then nothing changes).
    """
    try:
        parsed = parse_text(text, filename=filename)
    except FrameworkDocumentError as error:
        raise DocumentRejected(error.problems) from None
    raw = parsed.document if isinstance(parsed.document, dict) else {}
    base_version, organisation = _resolve_base(parsed, raw)
    document = _check(parsed, base_version.content if base_version else None)
    with transaction.atomic():
        if document["kind"] == "sector":
            if network is None:
                networks = list(Network.objects.all()[:2])
                if len(networks) != 1:
                    raise ActionError(_("Say which network this framework belongs to (--network)."))
                network = networks[0]
            field = Field.objects.filter(code=document["field"]).first()
            if field is None:
                raise _reject(parsed, ("field",), f"unknown field '{document['field']}'")
            framework, _created = Framework.objects.get_or_create(
                slug=document["code"], defaults={"kind": Framework.Kind.SECTOR, "network": network, "field": field}
            )
            if not framework.is_sector or framework.network_id != network.pk:
                raise _reject(parsed, ("code",), f"the code '{document['code']}' is already used by another framework")
        else:
            assert base_version is not None and organisation is not None
            framework, _created = Framework.objects.get_or_create(
                slug=document["code"],
                defaults={
                    "kind": Framework.Kind.ORGANISATION,
                    "network_id": organisation.network_id,
                    "organisation": organisation,
                    "base": base_version.framework,
                },
            )
            if framework.organisation_id != organisation.pk or framework.base_id != base_version.framework_id:
                raise _reject(parsed, ("code",), f"the code '{document['code']}' is already used by another framework")
        existing = FrameworkVersion.objects.filter(framework=framework, number=document["version"]).first()
        if existing is not None and existing.is_published:
            if existing.content == document:
                return LoadResult(existing, created=False, unchanged=True)
            raise _reject(
                parsed,
                ("version",),
                f"version {existing.number} of {framework.slug} is published and cannot be changed: "
                f"give this file a new version number",
            )
        if existing is None:
            other_draft = FrameworkVersion.objects.filter(framework=framework, status="draft").first()
            if other_draft is not None:
                raise _reject(
                    parsed,
                    ("version",),
                    f"{framework.slug} already has a draft, version {other_draft.number}: "
                    "load this file with that number to replace it",
                )
            highest = FrameworkVersion.objects.filter(framework=framework).aggregate(m=Max("number"))["m"] or 0
            if document["version"] <= highest:
                raise _reject(parsed, ("version",), f"the next version of {framework.slug} is {highest + 1}")
            version = FrameworkVersion(framework=framework, number=document["version"], created_by=_user(acting_user))
        else:
            version = existing
        version.content = document
        version.base_version = base_version
        version.save()
        record(
            "framework.version_loaded",
            actor=acting_user,
            network=framework.network,
            organisation=framework.organisation,
            target=str(version),
            filename=filename or "",
        )
        if publish:
            version = publish_version(version, acting_user=acting_user)
    return LoadResult(version, created=existing is None, unchanged=False)


def _user(acting_user: Any) -> Any:
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def save_draft(
    version: FrameworkVersion,
    document: Any,
    *,
    acting_user: Any,
    filename: str | None = None,
    parsed: Parsed | None = None,
) -> FrameworkVersion:
    """Replace a draft's content with a checked document (the editor page, the API, the builder forms)."""
    parsed = parsed or Parsed(document, filename)
    if version.is_published:
        raise ActionError(_("Version %(number)s is published and cannot be changed.") % {"number": version.number})
    raw = parsed.document if isinstance(parsed.document, dict) else {}
    if raw.get("code") != version.framework.slug:
        raise _reject(parsed, ("code",), f"this draft belongs to '{version.framework.slug}', not '{raw.get('code')}'")
    if raw.get("version") != version.number:
        raise _reject(parsed, ("version",), f"this draft is version {version.number}, not {raw.get('version')}")
    if not version.framework.is_sector:
        base = raw.get("base") or {}
        assert version.base_version is not None
        if base != {"framework": version.base_version.framework.slug, "version": version.base_version.number}:
            raise _reject(parsed, ("base",), "the base of a draft changes by upgrading, not by editing")
    checked = _check(parsed, base_content(version))
    with transaction.atomic():
        locked = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ActionError(_("Version %(number)s is published and cannot be changed.") % {"number": version.number})
        locked.content = checked
        locked.save()
        record(
            "framework.draft_saved",
            actor=acting_user,
            network=version.framework.network,
            organisation=version.framework.organisation,
            target=str(version),
        )
    version.refresh_from_db()
    return version


def create_draft(framework: Framework, *, acting_user: Any) -> FrameworkVersion:
    """A new draft, copied from the latest version, numbered one more."""
    with transaction.atomic():
        if FrameworkVersion.objects.filter(framework=framework, status="draft").exists():
            raise ActionError(_("This framework already has a draft: finish it or publish it first."))
        latest = FrameworkVersion.objects.filter(framework=framework).order_by("-number").first()
        if latest is None:
            raise ActionError(_("This framework has no version to start from."))
        content = copy.deepcopy(latest.content)
        content["version"] = latest.number + 1
        content.pop("change_notes", None)
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=latest.number + 1,
            content=canonical(content),
            base_version=latest.base_version,
            created_by=_user(acting_user),
        )
        record(
            "framework.draft_created",
            actor=acting_user,
            network=framework.network,
            organisation=framework.organisation,
            target=str(version),
            from_version=latest.number,
        )
    return version


def publish_version(version: FrameworkVersion, *, acting_user: Any) -> FrameworkVersion:
    """Freeze a draft. A consultation on it must be closed first; its record stays with the version."""
    with transaction.atomic():
        locked = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ActionError(_("Version %(number)s is already published.") % {"number": locked.number})
        consultation = Consultation.objects.filter(version=locked).first()
        if consultation is not None and consultation.is_open:
            raise ActionError(_("Close the consultation before publishing."))
        _check(Parsed(locked.content), base_content(locked))  # a draft is valid; this guards against old rows
        locked.status = FrameworkVersion.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = _user(acting_user)
        locked.save()
        record(
            "framework.version_published",
            actor=acting_user,
            network=locked.framework.network,
            organisation=locked.framework.organisation,
            target=str(locked),
            sha256=locked.content_sha256,
        )
    return locked


def organisation_framework_slug(organisation: Organisation, sector: Framework) -> str:
    slug = f"{organisation.slug}-{sector.slug}"[:64].strip("-")
    candidate, n = slug, 2
    while Framework.objects.filter(slug=candidate).exists():
        candidate = f"{slug[:60]}-{n}"
        n += 1
    return candidate


def adopt_framework(organisation: Organisation, sector_version: FrameworkVersion, *, acting_user: Any) -> Framework:
    """An organisation adopts a published sector version: its own framework starts as a draft with no additions."""
    sector = sector_version.framework
    if not sector.is_sector or not sector_version.is_published or sector.network_id != organisation.network_id:
        raise ActionError(_("Only a published version of your network's sector framework can be adopted."))
    with transaction.atomic():
        if Framework.objects.filter(organisation=organisation, base=sector).exists():
            raise ActionError(_("Your organisation has already adopted this framework."))
        slug = organisation_framework_slug(organisation, sector)
        framework = Framework.objects.create(
            slug=slug,
            kind=Framework.Kind.ORGANISATION,
            network_id=organisation.network_id,
            organisation=organisation,
            base=sector,
        )
        content = {
            "socle_framework": 1,
            "code": slug,
            "kind": "organisation",
            "organisation": organisation.slug,
            "base": {"framework": sector.slug, "version": sector_version.number},
            "version": 1,
            "title": {"fr": f"Référentiel de {organisation.name}", "en": f"{organisation.name}'s framework"},
            "languages": list(sector_version.content.get("languages", ["fr"])),
        }
        checked = _check(Parsed(content), sector_version.content)
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=1,
            content=checked,
            base_version=sector_version,
            created_by=_user(acting_user),
        )
        record(
            "framework.adopted",
            actor=acting_user,
            network=organisation.network,
            organisation=organisation,
            target=str(version),
            base=str(sector_version),
        )
    return framework


def rebased(
    version: FrameworkVersion, sector_version: FrameworkVersion, *, number: int | None = None
) -> dict[str, Any]:
    """An organisation version's additions, named as based on another sector version (not checked, not stored)."""
    content = copy.deepcopy(version.content)
    content["base"] = {"framework": sector_version.framework.slug, "version": sector_version.number}
    if number is not None:
        content["version"] = number
    return content


def rebase_problems(version: FrameworkVersion, sector_version: FrameworkVersion) -> list[Problem]:
    """What would not fit if the additions were rebased on `sector_version`: the check the upgrade runs, without
    writing anything."""
    try:
        check_document(Parsed(rebased(version, sector_version)), base=sector_version.content)
    except FrameworkDocumentError as error:
        return list(error.problems)
    return []


def upgrade_framework(framework: Framework, sector_version: FrameworkVersion, *, acting_user: Any) -> FrameworkVersion:
    """Rebase an organisation framework's additions on a newer published sector version, as a new draft.

    If the additions no longer fit the new version (an own indicator uses a question the sector removed, a code
    the sector now uses…), `DocumentRejected` names each problem and nothing is written.
    """
    if framework.is_sector or sector_version.framework_id != framework.base_id or not sector_version.is_published:
        raise ActionError(_("An organisation framework upgrades to a published version of its own sector framework."))
    with transaction.atomic():
        draft = FrameworkVersion.objects.filter(framework=framework, status="draft").first()
        latest = draft or FrameworkVersion.objects.filter(framework=framework).order_by("-number").first()
        assert latest is not None
        assert latest.base_version is not None
        if sector_version.number <= latest.base_version.number:
            raise ActionError(_("Your framework is already based on this version or a later one."))
        number = latest.number if draft else latest.number + 1
        content = rebased(latest, sector_version, number=number)
        if not draft:
            content.pop("change_notes", None)
        checked = _check(Parsed(content), sector_version.content)
        if draft:
            draft.content = checked
            draft.base_version = sector_version
            draft.save()
            version = draft
        else:
            version = FrameworkVersion.objects.create(
                framework=framework,
                number=number,
                content=checked,
                base_version=sector_version,
                created_by=_user(acting_user),
            )
        record(
            "framework.upgraded",
            actor=acting_user,
            network=framework.network,
            organisation=framework.organisation,
            target=str(version),
            base=str(sector_version),
        )
    return version


# --- consultation -------------------------------------------------------------------------------------------------


def open_consultation(version: FrameworkVersion, *, message: str, acting_user: Any) -> Consultation:
    if not version.framework.is_sector or version.is_published:
        raise ActionError(_("Only a draft sector version can be opened to consultation."))
    with transaction.atomic():
        if Consultation.objects.filter(version=version).exists():
            raise ActionError(_("This draft has already been opened to consultation."))
        consultation = Consultation.objects.create(version=version, message=message, opened_by=_user(acting_user))
        record(
            "framework.consultation_opened", actor=acting_user, network=version.framework.network, target=str(version)
        )
    return consultation


def close_consultation(consultation: Consultation, *, acting_user: Any) -> Consultation:
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if not locked.is_open:
            raise ActionError(_("This consultation is already closed."))
        locked.closed_at = timezone.now()
        locked.closed_by = _user(acting_user)
        locked.save()
        record(
            "framework.consultation_closed",
            actor=acting_user,
            network=locked.version.framework.network,
            target=str(locked.version),
            comments=locked.comments.count(),
            views=locked.views.count(),
        )
    return locked


def element_exists(document: Mapping[str, Any], kind: str, code: str) -> bool:
    """Whether a consultation comment's target is in the draft."""
    if kind == TargetKind.GENERAL:
        return code == ""
    if kind == TargetKind.NODE:
        return any(n["code"] == code for n in document.get("nodes", []))
    if kind == TargetKind.INDICATOR:
        return any(i["code"] == code for i in document.get("indicators", []))
    if kind == TargetKind.QUESTION:
        questionnaire, _sep, name = code.partition("/")
        for q in document.get("questionnaires", []):
            if q["code"] == questionnaire:
                return any(qu["name"] == name for s in q["sections"] for qu in s["questions"])
    return False


def add_comment(
    consultation: Consultation,
    *,
    organisation: Organisation | None,
    target_kind: str,
    target_code: str,
    text: str,
    acting_user: Any,
    reply_to: ConsultationComment | None = None,
) -> ConsultationComment:
    """A member's comment on an element of the draft, or (organisation None) the network's answer to one."""
    if not consultation.is_open:
        raise ActionError(_("This consultation is closed."))
    if reply_to is not None:
        if reply_to.consultation_id != consultation.pk:
            raise ActionError(_("This comment is not part of this consultation."))
        target_kind, target_code = reply_to.target_kind, reply_to.target_code
    elif not element_exists(consultation.version.content, target_kind, target_code):
        raise ActionError(_("The element you comment on is not in this draft."))
    text = text.strip()
    if not text:
        raise ActionError(_("Write a comment."))
    with transaction.atomic():
        comment = ConsultationComment.objects.create(
            consultation=consultation,
            organisation=organisation,
            author=_user(acting_user),
            target_kind=target_kind,
            target_code=target_code,
            text=text,
            reply_to=reply_to,
        )
        record(
            "framework.consultation_comment",
            actor=acting_user,
            network=consultation.version.framework.network,
            organisation=organisation,
            target=str(consultation.version),
            element=f"{target_kind}:{target_code}",
        )
    return comment


def give_view(
    consultation: Consultation, *, organisation: Organisation, indicator_code: str, view: str, acting_user: Any
) -> IndicatorView:
    """A member organisation's keep / change / drop on one indicator; giving it again replaces it."""
    if not consultation.is_open:
        raise ActionError(_("This consultation is closed."))
    if not element_exists(consultation.version.content, TargetKind.INDICATOR, indicator_code):
        raise ActionError(_("This indicator is not in the draft."))
    if view not in IndicatorView.View.values:
        raise ActionError(_("Choose keep, change or drop."))
    with transaction.atomic():
        row, _created = IndicatorView.objects.update_or_create(
            consultation=consultation,
            organisation=organisation,
            indicator_code=indicator_code,
            defaults={"view": view, "given_by": _user(acting_user)},
        )
        record(
            "framework.indicator_view",
            actor=acting_user,
            network=consultation.version.framework.network,
            organisation=organisation,
            target=str(consultation.version),
            indicator=indicator_code,
            view=view,
        )
    return row


# --- questionnaires from XLSForm files ----------------------------------------------------------------------------


@dataclass
class QuestionnaireImport:
    """What importing an XLSForm into a draft gives: refused (with why), checked (dry run) or saved."""

    code: str
    renames: dict[str, str]
    refusal: str = ""
    problems: list[Problem] | None = None
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.refusal and not self.problems


def import_questionnaire(
    version: FrameworkVersion, imported: Any, *, acting_user: Any, dry_run: bool = False
) -> QuestionnaireImport:
    """Add a questionnaire read from an XLSForm (`socle.lib.frameworks.xlsform.read_xlsform`) to a draft.

    Refused when the file has rows Socle cannot keep, or when its code is already taken; otherwise the draft is
    checked as a whole, and saved unless `dry_run`. Nothing is written when anything is wrong.
    """
    from socle.lib.frameworks import edit

    if version.is_published:
        raise ActionError(_("Version %(number)s is published and cannot be changed.") % {"number": version.number})
    base = base_content(version)
    code = str(imported.questionnaire.get("code", ""))
    renames = edit.choice_list_plan(version.content, imported.choice_lists, base=base)[1]
    outcome = QuestionnaireImport(code, renames)
    if any(q["code"] == code for q in version.effective_content().get("questionnaires", [])):
        outcome.refusal = _(
            "A questionnaire with the code %(code)s is already in this framework: give the import another code."
        ) % {"code": code}
        return outcome
    if not imported.ok:
        outcome.refusal = _(
            "Nothing was imported: Socle cannot keep the rows listed below yet. Change or remove them in the file, "
            "then import it again."
        )
        return outcome
    document = edit.add_questionnaire(
        version.content, imported.questionnaire, imported.choice_lists, base=base, languages=imported.languages
    )
    try:
        if dry_run:
            _check(Parsed(document), base)
        else:
            save_draft(version, document, acting_user=acting_user)
            outcome.saved = True
    except DocumentRejected as error:
        outcome.problems = error.problems
    return outcome
