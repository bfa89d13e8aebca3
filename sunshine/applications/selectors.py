"""Reads about children and their guardians."""

from __future__ import annotations

from collections.abc import Iterable

from sunshine.applications.models import Guardian, Guardianship

_CHUNK = 2000


def first_guardians(child_ids: Iterable[int]) -> dict[int, Guardian]:
    """Each child's first-registered guardian, whom announcements are sent to, in few queries."""
    wanted = sorted(set(child_ids))
    found: dict[int, Guardian] = {}
    for start in range(0, len(wanted), _CHUNK):
        links = (
            Guardianship.objects.filter(child_id__in=wanted[start : start + _CHUNK])
            .select_related("guardian")
            .order_by("child_id", "guardian_id")
        )
        for link in links:
            found.setdefault(link.child_id, link.guardian)
    return found
