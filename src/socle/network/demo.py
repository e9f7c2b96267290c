"""The fictional demo network loaded by ``socle demo``. Every name here is invented.

Idempotent: running it again updates the same rows. Later subsystems add their demo content from here.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from socle.accounts.models import User
from socle.lib import geo
from socle.lib.identifiers import finess_with_check_digit, siren_with_check_digit
from socle.network.models import (
    Establishment,
    EstablishmentType,
    FacilitatorConsent,
    Field,
    Membership,
    Network,
    Organisation,
    Role,
)

DEMO_SLUG = "demo"
DEMO_NAME = "Réseau Solidarités (démo)"

# slug, name, SIREN prefix, member, [(name, type, département, places, people a year, employees, participates)]
ORGANISATIONS: list[tuple[str, str, str, bool, list[tuple[str, str, str, int, int, int, bool]]]] = [
    (
        "horizon-solidaire",
        "Association Horizon Solidaire",
        "81234567",
        True,
        [
            ("CHRS Les Tilleuls", "chrs", "69", 60, 180, 22, True),
            ("Accueil de jour La Halte", "accueil-de-jour", "69", 0, 950, 8, True),
            ("Pension de famille Le Phare", "pension-de-famille", "42", 25, 32, 4, True),
            ("Maraude Horizon", "maraude", "69", 0, 620, 6, True),
        ],
    ),
    (
        "toits-partages",
        "Les Toits Partagés",
        "82345678",
        True,
        [
            ("CHRS Rive Gauche", "chrs", "33", 80, 240, 30, True),
            ("Résidence sociale Les Chais", "residence-sociale", "33", 70, 110, 5, True),
            ("ACI Jardins du Médoc", "aci", "33", 30, 45, 9, True),
        ],
    ),
    (
        "passerelle-insertion",
        "Fondation Passerelle Insertion",
        "83456789",
        True,
        [
            ("CADA Les Hirondelles", "cada", "59", 120, 190, 18, True),
            ("Centre d'hébergement d'urgence Escale", "chu", "59", 90, 700, 25, True),
            ("ACI Recyclerie du Nord", "aci", "62", 24, 40, 7, False),
        ],
    ),
]

NON_MEMBER_TYPES = [
    "chrs",
    "accueil-de-jour",
    "pension-de-famille",
    "aci",
    "cada",
    "chu",
    "maraude",
    "residence-sociale",
]
NON_MEMBER_DEPARTEMENTS = [
    "75",
    "93",
    "13",
    "31",
    "44",
    "67",
    "35",
    "34",
    "06",
    "38",
    "76",
    "21",
    "63",
    "29",
    "57",
]
NON_MEMBER_WORDS = [
    "Le Relais",
    "L'Escale",
    "La Boussole",
    "Le Pont",
    "L'Étape",
    "La Clairière",
    "Les Glycines",
    "Le Cap",
]


@dataclass
class DemoAccount:
    role: str
    email: str
    where: str
    totp_key: str = ""


@dataclass
class DemoResult:
    network: Network
    password: str
    accounts: list[DemoAccount] = field(default_factory=list)


def demo_password(explicit: str | None) -> str:
    """The given password, or one generated once and kept in the data folder (never written in the code)."""
    path = Path(settings.DATA_DIR) / "demo_password"
    if explicit:
        path.write_text(explicit)
        path.chmod(0o600)
        return explicit
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(9))
    return path.read_text().strip()


def _user(email: str, full_name: str, password: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email)
    user.full_name = full_name
    user.is_staff = user.is_superuser = superuser
    user.set_password(password)
    user.save()
    return user


def _totp(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


def current_code(key_base32: str) -> str:
    """The TOTP code an authenticator app shows now for this key (for the demo's printed instructions)."""
    totp = TOTP(base64.b32decode(key_base32), step=30, digits=6)
    return f"{totp.token():06d}"


def _frame(network: Network, lcep: Field) -> None:
    types = {t.code: t for t in EstablishmentType.objects.filter(field=lcep)}
    counter = 0
    for slug, name, siren_prefix, member, establishments in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            network=network,
            siren=siren_with_check_digit(siren_prefix),
            defaults={"slug": slug, "name": name, "is_member": member},
        )
        for est_name, type_code, departement, places, people, employees, participates in establishments:
            counter += 1
            demo_establishment(
                network,
                lcep,
                types[type_code],
                organisation,
                counter,
                est_name,
                departement,
                places,
                people,
                employees,
                participates,
            )
    # The rest of the frame: establishments of the field that do not take part (yet).
    for index in range(36):
        counter += 1
        word = NON_MEMBER_WORDS[index % len(NON_MEMBER_WORDS)]
        departement = NON_MEMBER_DEPARTEMENTS[index % len(NON_MEMBER_DEPARTEMENTS)]
        type_code = NON_MEMBER_TYPES[index % len(NON_MEMBER_TYPES)]
        organisation, _ = Organisation.objects.update_or_create(
            network=network,
            siren=siren_with_check_digit(f"{84000000 + index // 3:08d}"),
            defaults={
                "slug": f"demo-gestionnaire-{index // 3 + 1}",
                "name": f"Association {word} {index // 3 + 1} (démo)",
                "contact_email": f"direction{index // 3 + 1}@gestionnaire.socle.example",
            },
        )
        demo_establishment(
            network,
            lcep,
            types[type_code],
            organisation,
            counter,
            f"{types[type_code].name_fr.split(' (')[0]} {word} {index + 1}",
            departement,
            20 + (index * 7) % 80,
            40 + (index * 37) % 400,
            3 + index % 20,
            False,
        )


def demo_establishment(  # also used by socle.sector.demo
    network: Network,
    lcep: Field,
    type_: EstablishmentType,
    organisation: Organisation,
    counter: int,
    name: str,
    departement: str,
    places: int,
    people: int,
    employees: int,
    participates: bool,
) -> None:
    Establishment.objects.update_or_create(
        network=network,
        finess=finess_with_check_digit(f"{departement}{counter:06d}"),
        defaults={
            "organisation": organisation,
            "field": lcep,
            "type": type_,
            "name": name,
            "departement": departement,
            "region": geo.region_of(departement),
            "places": places or None,
            "people_supported": people,
            "employees": employees,
            "participates": participates,
        },
    )


def _role(user: User, network: Network, role: str, organisation: Organisation | None = None) -> None:
    Membership.objects.update_or_create(user=user, network=network, organisation=organisation, defaults={"role": role})


@transaction.atomic
def load_demo(password: str) -> DemoResult:
    lcep = Field.objects.get(code="lcep")
    network, _ = Network.objects.update_or_create(slug=DEMO_SLUG, defaults={"name": DEMO_NAME})
    network.fields.add(lcep)
    _frame(network, lcep)
    result = DemoResult(network, password)
    horizon = Organisation.objects.get(network=network, slug="horizon-solidaire")

    admin = _user("admin.reseau@socle.example", "Camille Réseau", password)
    _role(admin, network, Role.NETWORK_ADMIN)
    result.accounts.append(DemoAccount(str(Role.NETWORK_ADMIN.label), admin.email, network.name, _totp(admin)))

    analyst = _user("analyste@socle.example", "Sami Analyste", password)
    _role(analyst, network, Role.NETWORK_ANALYST)
    result.accounts.append(DemoAccount(str(Role.NETWORK_ANALYST.label), analyst.email, network.name))

    facilitator = _user("accompagnateur@socle.example", "Dominique Accompagnement", password)
    _role(facilitator, network, Role.FACILITATOR)
    if not FacilitatorConsent.objects.filter(
        organisation=horizon, facilitator=facilitator, revoked_at__isnull=True
    ).exists():
        FacilitatorConsent.objects.create(organisation=horizon, facilitator=facilitator, granted_by=None)
    result.accounts.append(DemoAccount(str(Role.FACILITATOR.label), facilitator.email, horizon.name))

    org_admin = _user("direction@horizon.socle.example", "Alex Direction", password)
    _role(org_admin, network, Role.ORG_ADMIN, horizon)
    result.accounts.append(DemoAccount(str(Role.ORG_ADMIN.label), org_admin.email, horizon.name))

    staff = _user("equipe@horizon.socle.example", "Jo Équipe", password)
    _role(staff, network, Role.ORG_STAFF, horizon)
    result.accounts.append(DemoAccount(str(Role.ORG_STAFF.label), staff.email, horizon.name))

    toits = Organisation.objects.get(network=network, slug="toits-partages")
    other = _user("direction@toits.socle.example", "Lou Toits", password)
    _role(other, network, Role.ORG_ADMIN, toits)
    result.accounts.append(DemoAccount(str(Role.ORG_ADMIN.label), other.email, toits.name))

    superuser = _user("superadmin@socle.example", "Super Admin", password, superuser=True)
    result.accounts.append(DemoAccount("superuser (/admin/)", superuser.email, "Django admin", _totp(superuser)))
    return result
