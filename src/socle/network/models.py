"""The network, its fields, its member organisations and the frame of establishments.

Every row that belongs to a member organisation carries ``organisation_id`` (the tenant key). Views never read
these models directly: they go through ``socle.network.access``.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from socle.lib import geo


class Bilingual(models.Model):
    """A row whose name exists in French and English; ``name`` picks the active language."""

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name_fr


class Field(Bilingual):
    """A field of activity (champ): handicap, child protection, … Each has its own sector framework."""

    code = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")


class EstablishmentType(Bilingual):
    """A controlled list per field: CHRS, accueil de jour, pension de famille, …"""

    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="establishment_types")
    code = models.SlugField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["field", "position", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["field", "code"], name="establishment_type_unique_code"),
        ]
        verbose_name = _("establishment type")
        verbose_name_plural = _("establishment types")


class Network(models.Model):
    """The network head (tête de réseau), e.g. a federation of member organisations."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    fields = models.ManyToManyField(Field, related_name="networks", verbose_name=_("fields"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A legal body (association, foundation…) identified by its SIREN; a member when ``is_member``.

    The frame also lists organisations that manage non-member establishments: they exist here so that the
    network can invite them, and have no account until they accept.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="organisations")
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9)
    is_member = models.BooleanField(_("member of the network"), default=False)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["network", "siren"], name="organisation_unique_siren"),
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Establishment(models.Model):
    """An establishment or service (ESSMS) of the network's frame, identified by its FINESS number.

    ``participates`` says whether it takes part in the network's measurement; the frame lists every
    establishment of the field, participating or not, so that coverage can be computed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="establishments")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="establishments"
    )
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="+")
    type = models.ForeignKey(EstablishmentType, on_delete=models.PROTECT, related_name="+")
    finess = models.CharField(_("FINESS number"), max_length=9)
    name = models.CharField(_("name"), max_length=200)
    departement = models.CharField(
        _("département"), max_length=3, choices=[(c, f"{c} {n}") for c, (n, _r) in geo.DEPARTEMENTS.items()]
    )
    region = models.CharField(_("region"), max_length=2, choices=list(geo.REGIONS.items()))
    places = models.PositiveIntegerField(_("places"), null=True, blank=True)
    people_supported = models.PositiveIntegerField(
        _("people supported a year"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    participates = models.BooleanField(_("takes part"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["network", "finess"], name="establishment_unique_finess"),
            models.CheckConstraint(
                condition=Q(participates=False) | Q(organisation__isnull=False),
                name="participating_establishment_has_organisation",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "name"]),
            models.Index(fields=["network", "participates"]),
        ]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")

    def __str__(self) -> str:
        return f"{self.name} ({self.finess})"

    @property
    def departement_name(self) -> str:
        return geo.DEPARTEMENTS[self.departement][0]

    @property
    def region_name(self) -> str:
        return geo.REGIONS[self.region]


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Network admin")
    NETWORK_ANALYST = "network_analyst", _("Network analyst")
    FACILITATOR = "facilitator", _("Facilitator")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    ORG_STAFF = "org_staff", _("Organisation staff")


NETWORK_ROLES = (Role.NETWORK_ADMIN, Role.NETWORK_ANALYST, Role.FACILITATOR)
ORGANISATION_ROLES = (Role.ORG_ADMIN, Role.ORG_STAFF)


class Membership(models.Model):
    """A user's role in a network (network staff, facilitator) or in one of its organisations."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "network"],
                condition=Q(organisation__isnull=True),
                name="membership_one_network_role",
            ),
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_organisation_role"),
            models.CheckConstraint(
                condition=(Q(organisation__isnull=True) & Q(role__in=[r.value for r in NETWORK_ROLES]))
                | (Q(organisation__isnull=False) & Q(role__in=[r.value for r in ORGANISATION_ROLES])),
                name="membership_role_matches_scope",
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class FacilitatorConsent(models.Model):
    """An organisation lets a facilitator read its space, until it revokes the consent."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consents")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "facilitator"],
                condition=Q(revoked_at__isnull=True),
                name="consent_one_active",
            ),
        ]
        verbose_name = _("facilitator consent")
        verbose_name_plural = _("facilitator consents")

    def __str__(self) -> str:
        return f"{self.facilitator} → {self.organisation}"


class Invitation(models.Model):
    """A single-use link, e-mailed, that expires. Only a hash of its token is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
