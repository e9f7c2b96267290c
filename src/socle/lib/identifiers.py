"""French public identifiers: SIREN and SIRET (organisations), FINESS (establishments).

All three end with a Luhn check digit. FINESS numbers of Corsica start with 2A or 2B, which count as 21 and 22
for the check digit.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s.\-]")
_FINESS_SHAPE = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")


class IdentifierError(ValueError):
    """The identifier is malformed; the message says how."""


def normalise(value: str) -> str:
    """Drops the spaces, dots and dashes people type inside identifiers, and upper-cases."""
    return _SPACES.sub("", value).upper()


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The digit that, appended to ``digits``, makes a valid Luhn number."""
    for candidate in "0123456789":
        if luhn_is_valid(digits + candidate):
            return candidate
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def validate_siren(value: str) -> str:
    siren = normalise(value)
    if not re.fullmatch(r"\d{9}", siren):
        raise IdentifierError("a SIREN number has exactly 9 digits")
    if not luhn_is_valid(siren):
        raise IdentifierError("the check digit of this SIREN number is wrong")
    return siren


def validate_siret(value: str) -> str:
    siret = normalise(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise IdentifierError("a SIRET number has exactly 14 digits")
    # La Poste's establishments share one SIREN and use a digit sum divisible by 5 instead of Luhn.
    if siret.startswith("356000000"):
        if sum(int(c) for c in siret) % 5 != 0:
            raise IdentifierError("the check digit of this SIRET number is wrong")
    elif not luhn_is_valid(siret):
        raise IdentifierError("the check digit of this SIRET number is wrong")
    return siret


def _finess_digits(finess: str) -> str:
    return finess.replace("2A", "21", 1).replace("2B", "22", 1) if finess[:2] in ("2A", "2B") else finess


def validate_finess(value: str) -> str:
    finess = normalise(value)
    if not _FINESS_SHAPE.fullmatch(finess):
        raise IdentifierError("a FINESS number has 9 characters: 9 digits, or 2A/2B followed by 7 digits")
    if not luhn_is_valid(_finess_digits(finess)):
        raise IdentifierError("the check digit of this FINESS number is wrong")
    return finess


def finess_with_check_digit(first_eight: str) -> str:
    """Completes an 8-character FINESS prefix with its check digit (used by demo and synthetic data)."""
    return first_eight + luhn_check_digit(_finess_digits(first_eight))


def siren_with_check_digit(first_eight: str) -> str:
    return first_eight + luhn_check_digit(first_eight)
