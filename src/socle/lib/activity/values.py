"""Activity data checked against a framework document: its ``activity_items`` and ``activity_checks``.

:func:`compile_activity` reads the items and checks of a (validated, effective) framework document once, parsing
every rule; :meth:`ActivityForm.check` then takes the raw values of one report, as they come from a form or a
CSV cell, and returns a :class:`Checked`: the values read, and every :class:`Problem` found.

Raw values and what they become:

- empty (absent, ``None``, a string of spaces): **not given**. The item is absent from the values; an empty
  item is never zero;
- ``integer`` items: digits, optionally grouped by thousands with spaces (``1 250``; no-break and narrow
  no-break spaces too), 0 or more, at most :data:`MAX_MAGNITUDE` → ``int``. ``12.5``, ``12,0`` and ``-3`` are
  refused: a count is a whole number, 0 or more;
- ``decimal`` items: a number with a decimal point or comma (``12.5``, ``12,5``, ``-0,5``), thousands grouped
  by spaces allowed, at most :data:`MAX_DECIMALS` decimals and :data:`MAX_MAGNITUDE` in magnitude →
  ``decimal.Decimal``. A sign is allowed: whether a negative value makes sense is for the framework's checks
  to say (LCEP has ``staff_fte >= 0``).

Python ``int`` and ``Decimal`` values are accepted as they are (for callers that already hold numbers);
``bool`` and ``float`` are not.

Checks, in document order, after every value is read. A check runs only when every item its rule names has an
accepted value: a check over an empty item, or over an item whose value was refused, is **skipped** (listed in
:attr:`Checked.skipped`), so that a mistake is reported once and a partial report is not blocked by checks it
cannot answer yet. A check that runs and is not true is a problem, with the framework's message in the chosen
language (French when the language is missing). The format has no severity: every problem refuses the report.

Problems carry a ``reason`` code (:data:`REASONS`) and, except for checks, an English ``message``; the web layer
translates them by ``reason``. A report with no value at all is one ``nothing_given`` problem.

Values are stored as JSON by :func:`to_json` — integers as JSON numbers, decimals as strings of their exact
decimal text (``"12.5"``) — and read back by :func:`from_json`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from socle.lib.frameworks import expressions
from socle.lib.frameworks.expressions import Expression

__all__ = [
    "MAX_DECIMALS",
    "MAX_MAGNITUDE",
    "MESSAGES",
    "REASONS",
    "ActivityForm",
    "Check",
    "Checked",
    "Item",
    "Number",
    "Problem",
    "changed_items",
    "compile_activity",
    "from_json",
    "text_in",
    "to_json",
]

Number = int | Decimal
ItemType = Literal["integer", "decimal"]
ProblemKind = Literal["value", "check", "report"]

MAX_MAGNITUDE: Final = 10**12
MAX_DECIMALS: Final = 6

# English messages of the problems that are not checks, by reason; ``%(name)s`` placeholders take ``params``.
MESSAGES: Final[Mapping[str, str]] = {
    "not_an_integer": "Write a whole number with digits only, for example 12.",
    "negative": "Write 0 or more: this count cannot be negative.",
    "not_a_number": "Write a number, for example 12.5 (with a point or a comma).",
    "too_large": "This number is too large: write at most %(maximum)s.",
    "too_many_decimals": "Write at most %(decimals)s decimals.",
    "unknown_item": "This is not an activity item of the framework.",
    "nothing_given": "Enter at least one value.",
}
REASONS: Final[frozenset[str]] = frozenset({*MESSAGES, "check"})

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_INTEGER = re.compile(r"\+?\d+")
_SIGNED_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_GROUPED_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d*)?")


def text_in(text: Any, language: str = "fr") -> str:
    """A text of the document (language → string) in ``language``, else in French, else ``""``."""
    if isinstance(text, Mapping):
        return str(text.get(language[:2]) or text.get("fr") or "")
    return str(text or "")


@dataclass(frozen=True)
class Item:
    """One activity item: what is counted per establishment and period."""

    code: str
    type: ItemType
    label: Mapping[str, str] = field(default_factory=dict, hash=False)
    description: Mapping[str, str] = field(default_factory=dict, hash=False)
    unit: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Check:
    """One consistency check: ``rule`` must hold; ``items`` are the items it names, in the order of the form."""

    code: str
    rule: Expression
    message: Mapping[str, str] = field(hash=False)
    items: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """Why a report cannot be saved.

    - ``kind="value"``: ``code`` is the item whose raw ``value`` was refused;
    - ``kind="check"``: ``code`` is the check that does not hold, ``items`` the items it names;
    - ``kind="report"``: the report as a whole (``nothing_given``), ``code`` is empty.
    """

    kind: ProblemKind
    code: str
    reason: str
    message: str
    items: tuple[str, ...] = ()
    value: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Checked:
    """The values accepted (given and well-formed), every problem, and the checks that could not run."""

    values: dict[str, Number]
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_of(self, item_code: str) -> list[Problem]:
        """The problems with one item's value (not the checks that name it)."""
        return [p for p in self.problems if p.kind == "value" and p.code == item_code]

    @property
    def check_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "check"]


class _Refused(Exception):
    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def _message(reason: str, params: Mapping[str, Any]) -> str:
    return MESSAGES[reason] % params if params else MESSAGES[reason]


def _raw_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return _SPACES.sub(" ", raw).strip()
    return str(raw)


def _read_integer(raw: object) -> int:
    if isinstance(raw, bool | float):
        raise _Refused("not_an_integer")
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, Decimal):
        if not raw.is_finite() or raw != raw.to_integral_value():
            raise _Refused("not_an_integer")
        number = int(raw)
    else:
        text = _raw_text(raw)
        if _GROUPED.fullmatch(text):
            text = _SPACES.sub("", text)
        if _SIGNED_INTEGER.fullmatch(text) and text.startswith("-"):
            raise _Refused("negative")
        if not _INTEGER.fullmatch(text):
            if _DECIMAL.fullmatch(text) or _GROUPED_DECIMAL.fullmatch(text):
                raise _Refused("negative" if text.startswith("-") else "not_an_integer")
            raise _Refused("not_an_integer")
        number = int(text)
    if number < 0:
        raise _Refused("negative")
    if number > MAX_MAGNITUDE:
        raise _Refused("too_large", maximum=f"{MAX_MAGNITUDE:,}")
    return number


def _read_decimal(raw: object) -> Decimal:
    if isinstance(raw, bool | float):
        raise _Refused("not_a_number")
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _Refused("not_a_number")
        number = raw
    else:
        text = _raw_text(raw)
        if _GROUPED_DECIMAL.fullmatch(text):
            text = _SPACES.sub("", text)
        if not _DECIMAL.fullmatch(text):
            raise _Refused("not_a_number")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise _Refused("not_a_number") from None
    if abs(number) > MAX_MAGNITUDE:
        raise _Refused("too_large", maximum=f"{MAX_MAGNITUDE:,}")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise _Refused("too_many_decimals", decimals=MAX_DECIMALS)
    return _plain(number)


def _plain(number: Decimal) -> Decimal:
    """The same value without trailing zeros nor exponent: ``12.50`` → ``12.5``, ``1E+1`` → ``10``."""
    normal = number.normalize()
    return Decimal(format(normal, "f")) if normal != 0 else Decimal(0)


def _is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not _raw_text(raw))


@dataclass(frozen=True)
class ActivityForm:
    """The activity items and checks of one framework document."""

    items: tuple[Item, ...]
    checks: tuple[Check, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)

    def check(self, raw: Mapping[str, object], *, language: str = "fr") -> Checked:
        """Reads every raw value, then runs every check; see the module docstring for the rules."""
        values: dict[str, Number] = {}
        problems: list[Problem] = []
        refused: set[str] = set()
        for item in self.items:
            entry = raw.get(item.code)
            if _is_empty(entry):
                continue
            try:
                values[item.code] = _read_integer(entry) if item.type == "integer" else _read_decimal(entry)
            except _Refused as error:
                refused.add(item.code)
                problems.append(
                    Problem(
                        "value",
                        item.code,
                        error.reason,
                        _message(error.reason, error.params),
                        (item.code,),
                        _raw_text(entry),
                        error.params,
                    )
                )
        known = set(self.codes)
        for key in sorted(k for k in raw if k not in known):
            if not _is_empty(raw[key]):
                problems.append(
                    Problem("value", key, "unknown_item", MESSAGES["unknown_item"], (key,), _raw_text(raw[key]))
                )
        if not values and not problems:
            problems.append(Problem("report", "", "nothing_given", MESSAGES["nothing_given"]))
        skipped: list[str] = []
        for check in self.checks:
            if any(code not in values for code in check.items):
                skipped.append(check.code)
                continue
            if not expressions.is_true(check.rule, values):
                problems.append(
                    Problem(
                        "check",
                        check.code,
                        "check",
                        text_in(check.message, language),
                        check.items,
                        "; ".join(f"{code}={_shown(values[code])}" for code in check.items),
                    )
                )
        return Checked(values, tuple(problems), tuple(skipped))


def _shown(value: Number) -> str:
    return str(value)


def compile_activity(document: Mapping[str, Any]) -> ActivityForm:
    """The activity form of a framework document (the effective one, for an organisation framework).

    The document is expected to be valid (``socle.lib.frameworks.validate``); a rule that does not parse raises
    ``expressions.ExpressionError`` all the same.
    """
    items = tuple(
        Item(
            code=str(spec["code"]),
            type="decimal" if spec.get("type") == "decimal" else "integer",
            label=dict(spec.get("label") or {}),
            description=dict(spec.get("description") or {}),
            unit=dict(spec.get("unit") or {}),
        )
        for spec in document.get("activity_items") or []
    )
    order = {item.code: position for position, item in enumerate(items)}
    checks = []
    for spec in document.get("activity_checks") or []:
        rule = expressions.parse(str(spec["rule"]))
        named = sorted(expressions.references(rule), key=lambda code: (order.get(code, len(order)), code))
        checks.append(Check(str(spec["code"]), rule, dict(spec.get("message") or {}), tuple(named)))
    return ActivityForm(items, tuple(checks))


def to_json(values: Mapping[str, Number]) -> dict[str, int | str]:
    """Values as stored: integers as JSON numbers, decimals as their exact decimal text, keys sorted."""
    out: dict[str, int | str] = {}
    for code in sorted(values):
        value = values[code]
        out[code] = format(_plain(value), "f") if isinstance(value, Decimal) else int(value)
    return out


def from_json(data: Mapping[str, Any]) -> dict[str, Number]:
    """Stored values back as numbers: JSON integers as ``int``, decimal texts as ``Decimal``.

    Anything else (which :func:`to_json` never writes) is left out rather than guessed."""
    out: dict[str, Number] = {}
    for code, value in data.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            out[code] = value
        elif isinstance(value, str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                continue
            if number.is_finite():
                out[code] = number
    return out


def changed_items(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The item codes whose stored value differs between two reports (given, removed or changed), sorted."""
    return sorted(code for code in set(before) | set(after) if before.get(code) != after.get(code))
