"""A small, safe condition language over facts, parsed here and never handed to ``eval``.

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
    operand    := "(" or ")" | NAME | INTEGER | DATE | "true" | "false"

NAME is a fact or a policy parameter; DATE is written 2024-09-01. Types are
checked when a policy is loaded: conditions are booleans, comparisons join
values of one type, and only numbers and dates are ordered.

Evaluation uses three values: a pending fact makes a result unknown unless
the rest decides it (``false and pending`` is false). An absent fact (one that
does not apply) is false, and any comparison with it is false.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sunshine.engine.checks.facts import Facts, FactType, FactValue, fact_type_of

MAX_LENGTH = 2000
MAX_DEPTH = 32


class ExpressionError(ValueError):
    """A condition that cannot be parsed or checked; ``column`` counts from 1."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Literal:
    value: FactValue
    column: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    column: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    column: int


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Expr, ...]
    column: int


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Expr, ...]
    column: int


@dataclass(frozen=True, slots=True)
class Compare:
    operator: str
    left: Expr
    right: Expr
    column: int


Expr = Literal | Name | Not | And | Or | Compare

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<date>\d{4}-\d{2}-\d{2})"
    r"|(?P<number>-?\d+)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<operator>==|!=|<=|>=|<|>)"
    r"|(?P<paren>[()])"
)
_HINTS = {
    "&": "write 'and'",
    "|": "write 'or'",
    "!": "write 'not'",
    "=": "write '==' to compare",
    '"': "text values are not supported",
    "'": "text values are not supported",
}
KEYWORDS = frozenset({"and", "or", "not", "true", "false"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokens(text: str) -> Iterator[_Token]:
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            hint = _HINTS.get(char)
            detail = f"; {hint}" if hint else ""
            raise ExpressionError(f"unexpected character {char!r}{detail}", position + 1)
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            yield _Token(kind, match.group(), position + 1)
        position = match.end()
    yield _Token("end", "", len(text) + 1)


class _Parser:
    def __init__(self, text: str) -> None:
        self._tokens = list(_tokens(text))
        self._index = 0
        self._depth = 0

    @property
    def _current(self) -> _Token:
        return self._tokens[self._index]

    def _take(self) -> _Token:
        token = self._tokens[self._index]
        self._index += 1
        return token

    def _is_word(self, word: str) -> bool:
        return self._current.kind == "word" and self._current.text == word

    def parse(self) -> Expr:
        expr = self._or()
        if self._current.kind != "end":
            raise ExpressionError(f"unexpected {self._current.text!r}", self._current.column)
        return expr

    def _or(self) -> Expr:
        column = self._current.column
        operands = [self._and()]
        while self._is_word("or"):
            self._take()
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands), column)

    def _and(self) -> Expr:
        column = self._current.column
        operands = [self._not()]
        while self._is_word("and"):
            self._take()
            operands.append(self._not())
        return operands[0] if len(operands) == 1 else And(tuple(operands), column)

    def _not(self) -> Expr:
        if self._is_word("not"):
            column = self._take().column
            with _Nesting(self, column):
                return Not(self._not(), column)
        return self._comparison()

    def _comparison(self) -> Expr:
        left = self._operand()
        if self._current.kind != "operator":
            return left
        symbol = self._take()
        right = self._operand()
        if self._current.kind == "operator":
            raise ExpressionError(
                "comparisons cannot be chained; join them with 'and'", self._current.column
            )
        return Compare(symbol.text, left, right, symbol.column)

    def _operand(self) -> Expr:
        token = self._take()
        if token.kind == "paren" and token.text == "(":
            with _Nesting(self, token.column):
                inner = self._or()
            closing = self._take()
            if closing.text != ")":
                raise ExpressionError("missing ')'", closing.column)
            return inner
        if token.kind == "number":
            return Literal(int(token.text), token.column)
        if token.kind == "date":
            try:
                return Literal(dt.date.fromisoformat(token.text), token.column)
            except ValueError:
                raise ExpressionError(f"{token.text} is not a date", token.column) from None
        if token.kind == "word" and token.text in ("true", "false"):
            return Literal(token.text == "true", token.column)
        if token.kind == "word" and token.text not in KEYWORDS:
            return Name(token.text, token.column)
        found = "the end" if token.kind == "end" else repr(token.text)
        raise ExpressionError(f"expected a fact, a value or '(', found {found}", token.column)


class _Nesting:
    """Bounds nesting, so a hostile policy cannot exhaust the stack."""

    def __init__(self, parser: _Parser, column: int) -> None:
        self._parser = parser
        self._column = column

    def __enter__(self) -> None:
        self._parser._depth += 1
        if self._parser._depth > MAX_DEPTH:
            raise ExpressionError(f"nested more than {MAX_DEPTH} deep", self._column)

    def __exit__(self, *exc: object) -> None:
        self._parser._depth -= 1


def parse(text: str) -> Expr:
    """The syntax tree of a condition; raises ExpressionError naming the column."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH)
    return _Parser(text).parse()


def _suggestion(name: str, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def bind(
    expr: Expr, facts: Mapping[str, FactType], parameters: Mapping[str, FactValue]
) -> tuple[Expr, FactType]:
    """Replace parameters by their values and check every type; return the tree and its type."""
    if isinstance(expr, Literal):
        kind = fact_type_of(expr.value)
        assert kind is not None
        return expr, kind
    if isinstance(expr, Name):
        if expr.name in parameters:
            value = parameters[expr.name]
            return bind(Literal(value, expr.column), facts, parameters)
        if expr.name in facts:
            return expr, facts[expr.name]
        known = {**facts, **parameters}
        raise ExpressionError(
            f"unknown fact or parameter {expr.name!r}{_suggestion(expr.name, known)}", expr.column
        )
    if isinstance(expr, Not):
        return Not(_boolean(expr.operand, facts, parameters), expr.column), FactType.BOOL
    if isinstance(expr, And | Or):
        operands = tuple(_boolean(operand, facts, parameters) for operand in expr.operands)
        return type(expr)(operands, expr.column), FactType.BOOL
    for side in (expr.left, expr.right):
        if not isinstance(side, Literal | Name):
            raise ExpressionError("compare a fact with a value or another fact", side.column)
    left, left_type = bind(expr.left, facts, parameters)
    right, right_type = bind(expr.right, facts, parameters)
    if left_type is not right_type:
        raise ExpressionError(
            f"cannot compare a {left_type.value} with a {right_type.value}", expr.column
        )
    if expr.operator not in ("==", "!=") and left_type is FactType.BOOL:
        raise ExpressionError(f"'{expr.operator}' needs numbers or dates", expr.column)
    return Compare(expr.operator, left, right, expr.column), FactType.BOOL


def bind_condition(
    expr: Expr, facts: Mapping[str, FactType], parameters: Mapping[str, FactValue]
) -> Expr:
    """``bind`` for a whole condition, which must be true or false."""
    return _boolean(expr, facts, parameters)


def _boolean(
    expr: Expr, facts: Mapping[str, FactType], parameters: Mapping[str, FactValue]
) -> Expr:
    bound, kind = bind(expr, facts, parameters)
    if kind is not FactType.BOOL:
        what = f"{expr.name!r}" if isinstance(expr, Name) else "this"
        what += f" is a {kind.value}"
        raise ExpressionError(
            f"{what}, not a condition; compare it, e.g. '>= 12' or '< 2024-09-01'", expr.column
        )
    return bound


@dataclass(frozen=True, slots=True)
class Outcome:
    """A condition's value (None = not known yet) and the facts that decided it."""

    value: bool | None
    decided_by: tuple[str, ...]
    pending: tuple[str, ...]


def _merge(outcomes: list[Outcome], value: bool | None) -> Outcome:
    decided = dict.fromkeys(chain.from_iterable(outcome.decided_by for outcome in outcomes))
    pending = dict.fromkeys(chain.from_iterable(outcome.pending for outcome in outcomes))
    return Outcome(value, tuple(decided), tuple(pending))


_ORDER: Mapping[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _value(expr: Expr, facts: Facts) -> tuple[FactValue | None, bool, tuple[str, ...]]:
    """An operand's value, whether it is pending, and the fact names it reads."""
    if isinstance(expr, Literal):
        return expr.value, False, ()
    assert isinstance(expr, Name), "comparison operands are literals or facts once bound"
    return facts.get(expr.name), facts.is_pending(expr.name), (expr.name,)


def evaluate(expr: Expr, facts: Facts) -> Outcome:
    """Evaluate a bound condition with three-valued logic, recording which facts decided it."""
    # Most frequent node kinds first: this runs for every applicant and category.
    if isinstance(expr, Name):
        name = expr.name
        if facts.is_pending(name):
            return Outcome(None, (), (name,))
        return Outcome(facts.get(name) is True, (name,), ())
    if isinstance(expr, And | Or):
        outcomes = [evaluate(operand, facts) for operand in expr.operands]
        deciding = isinstance(expr, Or)  # the value that settles it: true for or, false for and
        settled = [outcome for outcome in outcomes if outcome.value is deciding]
        if settled:
            return _merge(settled, deciding)
        if any(outcome.value is None for outcome in outcomes):
            return _merge(outcomes, None)
        return _merge(outcomes, not deciding)
    if isinstance(expr, Compare):
        return _compare(expr, facts)
    if isinstance(expr, Literal):
        return Outcome(bool(expr.value), (), ())
    assert isinstance(expr, Not), "conditions are literals, names, not, and, or, comparisons"
    inner = evaluate(expr.operand, facts)
    value = None if inner.value is None else not inner.value
    return Outcome(value, inner.decided_by, inner.pending)


def _compare(expr: Compare, facts: Facts) -> Outcome:
    left, left_pending, left_names = _value(expr.left, facts)
    right, right_pending, right_names = _value(expr.right, facts)
    names = left_names + right_names
    if left_pending or right_pending:
        pending = (left_names if left_pending else ()) + (right_names if right_pending else ())
        return Outcome(None, (), pending)
    if left is None or right is None:
        return Outcome(False, names, ())
    return Outcome(bool(_ORDER[expr.operator](left, right)), names, ())


Condition = Callable[[Facts], Outcome]


def compile_condition(expr: Expr) -> Condition:
    """``evaluate`` of one bound condition as a function of the facts alone.

    A policy's conditions are evaluated for every applicant; dispatching on node
    kinds and building the outcomes that do not depend on the facts is done here
    once. The results are those of ``evaluate``.
    """
    if isinstance(expr, Name):
        return _compile_name(expr.name)
    if isinstance(expr, And | Or):
        return _compile_junction(tuple(compile_condition(op) for op in expr.operands), expr)
    if isinstance(expr, Compare):
        return _compile_compare(expr)
    if isinstance(expr, Literal):
        constant = Outcome(bool(expr.value), (), ())
        return lambda facts: constant
    assert isinstance(expr, Not), "conditions are literals, names, not, and, or, comparisons"
    inner = compile_condition(expr.operand)

    def negation(facts: Facts) -> Outcome:
        outcome = inner(facts)
        value = None if outcome.value is None else not outcome.value
        return Outcome(value, outcome.decided_by, outcome.pending)

    return negation


def _compile_name(name: str) -> Condition:
    waiting, holds, fails = (
        Outcome(None, (), (name,)),
        Outcome(True, (name,), ()),
        Outcome(False, (name,), ()),
    )

    def fact(facts: Facts) -> Outcome:
        if facts.is_pending(name):
            return waiting
        return holds if facts.get(name) is True else fails

    return fact


def _compile_junction(parts: tuple[Condition, ...], expr: And | Or) -> Condition:
    deciding = isinstance(expr, Or)  # the value that settles it: true for or, false for and

    def junction(facts: Facts) -> Outcome:
        outcomes = [part(facts) for part in parts]
        settled = [outcome for outcome in outcomes if outcome.value is deciding]
        if settled:
            return _merge(settled, deciding)
        if any(outcome.value is None for outcome in outcomes):
            return _merge(outcomes, None)
        return _merge(outcomes, not deciding)

    return junction


def _compile_compare(expr: Compare) -> Condition:
    if not (isinstance(expr.left, Name) and isinstance(expr.right, Literal)):
        return lambda facts: _compare(expr, facts)
    # The usual form, a fact against a literal: ``hukou_move_in_date < 2024-09-01``.
    name, limit, order = expr.left.name, expr.right.value, _ORDER[expr.operator]
    waiting, holds, fails = (
        Outcome(None, (), (name,)),
        Outcome(True, (name,), ()),
        Outcome(False, (name,), ()),
    )

    def comparison(facts: Facts) -> Outcome:
        if facts.is_pending(name):
            return waiting
        value = facts.get(name)
        if value is None or limit is None:
            return fails
        return holds if order(value, limit) else fails

    return comparison


def names_in(expr: Expr) -> tuple[str, ...]:
    """Every fact a bound condition reads, in order of appearance."""
    if isinstance(expr, Literal):
        return ()
    if isinstance(expr, Name):
        return (expr.name,)
    if isinstance(expr, Not):
        return names_in(expr.operand)
    if isinstance(expr, And | Or):
        return tuple(dict.fromkeys(name for op in expr.operands for name in names_in(op)))
    return tuple(dict.fromkeys(names_in(expr.left) + names_in(expr.right)))
