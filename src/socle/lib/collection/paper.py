"""The paper questionnaire: skip logic said in words.

On screen, relevance hides a question; on paper every question is printed, so each conditional one carries an
instruction. The common XLSForm patterns are said exactly ("Answer only if you answered “Other” to question 4");
any other condition gets a general instruction, so the person is never told something false.
"""

from __future__ import annotations

from dataclasses import dataclass

from socle.lib.frameworks import expressions as ex


@dataclass(frozen=True)
class Condition:
    """`question` answered (`answered`=True) or not answered (`answered`=False) with one of `values`; with no
    `values`, the question answered at all (or not at all)."""

    question: str
    values: tuple[str, ...]
    answered: bool


def _simple(node: ex.Node) -> Condition | None:
    if isinstance(node, ex.Comparison) and node.op in ("=", "!="):
        reference, value = node.left, node.right
        if isinstance(value, ex.Reference) and isinstance(reference, ex.String):
            reference, value = value, reference
        if isinstance(reference, ex.Reference) and isinstance(value, ex.String):
            if value.value == "":  # `${q} != ''`: q was answered
                return Condition(reference.name, (), node.op == "!=")
            return Condition(reference.name, (value.value,), node.op == "=")
        return None
    if (
        isinstance(node, ex.Call)
        and node.function == "selected"
        and len(node.args) == 2
        and isinstance(node.args[0], ex.Reference)
        and isinstance(node.args[1], ex.String)
    ):
        return Condition(node.args[0].name, (node.args[1].value,), True)
    if isinstance(node, ex.Call) and node.function == "not" and len(node.args) == 1:
        inner = _simple(node.args[0])
        if inner is not None:
            return Condition(inner.question, inner.values, not inner.answered)
    return None


def condition_of(text: str) -> Condition | None:
    """The condition a relevance expression states, when it is one of the simple patterns: `${q} = 'v'`,
    `${q} != 'v'`, `selected(${q}, 'v')`, their `not(...)`, and `or` of equalities on one question
    (`${q} = 'a' or ${q} = 'b'`). None for anything else, or when the text does not parse."""
    try:
        tree = ex.parse(text).tree
    except ex.ExpressionError:
        return None
    simple = _simple(tree)
    if simple is not None:
        return simple
    if isinstance(tree, ex.Logical) and tree.op == "or":
        parts = [_simple(operand) for operand in tree.operands]
        if all(p is not None and p.answered and p.values for p in parts):
            found = [p for p in parts if p is not None]
            if len({p.question for p in found}) == 1:
                return Condition(found[0].question, tuple(v for p in found for v in p.values), True)
    return None
