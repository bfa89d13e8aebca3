"""Hypothesis strategies: small admission problems of every kind the engine accepts."""

from __future__ import annotations

from hypothesis import strategies as st

from sunshine.engine.admission.model import Application, Problem, Reserve


@st.composite
def problems(
    draw: st.DrawFn,
    max_children: int = 9,
    max_schools: int = 4,
    multiple: bool | None = None,
    twins: bool = True,
    reserves: bool = False,
    common_order: bool = False,
    max_priority: int = 3,
) -> Problem:
    n_children = draw(st.integers(1, max_children))
    n_schools = draw(st.integers(1, max_schools))
    children = [f"c{i}" for i in range(n_children)]
    schools = [f"s{j}" for j in range(n_schools)]
    capacities = {s: draw(st.integers(0, 3)) for s in schools}
    numbers = draw(st.permutations(range(n_children)))
    tiebreak = dict(zip(children, numbers, strict=True))
    groups: list[tuple[str, ...]] = []
    if twins and n_children >= 2 and draw(st.booleans()):
        size = draw(st.integers(2, min(3, n_children)))
        members = tuple(draw(st.permutations(children))[:size])
        groups.append(members)
    use_multiple = draw(st.booleans()) if multiple is None else multiple
    score = {c: draw(st.integers(1, max_priority)) for c in children}
    applications = []
    school_tiebreak: dict[tuple[str, str], int] | None = {} if use_multiple else None
    for child in children:
        listed = draw(st.permutations(schools))[: draw(st.integers(0, n_schools))]
        for rank, school in enumerate(listed, start=1):
            priority = score[child] if common_order else draw(st.integers(1, max_priority))
            applications.append(Application(child, rank, school, priority))
            if school_tiebreak is not None:
                school_tiebreak[(child, school)] = draw(st.integers(0, 3 * n_children))
    reserve_list = []
    order = "reserved_first"
    if reserves:
        order = draw(st.sampled_from(["reserved_first", "open_first"]))
        for school in schools:
            if capacities[school] and draw(st.booleans()):
                seats = draw(st.integers(1, capacities[school]))
                eligible = frozenset(c for c in children if draw(st.booleans()))
                reserve_list.append(Reserve(school, seats, eligible))
    return Problem(
        capacities=capacities,
        tiebreak=tiebreak,
        applications=applications,
        school_tiebreak=school_tiebreak,
        sibling_groups=groups,
        reserves=reserve_list,
        reserve_order=order,  # type: ignore[arg-type]
    )
