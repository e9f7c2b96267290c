"""Small edits of a framework document, for the builder pages and the XLSForm import.

Each function takes a document and returns a **new** one: the input is never changed. They do not check the
result; the caller runs `document.check_document` (through `socle.frameworks.actions.save_draft`), which names
every problem with its path, such as a code that is already used or a question that an indicator still needs.

Elements are addressed as in `diff.py`: a question by `"questionnaire/name"`, a section by
`"questionnaire/section"`, a link by `"from → to"`, everything else by its code (a choice list by its name).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Document = dict[str, Any]
Element = Mapping[str, Any]

# Collections whose elements are addressed by one code, and the key holding it.
CODE_KEYS = {
    "stakeholders": "code",
    "nodes": "code",
    "indicators": "code",
    "choice_lists": "name",
    "questionnaires": "code",
    "activity_items": "code",
    "activity_checks": "code",
}
REMOVABLE = (*CODE_KEYS, "links", "questions", "sections")
LINK_ARROW = "→"


class EditError(ValueError):
    """An edit that cannot be made (the element to remove is not in the document)."""


@dataclass(frozen=True)
class Removed:
    collection: str
    code: str


def link_key(link: Element) -> str:
    return f"{link['from']} {LINK_ARROW} {link['to']}"


def _copy(doc: Mapping[str, Any]) -> Document:
    return copy.deepcopy(dict(doc))


def _append(doc: Mapping[str, Any], collection: str, element: Element) -> Document:
    new = _copy(doc)
    new.setdefault(collection, []).append(copy.deepcopy(dict(element)))
    return new


def add_node(doc: Mapping[str, Any], node: Element) -> Document:
    """A node of the theory of change (an own outcome, say) added at the end of `nodes`."""
    return _append(doc, "nodes", node)


def add_link(doc: Mapping[str, Any], link: Element) -> Document:
    return _append(doc, "links", link)


def add_indicator(doc: Mapping[str, Any], indicator: Element) -> Document:
    return _append(doc, "indicators", indicator)


def add_choice_list(doc: Mapping[str, Any], choice_list: Element) -> Document:
    return _append(doc, "choice_lists", choice_list)


def add_extension_question(
    doc: Mapping[str, Any],
    questionnaire_code: str,
    section_code: str,
    section_label: Mapping[str, str],
    question: Element,
) -> Document:
    """An own question at the end of an own section appended to a sector questionnaire.

    The extension of that questionnaire and the section are created when absent (the section with
    `section_label`); an existing section keeps its label.
    """
    new = _copy(doc)
    extensions: list[dict[str, Any]] = new.setdefault("questionnaire_extensions", [])
    extension = next((e for e in extensions if e.get("questionnaire") == questionnaire_code), None)
    if extension is None:
        extension = {"questionnaire": questionnaire_code, "sections": []}
        extensions.append(extension)
    sections: list[dict[str, Any]] = extension.setdefault("sections", [])
    section = next((s for s in sections if s.get("code") == section_code), None)
    if section is None:
        section = {"code": section_code, "label": dict(section_label), "questions": []}
        sections.append(section)
    section.setdefault("questions", []).append(copy.deepcopy(dict(question)))
    return new


def _choices(choice_list: Element) -> Any:
    return choice_list.get("choices")


def _free_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"


def _known_lists(doc: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, Element]:
    known: dict[str, Element] = {}
    for source in (base or {}, doc):
        for choice_list in source.get("choice_lists", []):
            known.setdefault(str(choice_list["name"]), choice_list)
    return known


def choice_list_plan(
    doc: Mapping[str, Any], choice_lists: Iterable[Element], *, base: Mapping[str, Any] | None = None
) -> tuple[list[Document], dict[str, str]]:
    """Which of `choice_lists` to add to `doc`, and the new name of each one renamed.

    A list whose name is free is added as it is. A list whose name is taken (in `doc` or in its `base`) by a list
    with the same choices is not added: the existing one serves. A list whose name is taken by a list with other
    choices is added under a free name (`yes_no_2`), and the returned mapping says so (`{"yes_no": "yes_no_2"}`).
    """
    known = dict(_known_lists(doc, base))
    to_add: list[Document] = []
    renames: dict[str, str] = {}
    for choice_list in choice_lists:
        name = str(choice_list["name"])
        existing = known.get(name)
        if existing is not None and _choices(existing) == _choices(choice_list):
            continue
        new_name = _free_name(name, set(known))
        added = copy.deepcopy(dict(choice_list))
        added["name"] = new_name
        if new_name != name:
            renames[name] = new_name
        known[new_name] = added
        to_add.append(added)
    return to_add, renames


def ensure_choice_list(
    doc: Mapping[str, Any], choice_list: Element, *, base: Mapping[str, Any] | None = None
) -> tuple[Document, str]:
    """The document with `choice_list` available, and the name to use it by.

    An identical list already there (in `doc` or its `base`, under any name) is reused; otherwise the list is added,
    renamed if its name is taken.
    """
    for name, existing in _known_lists(doc, base).items():
        if _choices(existing) == _choices(choice_list):
            return _copy(doc), name
    to_add, renames = choice_list_plan(doc, [choice_list], base=base)
    new = _copy(doc)
    for added in to_add:
        new.setdefault("choice_lists", []).append(added)
    name = str(choice_list["name"])
    return new, renames.get(name, name)


def add_questionnaire(
    doc: Mapping[str, Any],
    questionnaire: Element,
    choice_lists: Sequence[Element],
    *,
    base: Mapping[str, Any] | None = None,
    languages: Sequence[str] = (),
) -> Document:
    """A whole questionnaire (from an XLSForm file, say) and the choice lists it uses.

    Choice lists are added as `choice_list_plan` says: one already there with the same choices is reused, one
    whose name is taken with other choices is renamed, and the questionnaire's questions follow the new name.
    `languages` the questionnaire is written in are added to the document's languages when missing.
    """
    to_add, renames = choice_list_plan(doc, choice_lists, base=base)
    new = _copy(doc)
    if to_add:
        new.setdefault("choice_lists", []).extend(to_add)
    added = copy.deepcopy(dict(questionnaire))
    for section in added.get("sections", []):
        for question in section.get("questions", []):
            if question.get("choices") in renames:
                question["choices"] = renames[question["choices"]]
    new.setdefault("questionnaires", []).append(added)
    present = list(new.get("languages", []))
    missing = [lang for lang in languages if lang not in present and lang not in (base or {}).get("languages", [])]
    if missing:
        new["languages"] = present + missing
    return new


def _drop_empty(doc: Document, collection: str) -> None:
    if collection in doc and not doc[collection]:
        del doc[collection]


def _remove_coded(doc: Document, collection: str, code: str) -> list[Removed]:
    key = CODE_KEYS[collection]
    items = doc.get(collection, [])
    kept = [item for item in items if item.get(key) != code]
    if len(kept) == len(items):
        return []
    doc[collection] = kept
    removed = [Removed(collection, code)]
    if collection == "nodes":
        links = doc.get("links", [])
        removed += [Removed("links", link_key(link)) for link in links if code in (link.get("from"), link.get("to"))]
        doc["links"] = [link for link in links if code not in (link.get("from"), link.get("to"))]
        _drop_empty(doc, "links")
    _drop_empty(doc, collection)
    return removed


def _remove_link(doc: Document, code: str) -> list[Removed]:
    start, arrow, end = code.partition(LINK_ARROW)
    if not arrow:
        return []
    ends = (start.strip(), end.strip())
    links = doc.get("links", [])
    kept = [link for link in links if (link.get("from"), link.get("to")) != ends]
    if len(kept) == len(links):
        return []
    doc["links"] = kept
    _drop_empty(doc, "links")
    return [Removed("links", f"{ends[0]} {LINK_ARROW} {ends[1]}")]


def _sections_of(doc: Document, questionnaire_code: str) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """(the list holding the sections, the container) for the own questionnaire or the extension of that code."""
    found = []
    for questionnaire in doc.get("questionnaires", []):
        if questionnaire.get("code") == questionnaire_code:
            found.append((questionnaire.setdefault("sections", []), questionnaire))
    for extension in doc.get("questionnaire_extensions", []):
        if extension.get("questionnaire") == questionnaire_code:
            found.append((extension.setdefault("sections", []), extension))
    return found


def _tidy_extensions(doc: Document) -> None:
    if "questionnaire_extensions" in doc:
        doc["questionnaire_extensions"] = [e for e in doc["questionnaire_extensions"] if e.get("sections")]
        _drop_empty(doc, "questionnaire_extensions")


def _remove_question(doc: Document, code: str) -> list[Removed]:
    questionnaire_code, slash, name = code.partition("/")
    if not slash:
        return []
    removed: list[Removed] = []
    for sections, _container in _sections_of(doc, questionnaire_code):
        for section in list(sections):
            questions = section.get("questions", [])
            kept = [q for q in questions if q.get("name") != name]
            if len(kept) == len(questions):
                continue
            section["questions"] = kept
            removed.append(Removed("questions", code))
            if not kept:
                sections.remove(section)
                removed.append(Removed("sections", f"{questionnaire_code}/{section.get('code')}"))
    _tidy_extensions(doc)
    return removed


def _remove_section(doc: Document, code: str) -> list[Removed]:
    questionnaire_code, slash, section_code = code.partition("/")
    if not slash:
        return []
    removed: list[Removed] = []
    for sections, _container in _sections_of(doc, questionnaire_code):
        for section in list(sections):
            if section.get("code") == section_code:
                sections.remove(section)
                removed.append(Removed("sections", code))
                removed += [
                    Removed("questions", f"{questionnaire_code}/{q.get('name')}") for q in section.get("questions", [])
                ]
    _tidy_extensions(doc)
    return removed


def remove_element(doc: Mapping[str, Any], collection: str, code: str) -> tuple[Document, list[Removed]]:
    """The document without one of its own elements, and every element removed with it.

    Removing a node removes its links; removing a question removes it from its section, and a section left
    empty goes too (with its extension, when that was its last section). Elements that still refer to what was
    removed (an indicator over a removed question) are left for the check to name. Raises `EditError` when the
    element is not in the document.
    """
    new = _copy(doc)
    if collection in CODE_KEYS:
        removed = _remove_coded(new, collection, code)
    elif collection == "links":
        removed = _remove_link(new, code)
    elif collection == "questions":
        removed = _remove_question(new, code)
    elif collection == "sections":
        removed = _remove_section(new, code)
    else:
        raise EditError(f"unknown kind of element '{collection}'")
    if not removed:
        raise EditError(f"'{code}' is not one of this document's own {collection}")
    return new, removed
