"""Follow-up codes: every single-character mistake is caught, the code is read leniently, and only a keyed hash
is kept."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socle.lib.collection import followup
from socle.lib.collection.followup import ALPHABET, BODY_LENGTH, FollowUpCodeError

KEY = b"k" * 32


def _codes(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        body = "".join(rng.choice(ALPHABET) for _ in range(BODY_LENGTH))
        out.append(body + followup.check_character(body))
    return out


def test_a_new_code_passes_its_own_check_and_prints_in_groups() -> None:
    code = followup.new_code()
    assert len(code) == BODY_LENGTH + 1 and followup.is_valid(code)
    assert followup.read(followup.printable(code)).code == code
    assert followup.printable("ABCDEFGHJ") == "ABC-DEF-GHJ"


def test_every_single_character_substitution_is_detected_in_every_position() -> None:
    """All 9 positions x 31 wrong symbols, on 300 codes: 83,700 mistaken codes, none accepted."""
    for code in _codes(300):
        for position, wrong in itertools.product(range(len(code)), ALPHABET):
            if wrong == code[position]:
                continue
            mistaken = code[:position] + wrong + code[position + 1 :]
            assert not followup.is_valid(mistaken), (code, mistaken)


def test_the_check_catches_substitutions_for_every_code_not_only_a_sample() -> None:
    """Why the sample above is enough: a substitution changes one position's contribution to the sum, and in
    both kinds of position (doubled or not) different symbols contribute different amounts mod N."""
    n = len(ALPHABET)
    single = [v % n for v in range(n)]
    doubled = [(2 * v) // n + (2 * v) % n for v in range(n)]
    assert len(set(single)) == n
    assert len(set(doubled)) == n


@given(st.text(alphabet=ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH), st.integers(0, BODY_LENGTH), st.data())
@settings(max_examples=300, deadline=None)
def test_any_code_with_one_wrong_character_is_refused_when_read(body: str, position: int, data: st.DataObject) -> None:
    code = body + followup.check_character(body)
    wrong = data.draw(st.sampled_from([s for s in ALPHABET if s != code[position]]))
    mistaken = code[:position] + wrong + code[position + 1 :]
    with pytest.raises(FollowUpCodeError, match="typing mistake"):
        followup.read(mistaken)


def test_every_swap_of_two_neighbours_is_caught_except_0_and_z() -> None:
    missed = set()
    for code in _codes(2000, seed=11):
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                if followup.is_valid(swapped):
                    missed.add(frozenset((code[i], code[i + 1])))
    assert missed <= {frozenset(("0", "Z"))}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("abc-def-ghj", "ABCDEFGHJ"), ("ABC DEF GHJ", "ABCDEFGHJ"), ("o1l", "011"), ("I0O", "100")],
)
def test_codes_are_read_leniently(typed: str, expected: str) -> None:
    assert followup.normalise(typed) == expected


def test_a_character_outside_the_alphabet_or_a_wrong_length_says_what_is_wrong() -> None:
    with pytest.raises(FollowUpCodeError, match="the character 'U' at position 2"):
        followup.read("AU")
    with pytest.raises(FollowUpCodeError, match="has 9 characters, this one has 4"):
        followup.read("ABCD")


def test_only_a_keyed_hash_is_kept_and_it_differs_between_organisations() -> None:
    code = followup.new_code()
    one, other = followup.keyed_hash(KEY, code), followup.keyed_hash(b"o" * 32, code)
    assert one != other and code not in one and len(one) == 64
    assert followup.read(code.lower()).hashed(KEY) == one
    with pytest.raises(ValueError, match="16 bytes"):
        followup.keyed_hash(b"short", code)
