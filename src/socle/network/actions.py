"""Writes that touch the network model. Each is one transaction that also writes an audit row."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from socle.accounts.models import User, normalise_email
from socle.audit.models import record
from socle.network.models import (
    FacilitatorConsent,
    Invitation,
    Membership,
    Network,
    Organisation,
    Role,
)


class ActionError(ValueError):
    """The action cannot be done; the message is for the person who asked."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_invitation(token: str) -> Invitation | None:
    return Invitation.objects.select_related("network", "organisation").filter(token_hash=hash_token(token)).first()


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    url: str


def _send_invitation(invitation: Invitation, token: str, language: str = "fr") -> str:
    url = settings.BASE_URL + reverse("network:accept_invitation", args=[token])
    context = {"invitation": invitation, "url": url, "valid_days": settings.INVITATION_VALID_DAYS}
    with override(language):
        subject = _("Invitation to join %(place)s on Socle") % {
            "place": invitation.organisation.name if invitation.organisation else invitation.network.name
        }
        body = render_to_string("network/email/invitation.txt", context)
    # The e-mail leaves after the transaction commits: no mail for an invitation that was rolled back.
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email], fail_silently=False))
    return url


def invite(
    *,
    network: Network,
    email: str,
    role: str,
    acting_user: Any,
    organisation: Organisation | None = None,
    language: str = "fr",
) -> SentInvitation:
    """Creates an invitation and e-mails its link. Network roles have no organisation; others need one."""
    email = normalise_email(email)
    if role in (Role.ORG_ADMIN, Role.ORG_STAFF):
        if organisation is None or organisation.network_id != network.pk:
            raise ActionError(_("This role needs an organisation of the network."))
    elif organisation is not None:
        raise ActionError(_("A network role is not given within an organisation."))
    existing = Membership.objects.filter(user__email=email, network=network)
    existing = (
        existing.filter(organisation=organisation) if organisation else existing.filter(organisation__isnull=True)
    )
    if existing.exists():
        raise ActionError(_("%(email)s already has a role here.") % {"email": email})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address and place.
        Invitation.objects.filter(
            email=email, network=network, organisation=organisation, accepted_at__isnull=True
        ).update(expires_at=timezone.now())
        invitation = Invitation.objects.create(
            token_hash=hash_token(token),
            email=email,
            network=network,
            organisation=organisation,
            role=role,
            invited_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        record(
            "invitation.sent",
            actor=acting_user,
            network=network,
            organisation=organisation,
            target=email,
            role=role,
        )
        url = _send_invitation(invitation, token, language)
    return SentInvitation(invitation, url)


@dataclass(frozen=True)
class BulkInvitationResult:
    sent: list[SentInvitation]
    skipped_without_email: list[Organisation]
    skipped_already_in: list[Organisation]


def invite_organisations_from_frame(
    *, network: Network, organisations: list[Organisation], acting_user: Any
) -> BulkInvitationResult:
    """Invites the admin of each organisation of the frame at its contact e-mail, in one transaction."""
    sent: list[SentInvitation] = []
    without_email: list[Organisation] = []
    already_in: list[Organisation] = []
    joined = set(Membership.objects.filter(organisation__in=organisations).values_list("organisation_id", flat=True))
    with transaction.atomic():
        for organisation in organisations:
            if organisation.network_id != network.pk:
                raise ActionError(_("An organisation of another network cannot be invited."))
            if organisation.pk in joined:
                already_in.append(organisation)
            elif not organisation.contact_email:
                without_email.append(organisation)
            else:
                sent.append(
                    invite(
                        network=network,
                        organisation=organisation,
                        email=organisation.contact_email,
                        role=Role.ORG_ADMIN,
                        acting_user=acting_user,
                    )
                )
    return BulkInvitationResult(sent, without_email, already_in)


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Gives the invited role to ``user``, whose e-mail must be the invited one; the link is then spent."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable:
            raise ActionError(_("This invitation has expired or has already been used."))
        if normalise_email(user.email) != locked.email:
            raise ActionError(_("This invitation was sent to another e-mail address."))
        membership, _created = Membership.objects.get_or_create(
            user=user,
            network=locked.network,
            organisation=locked.organisation,
            defaults={"role": locked.role},
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        if locked.organisation is not None and locked.role == Role.ORG_ADMIN and not locked.organisation.is_member:
            locked.organisation.is_member = True
            locked.organisation.save(update_fields=["is_member", "updated_at"])
        record(
            "invitation.accepted",
            actor=user,
            network=locked.network,
            organisation=locked.organisation,
            target=user.email,
            role=locked.role,
        )
    return membership


def create_account_and_accept(invitation: Invitation, *, full_name: str, password: str) -> User:
    """For an invited address that has no account yet: the account and the role in one transaction."""
    with transaction.atomic():
        if User.objects.filter(email=invitation.email).exists():
            raise ActionError(_("An account already exists for this address: sign in to accept."))
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
        accept_invitation(invitation, user)
    return user


def grant_consent(*, organisation: Organisation, facilitator: User, acting_user: Any) -> FacilitatorConsent:
    if not Membership.objects.filter(
        user=facilitator, network=organisation.network, organisation__isnull=True, role=Role.FACILITATOR
    ).exists():
        raise ActionError(_("This person is not a facilitator of the network."))
    with transaction.atomic():
        consent = FacilitatorConsent.objects.filter(
            organisation=organisation, facilitator=facilitator, revoked_at__isnull=True
        ).first()
        if consent is None:
            consent = FacilitatorConsent.objects.create(
                organisation=organisation, facilitator=facilitator, granted_by=acting_user
            )
            record(
                "consent.granted",
                actor=acting_user,
                network=organisation.network,
                organisation=organisation,
                target=facilitator.email,
            )
    return consent


def revoke_consent(*, organisation: Organisation, facilitator: User, acting_user: Any) -> int:
    with transaction.atomic():
        revoked = FacilitatorConsent.objects.filter(
            organisation=organisation, facilitator=facilitator, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if revoked:
            record(
                "consent.revoked",
                actor=acting_user,
                network=organisation.network,
                organisation=organisation,
                target=facilitator.email,
            )
    return revoked
