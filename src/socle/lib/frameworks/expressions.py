"""Expressions in the style of XLSForm: relevance, constraints, scores and indicator conditions.

The text of an expression is tokenized, parsed by recursive descent into a tree of small frozen dataclasses, and
evaluated by walking that tree. Python's ``eval`` is never involved.

Grammar, loosest binding first::

    expression     := or
    or             := and ("or" and)*
    and            := comparison ("and" comparison)*
    comparison     := additive [("=" | "!=" | "<" | "<=" | ">" | ">=") additive]
    additive       := multiplicative (("+" | "-") multiplicative)*
    multiplicative := unary (("*" | "div" | "mod") unary)*
    unary          := "-" unary | primary
    primary        := NUMBER | STRING | "${" NAME "}" | "." | FUNCTION "(" [expression ("," expression)*] ")"
                    | "(" expression ")"

- Comparisons are non-associative: ``0 <= . <= 120`` is a parse error (it would not mean what it seems to), write
  ``. >= 0 and . <= 120``. Every other binary operator is left-associative. A chain of operators of one level
  (``a + b - c``, ``a and b and c``) is one flat node, so long sums do not make deep trees.
- Numbers are ``3`` or ``2.5`` (``.5`` and ``5.`` are accepted too); there is no exponent notation, and literal
  numbers are never negative: ``-3`` is the unary minus applied to ``3``.
- Strings are in single or double quotes, without escapes: the opening quote character ends the string.
- References are ``${name}``, the name being ``[A-Za-z_][A-Za-z0-9_]*`` and at most 64 characters; ``.`` is the
  answer being checked by a constraint.
- The keywords ``and``, ``or``, ``div``, ``mod`` are lower case, as in XPath. Function names may contain hyphens
  (``count-selected``); see :data:`SUPPORTED_FUNCTIONS` and :data:`ARITY`.
- A text has at most 2000 characters, at most 50 parentheses open at once, and a tree at most 50 levels high
  (an operation inside an operation…; a chain such as ``a + b - c`` is one level).

Values. Answers are looked up by name in a mapping. An absent answer, ``None`` and ``''`` are all the empty value
``''``; a multiple-choice answer (a list or tuple) becomes a tuple of strings; ``datetime`` values become dates.
Numbers are exact: integers stay ``int``, other numbers are ``decimal.Decimal`` (floats and
numeric strings are converted through their decimal text, so ``0.1 + 0.2 = 0.3`` holds); a number whose value is
whole comes back as ``int``. Divisions keep 28 significant digits. Numbers of magnitude 1E300 or more, infinities
and NaN are "no value".

Evaluation never raises: what cannot be computed is ``None``, "no value".

- Arithmetic on anything that is not a number or a numeric string (the empty value, ``'dk'``, text, dates,
  multiple-choice answers) gives ``None``, and ``None`` propagates. ``true``/``false`` count as 1 and 0, so
  ``(${a} = 'oui') + (${b} = 'oui')`` counts the yeses. ``x div 0`` and ``x mod 0`` are ``None``.
- ``mod`` is the remainder of the division truncated toward zero, as in XPath: ``-7 mod 3 = -1``.
- Comparisons give ``True`` or ``False``, and ``False`` whenever a side is ``None`` (even for ``!=``). Two numbers
  (or numeric strings) compare as numbers, two dates (or ISO ``YYYY-MM-DD`` strings) as dates; otherwise ``=``
  and ``!=`` compare texts (a multiple-choice answer reads as its values joined by spaces, as XLSForm stores it),
  and ``<``, ``<=``, ``>``, ``>=`` are ``False``. Hence ``${q} = ''`` is true for an unanswered question.
- ``and``, ``or`` and ``not`` give ``True`` or ``False``; ``None``, ``''``, ``0``, ``False`` and an empty
  multiple-choice answer are false, every other value is true (``'dk'`` too). ``and``/``or`` short-circuit.

Functions:

- ``not(x)``; ``if(condition, then, else)``, evaluating only the branch taken; ``coalesce(a, b)``: ``a`` unless
  it is empty or no value, else ``b``.
- ``selected(answer, 'value')``: a multiple-choice answer holds the value, or a single-choice answer is it;
  ``count-selected(answer)``: how many values a multiple-choice answer holds (0 if empty, 1 for a single value);
  ``string-length(x)``: the length of the text of ``x``.
- ``number(x)``; ``int(x)``, truncating toward zero; ``round(x)`` and ``round(x, digits)``, rounding half away
  from zero (``round(2.5) = 3``, ``round(1234, -2) = 1200``); ``min(…)``, ``max(…)``, ``sum(…)`` over one or
  more numbers, no value if any is not a number.
- ``today()``: the date given to :func:`evaluate` (today by default), which compares with dates.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Final, assert_never

__all__ = [
    "ARITY",
    "SUPPORTED_FUNCTIONS",
    "Arithmetic",
    "Call",
    "Comparison",
    "Current",
    "Expression",
    "ExpressionError",
    "Logical",
    "Negate",
    "Node",
    "Number",
    "Reference",
    "String",
    "evaluate",
    "functions_used",
    "is_true",
    "parse",
    "references",
    "rename",
    "to_text",
    "uses_current",
]

MAX_LENGTH: Final = 2000
MAX_DEPTH: Final = 50
MAX_NAME_LENGTH: Final = 64

# The number of arguments of each function: (minimum, maximum), None for "any number".
ARITY: Final[Mapping[str, tuple[int, int | None]]] = {
    "not": (1, 1),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "number": (1, 1),
    "int": (1, 1),
    "round": (1, 2),
    "min": (1, None),
    "max": (1, None),
    "sum": (1, None),
    "today": (0, 0),
}
SUPPORTED_FUNCTIONS: Final[frozenset[str]] = frozenset(ARITY)


class ExpressionError(ValueError):
    """The text is not a valid expression.

    ``message`` says what and where (columns are 1-based in it), ``position`` is the 0-based offset of the fault in
    ``text``, or None when the fault has no single place.
    """

    def __init__(self, message: str, position: int | None = None, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.text = text


# --- The tree -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    """A literal number, never negative: an ``int``, or a ``Decimal`` that is not whole."""

    value: int | Decimal


@dataclass(frozen=True, slots=True)
class String:
    value: str


@dataclass(frozen=True, slots=True)
class Reference:
    """``${name}``: the answer to a question, a score or an activity item."""

    name: str


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the answer a constraint checks."""


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """``first op1 x1 op2 x2 …``, evaluated left to right; the operators all belong to one level:
    ``+``/``-`` or ``*``/``div``/``mod``."""

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logical:
    """``a and b and …`` or ``a or b or …``."""

    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]


Node = Number | String | Reference | Current | Negate | Arithmetic | Comparison | Logical | Call


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the text it was parsed from and its tree."""

    text: str
    tree: Node

    def __str__(self) -> str:
        return self.text


# --- Tokens ---------------------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[-:][A-Za-z_][A-Za-z0-9_]*)*")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_REFERENCE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BAD_REFERENCE = re.compile(r"\$\{?[^\s}]{0,40}\}?")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",")
_KEYWORDS = frozenset({"and", "or", "div", "mod"})
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_TOO_LARGE = Decimal("1E+300")
_INT_TOO_LARGE = 10**300


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, reference, current, name, op (operators and keywords), end
    text: str
    position: int
    value: int | Decimal | str | None = None

    def describe(self) -> str:
        if self.kind == "end":
            return "end of expression"
        if self.kind == "number":
            return f"number {self.text}"
        if self.kind == "string":
            return f"string {self.text}"
        if self.kind == "reference":
            return f"reference {self.text}"
        if self.kind == "name":
            return f"name '{self.text}'"
        return f"'{self.text}'"


def _fail(text: str, description: str, position: int | None) -> ExpressionError:
    message = description if position is None else f"{description} at column {position + 1}"
    return ExpressionError(message, position, text)


def _literal_number(digits: str) -> int | Decimal:
    """The value of a number literal; whole numbers (``3``, ``3.0``) are ints."""
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
        if "." in digits:
            return Decimal(digits)
    return int(digits or "0")


def _tokenize(text: str) -> Iterator[_Token]:
    position = 0
    while position < len(text):
        char = text[position]
        if space := _SPACE.match(text, position):
            position = space.end()
        elif number := _NUMBER.match(text, position):
            digits = number.group()
            if len(digits.partition(".")[0]) > 300:
                raise _fail(text, "number too large", position)
            yield _Token("number", digits, position, _literal_number(digits))
            position = number.end()
        elif char == ".":
            yield _Token("current", ".", position)
            position += 1
        elif char in "'\"":
            end = text.find(char, position + 1)
            if end < 0:
                raise _fail(text, "unclosed string starting", position)
            yield _Token("string", text[position : end + 1], position, text[position + 1 : end])
            position = end + 1
        elif char == "$":
            reference = _REFERENCE.match(text, position)
            if reference is None:
                bad = _BAD_REFERENCE.match(text, position)
                shown = bad.group() if bad else "$"
                raise _fail(text, f"'{shown}' is not a valid reference", position)
            if len(reference.group(1)) > MAX_NAME_LENGTH:
                raise _fail(text, f"reference name longer than {MAX_NAME_LENGTH} characters", position)
            yield _Token("reference", reference.group(), position, reference.group(1))
            position = reference.end()
        elif name := _NAME.match(text, position):
            word = name.group()
            yield _Token("op" if word in _KEYWORDS else "name", word, position)
            position = name.end()
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, position)), None)
            if operator is None:
                raise _fail(text, f"unexpected character {char!r}", position)
            yield _Token("op", operator, position)
            position += len(operator)
    yield _Token("end", "", len(text))


# --- Parser ---------------------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent, one method per level of the grammar in the module docstring."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_tokenize(text))
        self.index = 0
        self.depth = 0  # how many parentheses are open
        self.heights: dict[int, int] = {}  # id(node) → height of its subtree, for the nodes built so far

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at(self, *operators: str) -> bool:
        return self.token.kind == "op" and self.token.text in operators

    def unexpected(self, token: _Token | None = None) -> ExpressionError:
        token = token or self.token
        if token.kind == "end":
            return ExpressionError("unexpected end of expression", token.position, self.text)
        return _fail(self.text, f"unexpected {token.describe()}", token.position)

    def too_deep(self, position: int) -> ExpressionError:
        return _fail(self.text, f"expression nested more than {MAX_DEPTH} levels deep", position)

    def enter(self, position: int) -> None:
        """Opens a parenthesis (of a group or a call)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.too_deep(position)

    def build(self, node: Node, position: int) -> Node:
        """Returns ``node`` after checking that it nests operations at most MAX_DEPTH deep.

        The height of a tree is counted in operations: a literal, a reference or ``.`` is 0, ``-1`` is 1, ``-(1 + 2)``
        is 2. Bounding it keeps every recursive walk over trees, including the ``==`` and ``hash`` of the
        dataclasses, far from Python's recursion limit."""
        height = 1 + max((self.heights.get(id(child), 0) for child in _children(node)), default=0)
        if height > MAX_DEPTH:
            raise self.too_deep(position)
        self.heights[id(node)] = height
        return node

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExpressionError("empty expression", 0, self.text)
        tree = self.expression()
        if self.token.kind != "end":
            raise self.unexpected()
        return tree

    # One method per level of the grammar, each calling the next directly: the stack grows by few frames per
    # level of nesting, so the deepest expression allowed parses far from Python's recursion limit.

    def expression(self) -> Node:
        position = self.token.position
        operands = [self.conjunction()]
        while self.at("or"):
            self.advance()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else self.build(Logical("or", tuple(operands)), position)

    def conjunction(self) -> Node:
        position = self.token.position
        operands = [self.comparison()]
        while self.at("and"):
            self.advance()
            operands.append(self.comparison())
        return operands[0] if len(operands) == 1 else self.build(Logical("and", tuple(operands)), position)

    def comparison(self) -> Node:
        position = self.token.position
        left = self.additive()
        if not self.at(*_COMPARISONS):
            return left
        op = self.advance().text
        right = self.additive()
        if self.at(*_COMPARISONS):
            raise _fail(self.text, "comparisons cannot be chained (join them with 'and')", self.token.position)
        return self.build(Comparison(op, left, right), position)

    def additive(self) -> Node:
        position = self.token.position
        first = self.multiplicative()
        rest: list[tuple[str, Node]] = []
        while self.at("+", "-"):
            op = self.advance().text
            rest.append((op, self.multiplicative()))
        return self.build(Arithmetic(first, tuple(rest)), position) if rest else first

    def multiplicative(self) -> Node:
        position = self.token.position
        first = self.unary()
        rest: list[tuple[str, Node]] = []
        while self.at("*", "div", "mod"):
            op = self.advance().text
            rest.append((op, self.unary()))
        return self.build(Arithmetic(first, tuple(rest)), position) if rest else first

    def unary(self) -> Node:
        minuses: list[int] = []
        while self.at("-"):
            minuses.append(self.advance().position)
        node = self.primary()
        for position in reversed(minuses):
            node = self.build(Negate(node), position)
        return node

    def primary(self) -> Node:
        token = self.advance()
        if token.kind == "number":
            assert isinstance(token.value, int | Decimal)
            return Number(token.value)
        if token.kind == "string":
            assert isinstance(token.value, str)
            return String(token.value)
        if token.kind == "reference":
            assert isinstance(token.value, str)
            return Reference(token.value)
        if token.kind == "current":
            return Current()
        if token.kind == "name":
            return self.call(token)
        if token.kind == "op" and token.text == "(":
            self.enter(token.position)
            inner = self.expression()
            self.close(token)
            self.depth -= 1
            return inner
        raise self.unexpected(token)

    def close(self, opening: _Token) -> None:
        if self.at(")"):
            self.advance()
        elif self.token.kind == "end":
            raise _fail(self.text, "unclosed '('", opening.position)
        else:
            raise self.unexpected()

    def call(self, name: _Token) -> Node:
        function = name.text
        if not self.at("("):
            if function in ARITY:
                raise _fail(self.text, f"expected '(' after '{function}'", self.token.position)
            raise self.unexpected(name)
        if function not in ARITY:
            raise _fail(self.text, f"unknown function '{function}'", name.position)
        opening = self.advance()
        self.enter(opening.position)
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.advance()
                args.append(self.expression())
        self.close(opening)
        self.depth -= 1
        least, most = ARITY[function]
        if len(args) < least or (most is not None and len(args) > most):
            raise _fail(self.text, f"'{function}' takes {_arity_text(least, most)}, not {len(args)}", name.position)
        return self.build(Call(function, tuple(args)), name.position)


def _arity_text(least: int, most: int | None) -> str:
    def plural(count: int) -> str:
        return f"{count} argument" + ("" if count == 1 else "s")

    if most is None:
        return f"at least {plural(least)}"
    if least == most:
        return plural(least)
    return f"{least} or {plural(most)}"


def parse(text: str) -> Expression:
    """Parses ``text``; raises :class:`ExpressionError` naming what is wrong and where."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH, text)
    return Expression(text, _Parser(text).parse())


# --- Looking at trees -----------------------------------------------------------------------------------------


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Number() | String() | Reference() | Current():
            return ()
        case Negate(operand):
            return (operand,)
        case Arithmetic(first, rest):
            return (first, *(operand for _op, operand in rest))
        case Comparison(_op, left, right):
            return (left, right)
        case Logical(_op, operands):
            return operands
        case Call(_function, args):
            return args
        case _:
            assert_never(node)


def _nodes(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(_children(current))


def references(expr: Expression) -> frozenset[str]:
    """The names referenced with ``${…}``."""
    return frozenset(node.name for node in _nodes(expr.tree) if isinstance(node, Reference))


def uses_current(expr: Expression) -> bool:
    """Whether the expression uses ``.``, the answer being checked."""
    return any(isinstance(node, Current) for node in _nodes(expr.tree))


def functions_used(expr: Expression) -> frozenset[str]:
    return frozenset(node.function for node in _nodes(expr.tree) if isinstance(node, Call))


def _mapped(function: Callable[[Node], Node], nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    result = []
    for node in nodes:
        result.append(function(node))
    return tuple(result)


def rename(expr: Expression, mapping: Mapping[str, str]) -> Expression:
    """The expression with each ``${old}`` in ``mapping`` replaced by ``${new}``; other names are kept."""
    for new in mapping.values():
        if not _REFERENCE_NAME.fullmatch(new) or len(new) > MAX_NAME_LENGTH:
            raise ExpressionError(f"'{new}' is not a valid reference name", None, expr.text)

    def renamed(node: Node) -> Node:
        match node:
            case Reference(name):
                return Reference(mapping.get(name, name))
            case Number() | String() | Current():
                return node
            case Negate(operand):
                return Negate(renamed(operand))
            case Arithmetic(first, rest):
                new_rest = []
                for op, operand in rest:
                    new_rest.append((op, renamed(operand)))
                return Arithmetic(renamed(first), tuple(new_rest))
            case Comparison(op, left, right):
                return Comparison(op, renamed(left), renamed(right))
            case Logical(op, operands):
                return Logical(op, _mapped(renamed, operands))
            case Call(function, args):
                return Call(function, _mapped(renamed, args))
            case _:
                assert_never(node)

    tree = renamed(expr.tree)
    return Expression(_text_of(tree), tree)


# --- Canonical text -------------------------------------------------------------------------------------------

_LOOSEST, _OR, _AND, _COMPARE, _ADD, _MULTIPLY, _UNARY, _ATOM = range(8)


def _binding(node: Node) -> int:
    match node:
        case Logical(op, _):
            return _OR if op == "or" else _AND
        case Comparison():
            return _COMPARE
        case Arithmetic(_, rest):
            return _ADD if rest[0][0] in ("+", "-") else _MULTIPLY
        case Negate():
            return _UNARY
        case _:
            return _ATOM


def _number_text(value: int | Decimal) -> str:
    return str(value) if isinstance(value, int) else format(value, "f")


def _text_of(node: Node, context: int = _LOOSEST) -> str:
    """The text of ``node``, in parentheses when it binds as loosely as its context or more loosely.

    A context is the binding of the parent node; a unary minus takes operands binding as tightly as itself.
    (Loops rather than generator expressions keep the stack shallow on deep trees.)"""
    binding = _binding(node)
    match node:
        case Number(value):
            text = _number_text(value)
        case String(value):
            quote = '"' if "'" in value else "'"
            text = f"{quote}{value}{quote}"
        case Reference(name):
            text = f"${{{name}}}"
        case Current():
            text = "."
        case Negate(operand):
            text = "-" + _text_of(operand, _UNARY - 1)
        case Arithmetic(first, rest):
            text = _text_of(first, binding)
            for op, operand in rest:
                text += f" {op} " + _text_of(operand, binding)
        case Comparison(op, left, right):
            text = f"{_text_of(left, binding)} {op} {_text_of(right, binding)}"
        case Logical(op, operands):
            parts = []
            for operand in operands:
                parts.append(_text_of(operand, binding))
            text = f" {op} ".join(parts)
        case Call(function, args):
            parts = []
            for arg in args:
                parts.append(_text_of(arg))
            text = f"{function}({', '.join(parts)})"
        case _:
            assert_never(node)
    return f"({text})" if binding <= context else text


def to_text(expr: Expression) -> str:
    """Canonical text: single spaces around binary operators, the fewest parentheses that keep the tree.

    ``parse(to_text(e)).tree == e.tree``. A group the author wrote around an operand of the same level is kept:
    ``(a - b) - c`` stays so, since it is a different tree from ``a - b - c`` (with the same value)."""
    return _text_of(expr.tree)


# --- Values ---------------------------------------------------------------------------------------------------

Value = None | bool | int | Decimal | str | datetime.date | tuple[str, ...]
Numeric = int | Decimal

# Exact enough for questionnaires, and never raising: what would raise gives NaN or infinity, then "no value".
_DECIMALS = Context(prec=28, traps=[])
# Rounding a number below 1E300 to at most 350 decimals never needs more than these digits.
_ROUNDING = Context(prec=700, rounding=ROUND_HALF_UP, traps=[])
_NUMERIC_TEXT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")
_ISO_DATE = re.compile(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*")


def _checked(number: Numeric) -> Numeric | None:
    """``number`` if it is finite and below 1E300 in magnitude, as an int when it is whole; else None.

    Magnitudes below 1E-300 are 0: such numbers would only make long texts."""
    if isinstance(number, int):
        return number if -_INT_TOO_LARGE < number < _INT_TOO_LARGE else None
    if not number.is_finite() or abs(number) >= _TOO_LARGE:
        return None
    if number.adjusted() < -300:
        return 0
    if number == number.to_integral_value(context=_DECIMALS):
        return int(number)
    return number


def _from_input(value: object) -> Value:
    """An answer as the evaluator sees it."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | Decimal):
        return _checked(value)
    if isinstance(value, float):
        return _checked(Decimal(repr(value))) if value == value and abs(value) != float("inf") else None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, list | tuple):
        items = []
        for item in value:
            if isinstance(item, bool):
                continue
            if isinstance(item, str):
                items.append(item)
            elif isinstance(item, int | Decimal | float) and (number := _from_input(item)) is not None:
                items.append(_as_text(number))
        return tuple(items)
    return None


def _as_number(value: Value) -> Numeric | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        try:
            return _checked(Decimal(value.strip()))
        except InvalidOperation:  # pragma: no cover - the pattern only lets decimal numbers through
            return None
    return None


def _as_date(value: Value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return _number_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return " ".join(value)
    return value


def _truthy(value: Value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        return value != 0
    if isinstance(value, str | tuple):
        return len(value) > 0
    return True


def _is_empty(value: Value) -> bool:
    return value is None or value == "" or value == ()


# --- Operations -----------------------------------------------------------------------------------------------


def _arithmetic(op: str, left: Numeric, right: Numeric) -> Numeric | None:
    if op in ("div", "mod") and right == 0:
        return None
    if isinstance(left, int) and isinstance(right, int):
        if op == "+":
            return _checked(left + right)
        if op == "-":
            return _checked(left - right)
        if op == "*":
            return _checked(left * right)
        if op == "mod":
            remainder = abs(left) % abs(right)
            return remainder if left >= 0 else -remainder
    if op == "+":
        return _checked(_DECIMALS.add(left, right))
    if op == "-":
        return _checked(_DECIMALS.subtract(left, right))
    if op == "*":
        return _checked(_DECIMALS.multiply(left, right))
    if op == "div":
        return _checked(_DECIMALS.divide(left, right))
    return _checked(_DECIMALS.remainder(left, right))


# Whether each comparison holds, given the order of its sides: -1 (left is less), 0 (equal) or 1.
_HOLDS: Final[Mapping[str, Callable[[int], bool]]] = {
    "=": lambda order: order == 0,
    "!=": lambda order: order != 0,
    "<": lambda order: order < 0,
    "<=": lambda order: order <= 0,
    ">": lambda order: order > 0,
    ">=": lambda order: order >= 0,
}


def _compare(op: str, left: Value, right: Value) -> bool:
    if left is None or right is None:
        return False
    left_number, right_number = _as_number(left), _as_number(right)
    if left_number is not None and right_number is not None:
        return _HOLDS[op]((left_number > right_number) - (left_number < right_number))
    left_date, right_date = _as_date(left), _as_date(right)
    if left_date is not None and right_date is not None:
        return _HOLDS[op]((left_date > right_date) - (left_date < right_date))
    if op == "=":
        return _as_text(left) == _as_text(right)
    if op == "!=":
        return _as_text(left) != _as_text(right)
    return False


def _round(number: Numeric, digits: int) -> Numeric | None:
    """Rounds half away from zero (2.5 → 3, -2.5 → -3), to ``digits`` decimals, or to tens, hundreds… when
    ``digits`` is negative."""
    digits = max(-310, min(350, digits))
    exact = Decimal(number)
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -digits:
        return number
    return _checked(exact.quantize(Decimal(1).scaleb(-digits, _ROUNDING), context=_ROUNDING))


@dataclass(frozen=True, slots=True)
class _Evaluation:
    values: Mapping[str, object]
    current: Value
    today: datetime.date

    def value(self, node: Node) -> Value:
        match node:
            case Number(value):
                return _checked(value)
            case String(value):
                return value
            case Reference(name):
                return _from_input(self.values.get(name))
            case Current():
                return self.current
            case Negate(operand):
                number = _as_number(self.value(operand))
                return None if number is None else _checked(-number)
            case Arithmetic(first, rest):
                result = _as_number(self.value(first))
                for op, operand in rest:
                    right = _as_number(self.value(operand))
                    result = None if result is None or right is None else _arithmetic(op, result, right)
                return result
            case Comparison(op, left, right):
                return _compare(op, self.value(left), self.value(right))
            case Logical(op, operands):
                # Short-circuits: "or" stops at the first true operand, "and" at the first false one.
                decisive = op == "or"
                for operand in operands:
                    if _truthy(self.value(operand)) is decisive:
                        return decisive
                return not decisive
            case Call(function, args):
                return self.call(function, args)
            case _:
                assert_never(node)

    def call(self, function: str, args: tuple[Node, ...]) -> Value:
        if function == "if":
            return self.value(args[1] if _truthy(self.value(args[0])) else args[2])
        if function == "coalesce":
            first = self.value(args[0])
            return self.value(args[1]) if _is_empty(first) else first
        if function == "today":
            return self.today
        values: list[Value] = []
        for arg in args:
            values.append(self.value(arg))
        if function == "not":
            return not _truthy(values[0])
        if function == "selected":
            answer, choice = values
            if _is_empty(answer) or choice is None:
                return False
            if isinstance(answer, tuple):
                return _as_text(choice) in answer
            return _as_text(answer) == _as_text(choice)
        if function == "count-selected":
            answer = values[0]
            if isinstance(answer, tuple):
                return len(answer)
            return 0 if _is_empty(answer) else 1
        if function == "string-length":
            return len(_as_text(values[0]))
        numbers = [_as_number(value) for value in values]
        present = [number for number in numbers if number is not None]
        if len(present) < len(numbers):
            return None
        if function == "number":
            return present[0]
        if function == "int":
            return int(present[0])
        if function == "round":
            return _round(present[0], int(present[1]) if len(present) > 1 else 0)
        if function == "min":
            return min(present)
        if function == "max":
            return max(present)
        if function == "sum":
            total: Numeric | None = 0
            for number in present:
                total = None if total is None else _arithmetic("+", total, number)
            return total
        raise AssertionError(f"unreachable: the parser accepts no function {function!r}")


def _evaluation(values: Mapping[str, object], current: object, today: datetime.date | None) -> _Evaluation:
    if today is None:
        today = datetime.date.today()
    elif isinstance(today, datetime.datetime):
        today = today.date()
    return _Evaluation(values, _from_input(current), today)


def evaluate(
    expr: Expression,
    values: Mapping[str, object],
    *,
    current: object = None,
    today: datetime.date | None = None,
) -> object:
    """The value of ``expr`` given the answers in ``values`` and, for a constraint, the ``current`` answer.

    Returns None ("no value"), a bool, an int, a Decimal, a str, a date, or a tuple of str (a multiple-choice
    answer); see the module docstring for the rules. Never raises.
    """
    return _evaluation(values, current, today).value(expr.tree)


def is_true(
    expr: Expression,
    values: Mapping[str, object],
    *,
    current: object = None,
    today: datetime.date | None = None,
) -> bool:
    """Whether a condition (relevance, constraint, who counts in an indicator) holds."""
    return _truthy(_evaluation(values, current, today).value(expr.tree))
