"""What changed between two versions of a learning path document: the path's own fields, and its modules, lessons,
quiz questions and exercises matched by code (``m1``, ``m1/l1``), each added, removed or changed with the fields
that changed. Works on documents as stored (mappings), checked or not, so that a draft can be compared before it is
published."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .document import raw_modules

__all__ = ["KINDS", "Change", "diff"]

# The kinds of element, in the order the changes are listed.
KINDS: Final = ("path", "module", "lesson", "question", "exercise")
_PATH_FIELDS: Final = ("title", "summary", "duration_minutes")
_PARTS: Final = (("lessons", "lesson"), ("quiz", "question"), ("exercises", "exercise"))
_PART_NAMES: Final = frozenset(part for part, _kind in _PARTS)


@dataclass(frozen=True)
class Change:
    action: str  # "added", "removed" or "changed"
    kind: str  # one of KINDS
    key: str  # "" for the path, the module's code, or "module/code" for a lesson, a question or an exercise
    label: Mapping[str, str] | None  # the element's title or question (the new one, or the old one if removed)
    fields: tuple[str, ...] = ()  # for "changed": the fields whose value changed, in the document's order


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _elements(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(kind, key, element) of every module and of every lesson, question and exercise in it; a module's own
    element leaves its parts out, so that a change in a lesson is not also a change of its module."""
    for module in raw_modules(document):
        code = str(module.get("code", ""))
        own = {k: v for k, v in module.items() if k not in _PART_NAMES}
        for part, _kind in _PARTS:  # the order of its parts is the module's own (their content is theirs)
            own[part] = [str(element.get("code", "")) for element in _items(module.get(part))]
        yield "module", code, own
        for part, kind in _PARTS:
            for element in _items(module.get(part)):
                yield kind, f"{code}/{element.get('code', '')}", element


def _label(element: Mapping[str, Any]) -> Mapping[str, str] | None:
    for key in ("title", "question"):
        value = element.get(key)
        if isinstance(value, Mapping):
            return {str(k): str(v) for k, v in value.items()}
    return None


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(key for key in keys if old.get(key) != new.get(key))


def _module_codes(document: Mapping[str, Any]) -> list[str]:
    return [str(module.get("code", "")) for module in raw_modules(document)]


def _reordered(old: list[str], new: list[str]) -> bool:
    """Whether the codes in both lists come in another order (codes added or removed are changes of their own)."""
    kept = set(old) & set(new)
    return [c for c in old if c in kept] != [c for c in new if c in kept]


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """The changes from ``old`` to ``new``: the path's fields, then modules, lessons, questions and exercises (each
    kind in the new document's order, removed ones after in the old one's). An element whose code moved from one
    module to another is removed from the first and added to the second. Modules in a new order are a change of the
    path's field ``modules``; a new order of lessons, questions or exercises is a change of their module's field."""
    changes: list[Change] = []
    fields = _changed_fields(old, new, _PATH_FIELDS)
    if _reordered(_module_codes(old), _module_codes(new)):
        fields = (*fields, "modules")
    if fields:
        changes.append(Change("changed", "path", "", _label(new), fields))
    before = {(kind, key): element for kind, key, element in _elements(old)}
    after = {(kind, key): element for kind, key, element in _elements(new)}
    for kind in KINDS[1:]:
        for (element_kind, key), element in after.items():
            if element_kind != kind:
                continue
            previous = before.get((kind, key))
            if previous is None:
                changes.append(Change("added", kind, key, _label(element)))
                continue
            order = tuple(dict.fromkeys([*previous, *element]))
            fields = tuple(
                field
                for field in order
                if (
                    _reordered(previous[field], element[field])
                    if kind == "module" and field in _PART_NAMES
                    else previous.get(field) != element.get(field)
                )
            )
            if fields:
                changes.append(Change("changed", kind, key, _label(element), fields))
        changes.extend(
            Change("removed", kind, key, _label(element))
            for (element_kind, key), element in before.items()
            if element_kind == kind and (kind, key) not in after
        )
    return changes
