"""What changed between two framework versions, element by element.

Elements are matched by their code (a question by questionnaire and name, a link by its two ends), so a change
of wording shows as "changed: label", a new indicator as "added", and a question that moved to another section as
"changed: section".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

DOCUMENT_KEYS = ("title", "description", "notice", "languages", "breakdowns", "base")
SIMPLE_COLLECTIONS = (
    ("stakeholders", "code"),
    ("nodes", "code"),
    ("indicators", "code"),
    ("choice_lists", "name"),
    ("activity_items", "code"),
    ("activity_checks", "code"),
)
# Order in which a page lists the kinds of element.
ORDER = (
    "document",
    "stakeholders",
    "nodes",
    "links",
    "indicators",
    "questionnaires",
    "sections",
    "questions",
    "scores",
    "choice_lists",
    "activity_items",
    "activity_checks",
)


@dataclass(frozen=True)
class Change:
    action: str  # "added", "removed" or "changed"
    collection: str  # one of ORDER
    key: str  # the element's code; "questionnaire/name" for questions, sections and scores; "a → b" for links
    label: Mapping[str, str] | None  # the element's label (the new one, or the old one if removed)
    fields: tuple[str, ...] = ()  # for "changed": the keys whose value changed


Element = Mapping[str, Any]


def _elements(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, Element]]:
    for collection, key in SIMPLE_COLLECTIONS:
        for item in doc.get(collection, []):
            yield collection, str(item[key]), item
    for link in doc.get("links", []):
        yield "links", f"{link['from']} → {link['to']}", link
    questionnaires = list(doc.get("questionnaires", []))
    for extension in doc.get("questionnaire_extensions", []):
        questionnaires.append(
            {"code": extension["questionnaire"], "sections": extension["sections"], "_extension": True}
        )
    for questionnaire in questionnaires:
        code = questionnaire["code"]
        if not questionnaire.get("_extension"):
            yield "questionnaires", code, {k: v for k, v in questionnaire.items() if k not in ("sections", "scores")}
        for section in questionnaire["sections"]:
            yield "sections", f"{code}/{section['code']}", {k: v for k, v in section.items() if k != "questions"}
            for question in section["questions"]:
                yield "questions", f"{code}/{question['name']}", {**question, "section": section["code"]}
        for score in questionnaire.get("scores", []):
            yield "scores", f"{code}/{score['name']}", score


def _label(element: Element) -> Mapping[str, str] | None:
    for key in ("label", "title", "message"):
        value = element.get(key)
        if isinstance(value, Mapping):
            return value
    return None


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Changes from `old` to `new`, in the order of `ORDER`, then in the order of the new document."""
    changes: list[Change] = []
    changed_keys = tuple(k for k in DOCUMENT_KEYS if old.get(k) != new.get(k))
    if changed_keys:
        changes.append(Change("changed", "document", str(new.get("code", "")), new.get("title"), changed_keys))
    before = {(c, k): e for c, k, e in _elements(old)}
    after = {(c, k): e for c, k, e in _elements(new)}
    for (collection, key), element in after.items():
        previous = before.get((collection, key))
        if previous is None:
            changes.append(Change("added", collection, key, _label(element)))
        elif previous != element:
            fields = tuple(sorted(f for f in set(previous) | set(element) if previous.get(f) != element.get(f)))
            changes.append(Change("changed", collection, key, _label(element), fields))
    for (collection, key), element in before.items():
        if (collection, key) not in after:
            changes.append(Change("removed", collection, key, _label(element)))
    rank = {name: index for index, name in enumerate(ORDER)}
    return sorted(changes, key=lambda change: rank[change.collection])
