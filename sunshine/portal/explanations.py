"""The admission engine's explanation of a result, in words a parent reads.

For each school the child listed: whether it was admitted there, the child's
own category and lottery number, and the school's cutoff: the category and
lottery number of the last child admitted. Zone admission ranks children by a
priority (the category, then its tie-break facts); the category of each
priority is read back from the run's placements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sunshine.admissions.models import AdmissionRun, Placement

OUTCOMES = {
    "admitted": gettext_noop("已录取"),
    "better_choice_admitted": gettext_noop("已被更靠前的志愿录取，本校不再考虑"),
    "below_cutoff": gettext_noop("未达到录取线"),
    "filled_in_earlier_round": gettext_noop("在您填报之前已满额"),
}


@dataclass(frozen=True)
class Row:
    school: str
    stage: str
    admitted: bool
    outcome: str
    yours: str
    cutoff: str
    draw: str | None


def priority_categories(run: AdmissionRun) -> dict[int, int]:
    """Zone-stage priority → category, as the run's own placements record them."""
    pairs = (
        Placement.objects.filter(run=run, category__isnull=False)
        .values_list("explanation__zone__0__priority", "category")
        .distinct()
    )
    return {int(priority): int(category) for priority, category in pairs if priority is not None}


def _category_text(priority: int | None, categories: dict[int, int]) -> str:
    if priority is None or priority not in categories:
        return ""
    return _("第%(n)d类") % {"n": categories[priority]}


def _standing(category: str, number: int | None) -> str:
    if number is None:
        return category or _("无需摇号")
    if category:
        return _("%(category)s，摇号序号 %(number)d") % {"category": category, "number": number}
    return _("摇号序号 %(number)d") % {"number": number}


def _cutoff(
    item: dict[str, Any], school: dict[str, Any], categories: dict[int, int], zoned: bool
) -> str:
    cutoff = item.get("cutoff")
    full = school.get("admitted", 0) >= school.get("seats", 0)
    if not full or cutoff is None:
        return _("学位未满，填报的孩子全部录取")
    if not zoned:
        if cutoff.get("number") is None:
            return _("报名人数不超过学位，无需摇号，全部录取")
        return _("摇号序号 1 至 %(number)d 录取") % {"number": cutoff["number"]}
    category = _category_text(cutoff.get("priority"), categories)
    if cutoff.get("number") is None:
        return _("录取到%(category)s为止（该类全部录取，之后的类别未录取）") % {
            "category": category or _("最后一个录取的类别")
        }
    return _("录取到%(standing)s") % {"standing": _standing(category, cutoff["number"])}


def rows(placement: Placement) -> list[Row]:
    run = placement.run
    schools: dict[str, dict[str, Any]] = run.summary.get("schools", {})
    categories = priority_categories(run)
    result = []
    for stage, stage_name, stage_categories in (
        ("private", _("民办学校"), {}),
        ("zone", _("划片学校"), categories),
    ):
        for item in placement.explanation.get(stage, []):
            code = item["school"]
            school = schools.get(code, {})
            result.append(
                Row(
                    school=school.get("name", code),
                    stage=stage_name,
                    admitted=bool(item["admitted"]),
                    outcome=_(OUTCOMES.get(item["outcome"], item["outcome"])),
                    yours=_standing(
                        _category_text(item.get("priority"), stage_categories), item.get("number")
                    ),
                    cutoff=_cutoff(item, school, stage_categories, zoned=stage == "zone"),
                    draw=school.get("draw"),
                )
            )
    return result
