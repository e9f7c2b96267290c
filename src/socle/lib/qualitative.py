"""Open-text answers without Django: folding text for a search that ignores case and accents, and the flag on
small counts.

The search is done in Python over the rows already read, the same on SQLite and PostgreSQL: SQLite's `LIKE` folds
only ASCII letters and neither database ignores accents without an extension (`unaccent`), so folding in one place
gives one behaviour everywhere.
"""

from __future__ import annotations

import unicodedata

SMALL_COUNT = 5  # a count under this is shown, but flagged as small (it says little on its own)


def fold(text: str) -> str:
    """Lower case without accents: "Été, ÉCOLE" → "ete, ecole"; "œ" → "oe"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def words_of(query: str) -> list[str]:
    """The folded words of a search, without repeats."""
    return list(dict.fromkeys(fold(query).split()))


def matches(text: str, words: list[str]) -> bool:
    """Whether every (folded) word of the search is found in the text, as a word or part of one."""
    folded = fold(text)
    return all(word in folded for word in words)


def is_small(count: int) -> bool:
    return 0 < count < SMALL_COUNT
