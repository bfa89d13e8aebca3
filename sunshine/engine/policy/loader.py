"""Reading a category policy from TOML, refusing anything wrong with the line it is on."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sunshine.engine.checks.facts import FACT_TYPES, FactType, FactValue, fact_type_of
from sunshine.engine.policy.expression import (
    Condition,
    Expr,
    ExpressionError,
    Literal,
    bind_condition,
    compile_condition,
    parse,
)

LOTTERY = "lottery"
DEFAULT_TEMPLATE = "changde-default.toml"


@dataclass(frozen=True, slots=True)
class TieBreak:
    """One key ordering children inside a category: a fact (earliest or smallest first,
    unless descending) or the lottery."""

    key: str
    descending: bool = False

    @property
    def is_lottery(self) -> bool:
        return self.key == LOTTERY


@dataclass(frozen=True, slots=True)
class CategoryRule:
    number: int
    name: str
    name_en: str
    description: str
    condition_text: str
    condition: Expr
    offline_check: bool
    tie_break: tuple[TieBreak, ...]
    line: int | None
    # ``condition`` as a function of the facts, evaluated for every applicant.
    test: Condition = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", compile_condition(self.condition))


@dataclass(frozen=True, slots=True)
class Policy:
    """A term's categories in priority order; the first whose condition holds applies."""

    name: str
    name_en: str
    term: str
    parameters: Mapping[str, FactValue]
    categories: tuple[CategoryRule, ...]
    source_sha256: str

    def category(self, number: int) -> CategoryRule:
        for rule in self.categories:
            if rule.number == number:
                return rule
        raise KeyError(number)


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class PolicyError(ValueError):
    """Every problem found in a policy file, each with the line it is on."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = tuple(problems)

    @property
    def lines(self) -> tuple[int | None, ...]:
        return tuple(problem.line for problem in self.problems)


_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_KEY = re.compile(r"\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")
Place = tuple[str, int | None]


class SourceMap:
    """Where each table and key of a TOML text is, for messages that name the line.

    Tables are named by header and, for arrays of tables, by position
    (``("category", 2)`` is the third ``[[category]]``).
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[Place, str | None], int] = {}
        counts: dict[str, int] = {}
        place: Place = ("", None)
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            key = _KEY.match(line)
            if header is not None and key is None:
                name = header.group(2)
                if header.group(1) == "[[":
                    position = counts.get(name, 0)
                    counts[name] = position + 1
                    place = (name, position)
                else:
                    place = (name, None)
                self._lines.setdefault((place, None), number)
            elif key is not None:
                self._lines.setdefault((place, key.group(1).strip('"')), number)
            for quotes in ('"""', "'''"):
                if line.count(quotes) % 2 == 1:
                    in_multiline = quotes
                    break

    def line(self, table: str, index: int | None = None, key: str | None = None) -> int | None:
        """The line of ``key`` in the table, else of the table's header, else None."""
        place = (table, index)
        return self._lines.get((place, key)) or self._lines.get((place, None))


_PARAMETER_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_TOP_KEYS = {"policy", "parameters", "category"}
_POLICY_KEYS = {"name", "name_en", "term", "description"}
_CATEGORY_KEYS = {
    "number",
    "name",
    "name_en",
    "description",
    "condition",
    "offline_check",
    "tie_break",
}


class _Loader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.source = SourceMap(text)
        self.problems: list[PolicyProblem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(PolicyProblem(line, message))

    def unknown_keys(self, table: Mapping[str, Any], allowed: set[str], where: Place) -> None:
        for key in table:
            if key not in allowed:
                line = self.source.line(where[0], where[1], key)
                known = ", ".join(sorted(allowed))
                self.problem(line, f"unknown key {key!r} (allowed: {known})")

    def text_value(
        self, table: Mapping[str, Any], key: str, where: Place, *, required: bool
    ) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(self.source.line(*where), f"{key!r} is required")
            return ""
        if not isinstance(value, str):
            self.problem(self.source.line(where[0], where[1], key), f"{key!r} must be text")
            return ""
        return value

    def load(self) -> Policy:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"line (\d+)", str(error))
            raise PolicyError(
                [PolicyProblem(int(found.group(1)) if found else None, f"not valid TOML: {error}")]
            ) from None
        self.unknown_keys(data, _TOP_KEYS, ("", None))
        header = data.get("policy")
        if not isinstance(header, dict):
            self.problem(None, "a [policy] table with a name is required")
            header = {}
        self.unknown_keys(header, _POLICY_KEYS, ("policy", None))
        name = self.text_value(header, "name", ("policy", None), required=True)
        name_en = self.text_value(header, "name_en", ("policy", None), required=False)
        term = self.text_value(header, "term", ("policy", None), required=False)
        parameters = self.parameters(data.get("parameters", {}))
        categories = self.categories(data.get("category"), parameters)
        if self.problems:
            raise PolicyError(self.problems)
        digest = hashlib.sha256(self.text.encode()).hexdigest()
        return Policy(name, name_en, term, parameters, categories, digest)

    def parameters(self, table: object) -> dict[str, FactValue]:
        if not isinstance(table, dict):
            self.problem(self.source.line("", None, "parameters"), "[parameters] must be a table")
            return {}
        values: dict[str, FactValue] = {}
        for key, value in table.items():
            line = self.source.line("parameters", None, key)
            if not _PARAMETER_NAME.fullmatch(key):
                self.problem(line, f"parameter {key!r}: use lower-case letters, digits and _")
            elif key in FACT_TYPES:
                self.problem(line, f"parameter {key!r} has the name of a fact")
            elif fact_type_of(value) is None:
                self.problem(
                    line, f"parameter {key!r} must be true/false, an integer or a date (2024-09-01)"
                )
            else:
                values[key] = value
        return values

    def categories(
        self, tables: object, parameters: Mapping[str, FactValue]
    ) -> tuple[CategoryRule, ...]:
        if not isinstance(tables, list) or not tables:
            self.problem(None, "at least one [[category]] is required")
            return ()
        read = [self.category(table, index, parameters) for index, table in enumerate(tables)]
        last = read[-1]
        if last is not None and not _always_true(last.condition):
            self.problem(
                self.source.line("category", len(read) - 1, "condition"),
                'the last category must have condition = "true", so every child gets one',
            )
        rules = [rule for rule in read if rule is not None]
        if len(rules) == len(read):
            self.check_numbering(rules)
        return tuple(rules)

    def check_numbering(self, rules: list[CategoryRule]) -> None:
        for position, rule in enumerate(rules, start=1):
            if rule.number != position:
                self.problem(
                    self.source.line("category", position - 1, "number"),
                    f"categories must be numbered 1, 2, 3 … in priority order; "
                    f"expected {position}, found {rule.number}",
                )

    def category(
        self, table: object, index: int, parameters: Mapping[str, FactValue]
    ) -> CategoryRule | None:
        where: Place = ("category", index)
        if not isinstance(table, dict):
            self.problem(self.source.line(*where), "each category must be a table")
            return None
        before = len(self.problems)
        self.unknown_keys(table, _CATEGORY_KEYS, where)
        number = table.get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            self.problem(
                self.source.line("category", index, "number"), "'number' must be an integer"
            )
        name = self.text_value(table, "name", where, required=True)
        condition_text = self.text_value(table, "condition", where, required=True)
        condition = self.condition(condition_text, parameters, where) if condition_text else None
        offline_check = table.get("offline_check", False)
        if not isinstance(offline_check, bool):
            self.problem(
                self.source.line("category", index, "offline_check"),
                "'offline_check' must be true or false",
            )
        tie_break = self.tie_break(table.get("tie_break", [LOTTERY]), where)
        if len(self.problems) > before or condition is None or not isinstance(number, int):
            return None
        return CategoryRule(
            number=number,
            name=name,
            name_en=self.text_value(table, "name_en", where, required=False),
            description=self.text_value(table, "description", where, required=False),
            condition_text=condition_text,
            condition=condition,
            offline_check=bool(offline_check),
            tie_break=tie_break,
            line=self.source.line(*where),
        )

    def condition(
        self, text: str, parameters: Mapping[str, FactValue], where: Place
    ) -> Expr | None:
        line = self.source.line(where[0], where[1], "condition")
        try:
            return bind_condition(parse(text), FACT_TYPES, parameters)
        except ExpressionError as error:
            self.problem(line, f"condition {text!r}: {error}")
            return None

    def tie_break(self, value: object, where: Place) -> tuple[TieBreak, ...]:
        line = self.source.line(where[0], where[1], "tie_break")
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(line, "'tie_break' must be a list of texts")
            return ()
        keys = []
        for item in value:
            key = self.tie_break_key(item, line)
            if key is not None:
                keys.append(key)
        names = [key.key for key in keys]
        if len(set(names)) != len(names):
            self.problem(line, "'tie_break' names a key twice")
        if not names or names[-1] != LOTTERY:
            self.problem(line, f"'tie_break' must end with {LOTTERY!r}, so that no tie is left")
        return tuple(keys)

    def tie_break_key(self, item: str, line: int | None) -> TieBreak | None:
        parts = item.split()
        descending = len(parts) == 2 and parts[1] == "desc"
        if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1] not in ("asc", "desc")):
            self.problem(line, f"tie-break {item!r}: write a fact, optionally followed by asc/desc")
            return None
        key = parts[0]
        if key == LOTTERY:
            return TieBreak(key)
        kind = FACT_TYPES.get(key)
        if kind is None:
            self.problem(line, f"tie-break {item!r}: unknown fact {key!r}")
            return None
        if kind is FactType.BOOL:
            self.problem(line, f"tie-break {item!r}: only dates and numbers can order children")
            return None
        return TieBreak(key, descending)


def _always_true(condition: Expr) -> bool:
    return isinstance(condition, Literal) and condition.value is True


def load_policy(text: str) -> Policy:
    """Parse and validate a policy; raise PolicyError listing each problem with its line."""
    return _Loader(text).load()


def default_policy_text() -> str:
    """The Changde-pattern template shipped with the engine."""
    return resources.files(__package__).joinpath(DEFAULT_TEMPLATE).read_text(encoding="utf-8")


def load_default_policy() -> Policy:
    return load_policy(default_policy_text())
