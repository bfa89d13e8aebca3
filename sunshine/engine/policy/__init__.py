"""Admission categories from verified facts, by a declarative policy file per term.

A policy (TOML) lists categories in priority order, each with a condition in a
small expression language over the facts of ``sunshine.engine.checks.facts``,
a tie-break order inside the category, and whether the category goes to the
school's offline check. ``load_policy`` validates it and names the line of
every problem; ``evaluate`` gives a child's category with the facts behind it;
``what_if`` counts categories per school before a policy is adopted.
"""

from sunshine.engine.policy.evaluate import (
    CategoryAssignment,
    CategoryMiss,
    FactUse,
    PendingFacts,
    SchoolCounts,
    evaluate,
    priority_ranks,
    tie_key,
    what_if,
)
from sunshine.engine.policy.expression import ExpressionError
from sunshine.engine.policy.loader import (
    CategoryRule,
    Policy,
    PolicyError,
    PolicyProblem,
    TieBreak,
    default_policy_text,
    load_default_policy,
    load_policy,
)

__all__ = [
    "CategoryAssignment",
    "CategoryMiss",
    "CategoryRule",
    "ExpressionError",
    "FactUse",
    "PendingFacts",
    "Policy",
    "PolicyError",
    "PolicyProblem",
    "SchoolCounts",
    "TieBreak",
    "default_policy_text",
    "evaluate",
    "load_default_policy",
    "load_policy",
    "priority_ranks",
    "tie_key",
    "what_if",
]
