"""Reading and writing framework documents (YAML or JSON), with the line of every value for error messages.

`parse_text` turns a file's text into a plain document (dicts, lists, strings, numbers) and a map from each
value's path to its line; `check_document` runs the JSON Schema and then the checks of meaning
(`validate.py`) and raises `FrameworkDocumentError` listing every problem with its file, line and path;
`dump_yaml` and `dump_json` write the canonical form, so that export → import → export gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast

import jsonschema
import yaml

from .problems import FrameworkDocumentError, Path, Problem

Document = dict[str, Any]

MAX_SCHEMA_PROBLEMS = 50


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of a framework version."""
    text = resources.files(__package__).joinpath("data/framework.schema.json").read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


@dataclass
class Parsed:
    document: Any
    filename: str | None = None
    lines: dict[Path, int] = field(default_factory=dict)

    def locate(self, problem: Problem) -> Problem:
        """The problem with this file's name and the line of the nearest located ancestor of its path."""
        path = problem.path
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return Problem(problem.path, problem.message, self.filename, line)
        return Problem(problem.path, problem.message, self.filename, None)


class _Duplicate(Exception):
    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], problems: list[Problem]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(
                    Problem((*path, key), f"the key '{key}' appears twice", None, key_node.start_mark.line + 1)
                )
            seen.add(key)
            _walk(value_node, (*path, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, problems)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key '{key}' appears twice")
        out[key] = value
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_text(text: str, *, filename: str | None = None, fmt: str | None = None) -> Parsed:
    """Parse YAML or JSON (by `fmt`, else by the file name, else YAML, which reads JSON too).

    Raises `FrameworkDocumentError` for text that is not well-formed, naming the line.
    """
    if fmt is None:
        fmt = "json" if filename and filename.lower().endswith(".json") else "yaml"
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:  # cannot be stored nor hashed as UTF-8 (a JSON "\ud800" escape is caught below)
        where = text.count("\n", 0, surrogate.start()) + 1
        raise FrameworkDocumentError(
            [Problem((), "the text holds an invalid character (a lone surrogate)", filename, where)]
        )
    problems: list[Problem] = []
    lines: dict[Path, int] = {}
    if fmt == "json":
        try:
            data = json.loads(text, object_pairs_hook=_json_pairs)
        except json.JSONDecodeError as error:
            raise FrameworkDocumentError(
                [Problem((), f"not valid JSON: {error.msg}", filename, error.lineno)]
            ) from None
        except ValueError as error:
            raise FrameworkDocumentError([Problem((), str(error), filename, None)]) from None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            node = None
        if node is not None:
            _walk(node, (), lines, [])
        _refuse_surrogates(data, (), filename, lines)
        return Parsed(data, filename, lines)
    try:
        # Aliases (`*name`) would let a small file expand into a huge document: refuse them before composing.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                problem = Problem((), "YAML aliases (*name) are not allowed: write each value out", filename, line)
                raise FrameworkDocumentError([problem])
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or error.context or "not valid YAML"
        raise FrameworkDocumentError([Problem((), f"not valid YAML: {reason}", filename, line)]) from None
    except yaml.YAMLError as error:
        raise FrameworkDocumentError([Problem((), f"not valid YAML: {error}", filename, None)]) from None
    if node is not None:
        _walk(node, (), lines, problems)
    if problems:
        raise FrameworkDocumentError([Problem(p.path, p.message, filename, p.line) for p in problems])
    _refuse_surrogates(data, (), filename, lines)
    return Parsed(data, filename, lines)


def _refuse_surrogates(value: Any, path: Path, filename: str | None, lines: Mapping[Path, int]) -> None:
    """An escape such as `"\\ud800"` decodes to a lone surrogate, which UTF-8 cannot hold: refuse it where it is."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            message = "the text holds an invalid character (a lone surrogate)"
            raise FrameworkDocumentError([Problem(path, message, filename, lines.get(path))])
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_surrogates(key, path, filename, lines)
            _refuse_surrogates(item, (*path, str(key)), filename, lines)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_surrogates(item, (*path, index), filename, lines)


def _coerce(document: Any) -> Any:
    """Forgive what YAML authors write naturally: a choice value written as a number (`value: 1`)."""
    if not isinstance(document, dict):
        return document
    for choice_list in document.get("choice_lists") or []:
        if not isinstance(choice_list, dict):
            continue
        for choice in choice_list.get("choices") or []:
            if isinstance(choice, dict) and type(choice.get("value")) is int:
                choice["value"] = str(choice["value"])
    return document


def schema_problems(document: Any) -> list[Problem]:
    """Problems of shape, by the JSON Schema, in document order."""
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    problems = []
    for error in errors[:MAX_SCHEMA_PROBLEMS]:
        problems.append(Problem(tuple(error.absolute_path), _schema_message(error)))
    return problems


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "pattern":
        expected = _PATTERN_WORDS.get(str(error.validator_value), "a code")
        return f"{error.instance!r} is not allowed here (expected {expected})"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema_part = error.schema if isinstance(error.schema, Mapping) else {}
        allowed = set((schema_part.get("properties") or {}).keys())
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            return f"unknown key {', '.join(repr(k) for k in extra)}"
    return str(error.message)


_PATTERN_WORDS = {
    "^[a-z][a-z0-9_]*$": "a code: a lowercase letter, then lowercase letters, digits or underscores",
    "^[a-z0-9][a-z0-9-]*$": "a slug: lowercase letters, digits and hyphens",
    "^[a-z]{2,3}$": "a language code such as 'fr' or 'en'",
    "^[A-Za-z0-9_.-]+$": "letters, digits, '_', '.' or '-'",
}


def check_document(parsed: Parsed, *, base: Mapping[str, Any] | None = None) -> Document:
    """The document, canonical, if it is valid; otherwise `FrameworkDocumentError` with every problem located.

    `base` is the sector version an organisation framework names (already valid); the caller fetches it.
    """
    from .validate import meaning_problems

    document = _coerce(parsed.document)
    if not isinstance(document, dict):
        raise FrameworkDocumentError([parsed.locate(Problem((), "a framework document must be a mapping of keys"))])
    problems = schema_problems(document)
    if not problems:
        problems = meaning_problems(document, base=base)
    if problems:
        raise FrameworkDocumentError([parsed.locate(p) for p in problems])
    return cast(Document, canonical(document))


def load(
    text: str, *, filename: str | None = None, fmt: str | None = None, base: Mapping[str, Any] | None = None
) -> Document:
    """Parse and check in one call."""
    return check_document(parse_text(text, filename=filename, fmt=fmt), base=base)


# --- canonical form ---------------------------------------------------------------------------------------------

KEY_ORDER = [
    "socle_framework",
    "code",
    "name",
    "value",
    "kind",
    "field",
    "organisation",
    "base",
    "framework",
    "version",
    "questionnaire",
    "from",
    "to",
    "term",
    "stakeholder",
    "type",
    "audience",
    "waves",
    "title",
    "easy_title",
    "label",
    "easy_label",
    "picture",
    "definition",
    "description",
    "hint",
    "easy_hint",
    "intro",
    "easy_intro",
    "notice",
    "change_notes",
    "languages",
    "dimensions",
    "what",
    "who",
    "how_much",
    "contribution",
    "risk",
    "outcomes",
    "source",
    "questionnaires",
    "numerator",
    "denominator",
    "condition",
    "from_wave",
    "to_wave",
    "improvement",
    "unit",
    "factor",
    "direction",
    "breakdowns",
    "sdg",
    "iris",
    "maps_to",
    "choices",
    "dont_know",
    "required",
    "relevance",
    "constraint",
    "constraint_message",
    "expression",
    "min",
    "max",
    "rule",
    "message",
    "sex",
    "age_band",
    "sections",
    "questions",
    "scores",
]
TOP_ORDER = [
    "socle_framework",
    "code",
    "kind",
    "field",
    "organisation",
    "base",
    "version",
    "title",
    "description",
    "notice",
    "change_notes",
    "languages",
    "stakeholders",
    "nodes",
    "links",
    "indicators",
    "choice_lists",
    "questionnaires",
    "questionnaire_extensions",
    "activity_items",
    "activity_checks",
    "breakdowns",
]
_TOP_RANK = {key: index for index, key in enumerate(TOP_ORDER)}
_RANK = {key: index for index, key in enumerate(KEY_ORDER)}
TEXT_KEYS = {
    "title",
    "easy_title",
    "label",
    "easy_label",
    "definition",
    "description",
    "hint",
    "easy_hint",
    "intro",
    "easy_intro",
    "notice",
    "change_notes",
    "what",
    "who",
    "how_much",
    "contribution",
    "risk",
    "constraint_message",
    "message",
    "unit",
}


def _language_rank(code: str) -> tuple[int, str]:
    return ({"fr": 0, "en": 1}.get(code, 2), code)


def _is_text(key: str, value: Any) -> bool:
    return key in TEXT_KEYS and isinstance(value, dict)


def canonical(value: Any, key: str = "") -> Any:
    """Keys in one fixed order (`KEY_ORDER`), languages fr, en, then alphabetical; lists keep their order.

    The document itself (`key == ""`) has its own order, `TOP_ORDER`.
    """
    if isinstance(value, dict):
        if _is_text(key, value):
            return {lang: value[lang] for lang in sorted(value, key=_language_rank)}
        rank = _TOP_RANK if key == "" else _RANK
        ordered = sorted(value, key=lambda k: (rank.get(k, len(rank)), k))
        return {k: canonical(value[k], k) for k in ordered}
    if isinstance(value, list):
        return [canonical(item, key) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Dumper(yaml.SafeDumper):
    """Block style, and no aliases: a document never shares nodes."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _text_representer)


def dump_yaml(document: Mapping[str, Any]) -> str:
    """The canonical YAML text of a document."""
    text = yaml.dump(
        canonical(dict(document)), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    return text


def dump_json(document: Mapping[str, Any]) -> str:
    """The canonical JSON text of a document."""
    return json.dumps(canonical(dict(document)), ensure_ascii=False, indent=2) + "\n"
