"""Categories from facts, with the facts that decided them; what-if counts; priorities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sunshine.engine.checks.facts import Facts, FactValue
from sunshine.engine.policy.loader import CategoryRule, Policy


@dataclass(frozen=True, slots=True)
class FactUse:
    """A fact a decision rested on and its value (None when absent)."""

    fact: str
    value: FactValue | None


@dataclass(frozen=True, slots=True)
class CategoryMiss:
    """A higher category that did not apply, and the facts that ruled it out."""

    category: int
    name: str
    facts: tuple[FactUse, ...]


@dataclass(frozen=True, slots=True)
class CategoryAssignment:
    """The category a child's facts give under a policy, and why.

    ``category`` is None while a pending fact could still change it; then
    ``pending_facts`` names what the decision waits for. ``tie_break_pending``
    names tie-break facts not known yet (the category stands; the order inside
    it waits).
    """

    category: int | None
    name: str | None
    name_en: str | None
    offline_check: bool
    reasons: tuple[FactUse, ...]
    passed_over: tuple[CategoryMiss, ...]
    pending_facts: tuple[str, ...] = ()
    tie_break_pending: tuple[str, ...] = ()

    @property
    def determined(self) -> bool:
        return self.category is not None


def _uses(names: Sequence[str], facts: Facts) -> tuple[FactUse, ...]:
    return tuple(FactUse(name, facts.get(name)) for name in names)


def evaluate(policy: Policy, facts: Facts) -> CategoryAssignment:
    """The first category, in priority order, whose condition holds for these facts."""
    passed_over: list[CategoryMiss] = []
    for rule in policy.categories:
        outcome = rule.test(facts)
        if outcome.value is None:
            return CategoryAssignment(
                category=None,
                name=None,
                name_en=None,
                offline_check=False,
                reasons=(),
                passed_over=tuple(passed_over),
                pending_facts=outcome.pending,
            )
        if outcome.value:
            waiting = tuple(
                key.key
                for key in rule.tie_break
                if not key.is_lottery and facts.is_pending(key.key)
            )
            return CategoryAssignment(
                category=rule.number,
                name=rule.name,
                name_en=rule.name_en,
                offline_check=rule.offline_check,
                reasons=_uses(outcome.decided_by, facts),
                passed_over=tuple(passed_over),
                tie_break_pending=waiting,
            )
        passed_over.append(CategoryMiss(rule.number, rule.name, _uses(outcome.decided_by, facts)))
    # Unreachable for a loaded policy: its last category's condition is "true".
    raise AssertionError("policy without a catch-all category")


@dataclass(frozen=True, slots=True)
class SchoolCounts:
    """How a school's applicants fall into categories under one policy."""

    school_id: str
    by_category: Mapping[int, int]
    offline_check: int
    pending: int
    total: int


def what_if(
    policy: Policy, facts_by_school: Mapping[str, Sequence[Facts]]
) -> dict[str, SchoolCounts]:
    """Counts per school and category if ``policy`` were adopted, before adopting it.

    Each school's facts must be derived against that school's catchment zone.
    Applicants whose category still waits on a pending fact are counted apart.
    """
    counts: dict[str, SchoolCounts] = {}
    for school_id, applicants in facts_by_school.items():
        by_category = {rule.number: 0 for rule in policy.categories}
        offline = pending = 0
        for facts in applicants:
            assignment = evaluate(policy, facts)
            if assignment.category is None:
                pending += 1
                continue
            by_category[assignment.category] += 1
            offline += assignment.offline_check
        counts[school_id] = SchoolCounts(school_id, by_category, offline, pending, len(applicants))
    return counts


class PendingFacts(ValueError):
    """Priorities were asked for while some applicant's category or order is not settled."""

    def __init__(self, positions: Sequence[int]) -> None:
        super().__init__(f"applicants at positions {list(positions)} wait for pending facts")
        self.positions = tuple(positions)


# An absent tie-break fact sorts after every present one.
_ABSENT = (1, 0)


def tie_key(rule: CategoryRule, facts: Facts) -> tuple[tuple[int, int], ...]:
    """A child's order inside ``rule``'s category by its tie-break facts (lottery aside).

    Smaller sorts first; an absent fact sorts after every present one.
    """
    key = []
    for tie in rule.tie_break:
        if tie.is_lottery:
            continue
        value = facts.get(tie.key)
        if value is None:
            key.append(_ABSENT)
            continue
        number = value.toordinal() if not isinstance(value, int) else int(value)
        key.append((0, -number if tie.descending else number))
    return tuple(key)


def priority_ranks(policy: Policy, applicants: Sequence[Facts]) -> list[int]:
    """Dense priority ranks (1 = best) for one school's applicants: category first, then the
    category's tie-break facts; the lottery then orders children of equal rank.

    Raises PendingFacts when any applicant's category or tie-break waits for a
    pending fact: admission must not run on facts that may still change.
    """
    keys = []
    waiting = []
    for position, facts in enumerate(applicants):
        assignment = evaluate(policy, facts)
        if assignment.category is None or assignment.tie_break_pending:
            waiting.append(position)
            continue
        rule = policy.category(assignment.category)
        keys.append((assignment.category, tie_key(rule, facts)))
    if waiting:
        raise PendingFacts(waiting)
    rank_of = {key: rank for rank, key in enumerate(sorted(set(keys)), start=1)}
    return [rank_of[key] for key in keys]
