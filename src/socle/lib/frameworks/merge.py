"""An organisation's effective framework: the sector version it adopted, plus its own additions.

The organisation document holds only its additions; the sector core is copied, never changed. Each list of the
base (stakeholders, nodes, links, indicators, choice lists, questionnaires, activity items and checks) is followed
by the organisation's own items; `questionnaire_extensions` append own sections to a sector questionnaire.
`merge_with_origins` also says, for each own element, where it sits in the merged document, so that a problem
found in the merged document is reported where the organisation wrote it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .problems import Path

COLLECTIONS = (
    "stakeholders",
    "nodes",
    "links",
    "indicators",
    "choice_lists",
    "questionnaires",
    "activity_items",
    "activity_checks",
)
IDENTITY_KEYS = (
    "socle_framework",
    "code",
    "kind",
    "organisation",
    "base",
    "version",
    "title",
    "description",
    "notice",
    "change_notes",
)


@dataclass
class Origins:
    """Prefix map from paths in the merged document to paths in the organisation document."""

    prefixes: list[tuple[Path, Path]] = field(default_factory=list)

    def own_path(self, merged_path: Path) -> Path | None:
        for merged_prefix, own_prefix in self.prefixes:
            if merged_path[: len(merged_prefix)] == merged_prefix:
                return own_prefix + merged_path[len(merged_prefix) :]
        return None


def merge_with_origins(base: Mapping[str, Any], own: Mapping[str, Any]) -> tuple[dict[str, Any], Origins]:
    origins = Origins()
    merged: dict[str, Any] = {key: copy.deepcopy(own[key]) for key in IDENTITY_KEYS if key in own}
    if "notice" not in merged and "notice" in base:
        merged["notice"] = copy.deepcopy(base["notice"])
    languages = list(base.get("languages", ["fr"]))
    languages += [lang for lang in own.get("languages", []) if lang not in languages]
    merged["languages"] = languages
    if "field" in base:
        merged["field"] = base["field"]
    for collection in COLLECTIONS:
        items = copy.deepcopy(list(base.get(collection, [])))
        for index, item in enumerate(own.get(collection, [])):
            origins.prefixes.append(((collection, len(items)), (collection, index)))
            items.append(copy.deepcopy(item))
        if items:
            merged[collection] = items
    questionnaires = {q["code"]: (qi, q) for qi, q in enumerate(merged.get("questionnaires", []))}
    for ei, extension in enumerate(own.get("questionnaire_extensions", [])):
        found = questionnaires.get(extension["questionnaire"])
        if found is None:
            continue
        qi, questionnaire = found
        for si, section in enumerate(extension["sections"]):
            origins.prefixes.append(
                (
                    ("questionnaires", qi, "sections", len(questionnaire["sections"])),
                    ("questionnaire_extensions", ei, "sections", si),
                )
            )
            questionnaire["sections"].append(copy.deepcopy(section))
    if "breakdowns" in base:
        merged["breakdowns"] = copy.deepcopy(base["breakdowns"])
    return merged, origins


def effective(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """The framework an organisation collects and measures with."""
    return merge_with_origins(base, own)[0]


def own_codes(own: Mapping[str, Any]) -> dict[str, set[str]]:
    """The codes an organisation added, per collection (questions under 'questions'), to mark them on pages."""
    codes: dict[str, set[str]] = {}
    for collection in COLLECTIONS:
        key = "name" if collection == "choice_lists" else "code"
        if collection == "links":
            continue
        codes[collection] = {str(item[key]) for item in own.get(collection, [])}
    questions: set[str] = set()
    for questionnaire in own.get("questionnaires", []):
        for section in questionnaire["sections"]:
            questions.update(q["name"] for q in section["questions"])
    sections: set[str] = set()
    for extension in own.get("questionnaire_extensions", []):
        for section in extension["sections"]:
            sections.add(section["code"])
            questions.update(q["name"] for q in section["questions"])
    codes["questions"] = questions
    codes["sections"] = sections
    return codes
