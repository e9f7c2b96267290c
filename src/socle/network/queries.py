"""Read-only summaries of the network model, for pages. Each is a handful of aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import get_language

from socle.accounts.models import User
from socle.lib import geo
from socle.network.models import Establishment, Network, Organisation, Role


@dataclass
class ParticipationRow:
    key: str
    label: str
    establishments: int
    participating: int
    people: int
    people_participating: int

    @property
    def share_establishments(self) -> float | None:
        return self.participating / self.establishments if self.establishments else None

    @property
    def share_people(self) -> float | None:
        return self.people_participating / self.people if self.people else None


@dataclass
class ParticipationSummary:
    total: ParticipationRow
    by_type: list[ParticipationRow] = field(default_factory=list)
    by_region: list[ParticipationRow] = field(default_factory=list)
    members: int = 0
    organisations: int = 0


_AGGREGATES = {
    "establishments": Count("id"),
    "participating": Count("id", filter=Q(participates=True)),
    "people": Sum("people_supported", default=0),
    "people_participating": Sum("people_supported", filter=Q(participates=True), default=0),
}


def participation(network: Network) -> ParticipationSummary:
    frame = Establishment.objects.filter(network=network)
    total = frame.aggregate(**_AGGREGATES)
    summary = ParticipationSummary(total=ParticipationRow("all", "", **total))
    for row in (
        frame.values("type__code", "type__name_fr", "type__name_en")
        .annotate(**_AGGREGATES)
        .order_by("type__field__position", "type__position")
    ):
        label = row.pop("type__name_fr")
        label_en = row.pop("type__name_en")
        if (get_language() or "fr").startswith("en") and label_en:
            label = label_en
        summary.by_type.append(ParticipationRow(row.pop("type__code"), label, **row))
    for row in frame.values("region").annotate(**_AGGREGATES).order_by("region"):
        code = row.pop("region")
        summary.by_region.append(ParticipationRow(code, geo.REGIONS.get(code, code), **row))
    counts = Organisation.objects.filter(network=network).aggregate(
        organisations=Count("id"), members=Count("id", filter=Q(is_member=True))
    )
    summary.members = counts["members"]
    summary.organisations = counts["organisations"]
    return summary


def frame_establishments(network: Network, *, q: str = "", participates: str = "") -> QuerySet[Establishment]:
    qs = Establishment.objects.filter(network=network).select_related("type", "organisation")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(finess__icontains=q.replace(" ", "").upper()))
    if participates == "yes":
        qs = qs.filter(participates=True)
    elif participates == "no":
        qs = qs.filter(participates=False)
    return qs.order_by("name")


def member_organisations(network: Network) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(network=network)
        .annotate(
            establishment_count=Count("establishments", distinct=True),
            participating_count=Count("establishments", filter=Q(establishments__participates=True), distinct=True),
            account_count=Count("memberships", distinct=True),
        )
        .order_by("-is_member", "name")
    )


def invitable_organisations(network: Network) -> QuerySet[Organisation]:
    """Organisations of the frame with a contact e-mail and nobody signed up yet."""
    return Organisation.objects.filter(network=network, memberships__isnull=True).exclude(contact_email="")


def network_facilitators(network: Network) -> QuerySet[User]:
    """The people with the facilitator role in the network, whom its organisations may consent to."""
    return User.objects.filter(
        memberships__network=network,
        memberships__organisation__isnull=True,
        memberships__role=Role.FACILITATOR,
    ).order_by("email")
