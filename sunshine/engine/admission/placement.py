"""Coordinated placement (统筹): the unplaced go to the nearest school with a seat left."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from sunshine.engine.admission.model import ProblemError

# Mean Earth radius R1 = 6,371,008.8 m (IUGG; Moritz, "Geodetic Reference System 1980").
EARTH_RADIUS_M = 6_371_008.8
_CHUNK = 4096  # children per block of the distance matrix

Point = tuple[float, float]  # (latitude, longitude) in degrees


def distances_m(
    homes: npt.NDArray[np.float64], schools: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Great-circle (haversine) distance in metres, homes x schools, on a sphere of
    radius ``EARTH_RADIUS_M``; both arrays hold rows of (latitude, longitude) degrees."""
    lat1 = np.radians(homes[:, 0])[:, None]
    lon1 = np.radians(homes[:, 1])[:, None]
    lat2 = np.radians(schools[:, 0])[None, :]
    lon2 = np.radians(schools[:, 1])[None, :]
    half = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(half, 0, 1)))
    return result


def coordinated_placement(
    order: Sequence[str],
    homes: Mapping[str, Point],
    schools: Mapping[str, Point],
    remaining: Mapping[str, int],
    *,
    sibling_groups: Sequence[tuple[str, ...]] = (),
) -> dict[str, str | None]:
    """Place the children of ``order``, first come first served, each at the nearest school
    (great-circle distance from home) that still has a seat.

    Equal distances go to the smaller school id. A child whose sibling (a member of one
    of ``sibling_groups``) was placed earlier in this call joins that school even when it
    is full. Children find no place (``None``) only when no school has a seat left.
    Schools missing from ``remaining`` have no seat.
    """
    if len(set(order)) != len(order):
        raise ProblemError("a child appears twice in the placement order")
    missing = [child for child in order if child not in homes]
    if missing:
        raise ProblemError(f"no home coordinates for {missing[:5]!r}")
    school_ids = sorted(schools)
    seats = np.array([max(0, int(remaining.get(s, 0))) for s in school_ids], dtype=np.int64)
    family = {member: index for index, group in enumerate(sibling_groups) for member in group}
    family_school: dict[int, int] = {}
    school_points = np.array([schools[s] for s in school_ids], dtype=np.float64).reshape(-1, 2)
    placement: dict[str, str | None] = {}
    for block_start in range(0, len(order), _CHUNK):
        block = order[block_start : block_start + _CHUNK]
        home_points = np.array([homes[child] for child in block], dtype=np.float64).reshape(-1, 2)
        # Stable sort: equal distances keep school-id order.
        nearest_first = np.argsort(distances_m(home_points, school_points), axis=1, kind="stable")
        for child, ranking in zip(block, nearest_first, strict=True):
            placement[child] = _place(child, ranking, seats, family, family_school, school_ids)
    return placement


def _place(
    child: str,
    ranking: npt.NDArray[np.intp],
    seats: npt.NDArray[np.int64],
    family: Mapping[str, int],
    family_school: dict[int, int],
    school_ids: Sequence[str],
) -> str | None:
    group = family.get(child)
    if group is not None and group in family_school:
        school = family_school[group]
        seats[school] = max(0, seats[school] - 1)
        return school_ids[school]
    open_schools = ranking[seats[ranking] > 0]
    if not open_schools.size:
        return None
    school = int(open_schools[0])
    seats[school] -= 1
    if group is not None:
        family_school[group] = school
    return school_ids[school]
