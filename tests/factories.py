"""Test data built the way the product builds it. Frame rows are plain model rows; roles come from accepted
invitations (the real action), so tests exercise the same path as users."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from socle.accounts.models import User
from socle.lib.identifiers import finess_with_check_digit, siren_with_check_digit
from socle.network import actions
from socle.network.models import Establishment, EstablishmentType, Field, Network, Organisation, Role

_counter = itertools.count(1)


def make_network(slug: str = "net", name: str = "Réseau test") -> Network:
    network = Network.objects.create(slug=slug, name=name)
    network.fields.add(Field.objects.get(code="lcep"))
    return network


def make_organisation(
    network: Network, slug: str | None = None, *, member: bool = True, **extra: object
) -> Organisation:
    n = next(_counter)
    return Organisation.objects.create(
        network=network,
        slug=slug or f"org-{n}",
        name=extra.pop("name", f"Association {n}"),  # type: ignore[arg-type]
        siren=siren_with_check_digit(f"{80000000 + n:08d}"),
        is_member=member,
        **extra,  # type: ignore[arg-type]
    )


def make_establishment(
    network: Network,
    organisation: Organisation | None,
    *,
    type_code: str = "chrs",
    departement: str = "75",
    region: str = "11",
    participates: bool = True,
    people: int = 100,
    **extra: object,
) -> Establishment:
    n = next(_counter)
    return Establishment.objects.create(
        network=network,
        organisation=organisation,
        field=Field.objects.get(code="lcep"),
        type=EstablishmentType.objects.get(field__code="lcep", code=type_code),
        finess=finess_with_check_digit(f"{departement[:2]}{n:06d}"),
        name=extra.pop("name", f"Établissement {n}"),  # type: ignore[arg-type]
        departement=departement,
        region=region,
        people_supported=people,
        places=extra.pop("places", 40),  # type: ignore[arg-type]
        employees=extra.pop("employees", 12),  # type: ignore[arg-type]
        participates=participates,
    )


PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, *, totp: bool = False) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0].title())
    if totp:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def give_role(user: User, network: Network, role: str, organisation: Organisation | None = None) -> None:
    """Invites the user and accepts the invitation: the same path as in the product."""
    sent = actions.invite(network=network, organisation=organisation, email=user.email, role=role, acting_user=None)
    actions.accept_invitation(sent.invitation, user)


@dataclass
class World:
    """A network with two member organisations and one non-member, and one user per role."""

    network: Network
    other_network: Network
    org: Organisation
    other_org: Organisation
    non_member: Organisation
    establishment: Establishment
    other_establishment: Establishment
    users: dict[str, User | None]


ROLES = (
    "anonymous",
    "network_admin",
    "network_analyst",
    "facilitator",
    "facilitator_without_consent",
    "org_admin",
    "org_staff",
    "other_org_admin",
    "other_network_admin",
)


def make_world() -> World:
    network = make_network("demo-test", "Réseau de test")
    other_network = make_network("other-net", "Autre réseau")
    org = make_organisation(network, "asso-a", name="Association A")
    other_org = make_organisation(network, "asso-b", name="Association B")
    non_member = make_organisation(network, "asso-c", member=False, name="Association C", contact_email="c@example.org")
    establishment = make_establishment(network, org)
    other_establishment = make_establishment(network, other_org)
    make_establishment(network, non_member, participates=False)
    users: dict[str, User | None] = {"anonymous": None}
    users["network_admin"] = make_user("admin@net.test", totp=True)
    give_role(users["network_admin"], network, Role.NETWORK_ADMIN)
    users["network_analyst"] = make_user("analyst@net.test")
    give_role(users["network_analyst"], network, Role.NETWORK_ANALYST)
    users["facilitator"] = make_user("facilitator@net.test")
    give_role(users["facilitator"], network, Role.FACILITATOR)
    actions.grant_consent(organisation=org, facilitator=users["facilitator"], acting_user=None)
    users["facilitator_without_consent"] = make_user("facilitator2@net.test")
    give_role(users["facilitator_without_consent"], network, Role.FACILITATOR)
    users["org_admin"] = make_user("admin@asso-a.test")
    give_role(users["org_admin"], network, Role.ORG_ADMIN, org)
    users["org_staff"] = make_user("staff@asso-a.test")
    give_role(users["org_staff"], network, Role.ORG_STAFF, org)
    users["other_org_admin"] = make_user("admin@asso-b.test")
    give_role(users["other_org_admin"], network, Role.ORG_ADMIN, other_org)
    users["other_network_admin"] = make_user("admin@other.test", totp=True)
    give_role(users["other_network_admin"], other_network, Role.NETWORK_ADMIN)
    return World(network, other_network, org, other_org, non_member, establishment, other_establishment, users)
