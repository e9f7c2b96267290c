"""Follow-up codes: how one person's entry and follow-up answers are paired without a name.

At entry Socle issues a short code, printed on a card for the person. At follow-up or exit the person (or a
staff member) types it again. The code:

- uses an alphabet without look-alikes: Crockford's base 32 (digits and capitals without I, L, O, U), read back
  leniently (lower case, O for 0, I or L for 1, spaces and hyphens ignored);
- ends with a check character computed by the Luhn mod N algorithm over that alphabet (N = 32). Every
  single-character substitution changes the checksum, so every one-character typing mistake is caught (a
  missing or extra character is caught by the length); most swaps of two neighbouring characters are caught
  too, all but one: Luhn mod N misses the swap of '0' and 'Z' (values 0 and N - 1);
- is never stored: the server keeps `keyed_hash(key, code)`, an HMAC-SHA-256 under a key of the organisation,
  so the same code in two organisations gives unrelated hashes and a stolen table cannot be reversed by trying
  every code without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)
VALUES = {symbol: index for index, symbol in enumerate(ALPHABET)}
LENIENT = {"O": "0", "I": "1", "L": "1"}
BODY_LENGTH = 8  # 40 random bits
GROUP = 3  # printed as XXX-XXX-XXX


class FollowUpCodeError(ValueError):
    """A code that cannot be right; the message says what to check."""


def _luhn_sum(values: list[int]) -> int:
    """Luhn mod N: from the right, every second value (starting with the one left of the check) is doubled."""
    total = 0
    factor = 2
    for value in reversed(values):
        addend = factor * value
        total += addend // N + addend % N
        factor = 1 if factor == 2 else 2
    return total % N


def check_character(body: str) -> str:
    """The check character of a code body (already normalised)."""
    values = [VALUES[symbol] for symbol in body]
    return ALPHABET[(N - _luhn_sum(values)) % N]


def is_valid(code: str) -> bool:
    """Whether a normalised code (body + check) passes its check."""
    values = [VALUES[symbol] for symbol in code]
    total = 0
    factor = 1
    for value in reversed(values):
        addend = factor * value
        total += addend // N + addend % N
        factor = 1 if factor == 2 else 2
    return total % N == 0


def normalise(text: str) -> str:
    """Upper case, look-alikes mapped, separators dropped; raises for a character outside the alphabet."""
    out = []
    for position, char in enumerate(text.strip().upper(), start=1):
        if char in " -_.":
            continue
        char = LENIENT.get(char, char)
        if char not in VALUES:
            raise FollowUpCodeError(f"the character '{char}' at position {position} is not used in follow-up codes")
        out.append(char)
    return "".join(out)


def new_code() -> str:
    """A fresh code, normalised (body and check character)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def printable(code: str) -> str:
    """The code in groups for a card: `7K3-QM9-XWC`."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


@dataclass(frozen=True)
class ReadCode:
    code: str  # normalised

    def hashed(self, key: bytes) -> str:
        return keyed_hash(key, self.code)


def read(text: str) -> ReadCode:
    """A code typed by a person: normalised and checked, or `FollowUpCodeError` saying what to look at."""
    code = normalise(text)
    if len(code) != BODY_LENGTH + 1:
        raise FollowUpCodeError(f"a follow-up code has {BODY_LENGTH + 1} characters, this one has {len(code)}")
    if not is_valid(code):
        raise FollowUpCodeError("this code has a typing mistake: check each character against the card")
    return ReadCode(code)


def keyed_hash(key: bytes, code: str) -> str:
    """What the server keeps: HMAC-SHA-256 of the normalised code under the organisation's key."""
    if len(key) < 16:
        raise ValueError("a follow-up key has at least 16 bytes")
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()
