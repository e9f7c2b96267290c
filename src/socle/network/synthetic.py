"""A synthetic frame of the field "fight against exclusion and poverty" (LCEP), for demos, tests, benchmarks.

The rows look like a real frame file (the column names of ``socle.lib.frame``): valid FINESS numbers whose
first characters are the département, establishment types weighted as in the field, regions weighted by
population, plausible places and people supported per type, organisations managing one to eight
establishments each, with valid SIREN numbers. Every name is made up from invented words: no row names a real
association. The same seed always gives the same rows.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from socle.lib import geo
from socle.lib.identifiers import finess_with_check_digit, siren_with_check_digit

COLUMNS = (
    "finess",
    "nom",
    "champ",
    "type",
    "departement",
    "region",
    "places",
    "personnes_accompagnees",
    "salaries",
    "participe",
    "siren",
    "organisme",
    "email_contact",
)


@dataclass(frozen=True)
class _Kind:
    """A type of establishment: how often it occurs, what people call it, and the size of its services."""

    code: str
    label: str
    weight: float
    places: tuple[int, int] | None  # None: the service counts no places (day centre, outreach…)
    people_per_place: tuple[float, float]  # people supported in a year per place (or in total when no places)
    staff_per_place: float  # employees per place, or per hundred people supported when no places


# Shares close to those of the LCEP field in France; labels as people write them in their own files.
KINDS: tuple[_Kind, ...] = (
    _Kind("chrs", "CHRS", 26, (20, 120), (1.5, 3.0), 0.3),
    _Kind("chu", "Centre d'hébergement d'urgence", 11, (15, 150), (3.0, 8.0), 0.15),
    _Kind("accueil-de-jour", "Accueil de jour", 12, None, (150, 2000), 0.6),
    _Kind("pension-de-famille", "Pension de famille", 14, (12, 30), (1.1, 1.4), 0.1),
    _Kind("residence-sociale", "Résidence sociale", 6, (30, 200), (1.2, 1.8), 0.03),
    _Kind("aci", "ACI", 12, (10, 60), (1.5, 2.5), 0.15),
    _Kind("cada", "CADA", 8, (40, 300), (1.3, 2.0), 0.06),
    _Kind("huda", "HUDA", 4, (30, 200), (1.5, 2.5), 0.05),
    _Kind("maraude", "Maraude", 4, None, (200, 3000), 0.4),
    _Kind("siao", "SIAO", 1.5, None, (1000, 20000), 0.1),
    _Kind("lhss", "LHSS", 1.5, (5, 30), (3.0, 6.0), 0.7),
)

# Population in millions (INSEE, rounded): the frame is denser where more people live.
REGION_POPULATION: dict[str, float] = {
    "11": 12.3,
    "84": 8.1,
    "75": 6.1,
    "76": 6.0,
    "32": 6.0,
    "44": 5.6,
    "93": 5.1,
    "52": 3.9,
    "53": 3.4,
    "28": 3.3,
    "27": 2.8,
    "24": 2.6,
    "04": 0.87,
    "01": 0.38,
    "02": 0.35,
    "94": 0.35,
    "06": 0.31,
    "03": 0.29,
}

_DEPARTEMENTS_BY_REGION: dict[str, list[str]] = {}
for _code, (_name, _region) in geo.DEPARTEMENTS.items():
    _DEPARTEMENTS_BY_REGION.setdefault(_region, []).append(_code)

# Invented words: combinations of these syllables are not names of real associations or places.
_SYLLABLES = (
    "bra", "cor", "dal", "fen", "gar", "lor", "mar", "nel", "pra", "quil", "ros", "sal", "tav", "vel", "zor",
    "bel", "cal", "dor", "fal", "lin", "mon", "nor", "rin", "sor", "tel", "val", "ver", "vil", "lan", "ber",
)  # fmt: skip
_ENDINGS = ("ane", "elle", "ine", "ac", "ou", "ay", "ieu", "ois", "erre", "ande", "y", "et")
_ORGANISATION_KINDS = ("Association", "Association", "Association", "Fondation", "Œuvre", "Union")
_ORGANISATION_THEMES = (
    "Solidarité",
    "Entraide",
    "Accueil",
    "Insertion",
    "Hébergement",
    "Fraternité",
    "Logement et Insertion",
    "Aide et Accueil",
)
_SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
_SIZE_WEIGHTS = (30, 20, 15, 11, 9, 7, 5, 3)


def _made_up_word(rng: random.Random) -> str:
    syllables = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2))))
    return (syllables + rng.choice(_ENDINGS)).capitalize()


def _unique(used: set[str], make: Callable[[], str]) -> str:
    for _attempt in range(50):
        candidate = make()
        if candidate not in used:
            used.add(candidate)
            return candidate
    # After 50 clashes, a number makes it unique (only happens with very large frames).
    candidate = f"{make()} {len(used) + 1}"
    used.add(candidate)
    return candidate


@dataclass
class _Organisation:
    siren: str
    name: str
    email: str
    departement: str
    member: bool
    known: bool  # whether the frame names the organisation managing a non-participating establishment


def frame_rows(n: int, *, seed: int = 0, participating_share: float = 0.35) -> list[dict[str, str]]:
    """``n`` rows of a synthetic LCEP frame, as the cells of a frame file (French column names)."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    if not 0 <= participating_share <= 1:
        raise ValueError("participating_share is a share between 0 and 1")
    rng = random.Random(seed)
    regions = list(REGION_POPULATION)
    region_weights = list(REGION_POPULATION.values())
    kind_weights = [kind.weight for kind in KINDS]
    # Member organisations put most, not all, of their establishments in the measurement.
    share_in_member = 0.9
    member_probability = min(1.0, participating_share / share_in_member)

    used_finess: set[str] = set()
    used_siren: set[str] = set()
    used_names: set[str] = set()
    rows: list[dict[str, str]] = []
    while len(rows) < n:
        region = rng.choices(regions, region_weights)[0]
        organisation = _Organisation(
            siren=_unique(used_siren, lambda: siren_with_check_digit(f"{rng.randrange(10**7, 10**8):08d}")),
            name=_unique(
                used_names,
                lambda: " ".join(
                    (rng.choice(_ORGANISATION_KINDS), rng.choice(_ORGANISATION_THEMES), _made_up_word(rng))
                ),
            ),
            email="",
            departement=rng.choice(_DEPARTEMENTS_BY_REGION[region]),
            member=rng.random() < member_probability,
            known=rng.random() < 0.7,
        )
        if rng.random() < 0.6:
            organisation.email = f"contact@{organisation.name.split()[-1].lower()}-{organisation.siren[:4]}.example.org"
        size = rng.choices(_SIZES, _SIZE_WEIGHTS)[0]
        for _ in range(min(size, n - len(rows))):
            rows.append(_establishment(rng, organisation, region, kind_weights, used_finess, share_in_member))
    return rows


def _establishment(
    rng: random.Random,
    organisation: _Organisation,
    region: str,
    kind_weights: Sequence[float],
    used_finess: set[str],
    share_in_member: float,
) -> dict[str, str]:
    kind = rng.choices(KINDS, kind_weights)[0]
    # Most establishments are in the organisation's département, some elsewhere in its region.
    departement = organisation.departement if rng.random() < 0.75 else rng.choice(_DEPARTEMENTS_BY_REGION[region])
    finess = _unique(
        used_finess,
        lambda: finess_with_check_digit(
            departement + f"{rng.randrange(10**6):06d}"
            if len(departement) == 2
            else departement + f"{rng.randrange(10**5):05d}"
        ),
    )
    if kind.places is None:
        places = None
        people = round(rng.uniform(*kind.people_per_place))
        employees = max(1, round(people / 100 * kind.staff_per_place))
    else:
        places = rng.randint(*kind.places)
        people = round(places * rng.uniform(*kind.people_per_place))
        employees = max(1, round(places * kind.staff_per_place * rng.uniform(0.7, 1.3)))
    participates = organisation.member and rng.random() < share_in_member
    named = participates or organisation.member or organisation.known
    return {
        "finess": finess,
        "nom": f"{kind.label} {_made_up_word(rng)}",
        "champ": "lcep",
        "type": kind.label,
        "departement": departement,
        # A tenth of the rows leave the region out: it is derived from the département.
        "region": "" if rng.random() < 0.1 else region,
        "places": "" if places is None else str(places),
        "personnes_accompagnees": str(people),
        "salaries": str(employees),
        "participe": "oui" if participates else "non",
        "siren": organisation.siren if named else "",
        "organisme": organisation.name if named else "",
        "email_contact": organisation.email if named else "",
    }


def write_frame_csv(rows: Sequence[dict[str, str]], path: str | Path) -> Path:
    """Writes the rows as a French-style CSV file (``;``, UTF-8 with BOM, as spreadsheets save it)."""
    target = Path(path)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return target


def write_frame_xlsx(rows: Sequence[dict[str, str]], path: str | Path) -> Path:
    """Writes the rows as an Excel workbook with one sheet; numbers are written as numbers."""
    target = Path(path)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Établissements")
    sheet.append(list(COLUMNS))
    numeric = {"places", "personnes_accompagnees", "salaries"}
    for row in rows:
        sheet.append([int(row[c]) if c in numeric and row[c] else row[c] for c in COLUMNS])
    workbook.save(target)
    return target
