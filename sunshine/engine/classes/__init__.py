"""One-click class placement (一键分班) and the head-teacher draw.

Public API:

* ``Pupil(pupil_id, sex, birth_month, scores={}, special_needs=False, twin_group=None,
  twins_together=True)``; ``birth_month`` counts months since January of year 0
  (``birth_month_index(year, month) == year * 12 + month - 1``).
* ``PlacementRequest(pupils=..., seed=..., class_count=N | class_size=N,
  must_separate=((id, id), ...))``.
* ``place_pupils(request) -> Placement`` with ``classes`` (tuples of pupil IDs, sorted),
  ``quality`` (``PlacementQuality``), ``seed`` and ``algorithm``. Raises
  ``PlacementError`` (a ``ValueError``) when the request cannot be met.
* ``measure_quality(classes, pupils_by_id) -> PlacementQuality`` for any class lists.
* ``pupils_to_csv`` / ``pupils_from_csv``, ``pairs_to_csv`` / ``pairs_from_csv`` and
  ``classes_to_csv``: the published files an observer recomputes a placement from.
* ``draw_teachers(class_ids, teacher_ids, seed) -> TeacherDraw``: head teachers to
  classes by the public lottery's ``draw`` over the published teacher list.

docs/class-placement.md describes the algorithm and how an observer recomputes it.
"""

from sunshine.engine.classes.interchange import (
    classes_to_csv,
    pairs_from_csv,
    pairs_to_csv,
    pupils_from_csv,
    pupils_to_csv,
)
from sunshine.engine.classes.model import (
    ALGORITHM,
    Placement,
    PlacementError,
    PlacementQuality,
    PlacementRequest,
    Pupil,
    birth_month_index,
)
from sunshine.engine.classes.placement import place_pupils
from sunshine.engine.classes.quality import measure_quality
from sunshine.engine.classes.teachers import TeacherDraw, TeacherDrawError, draw_teachers

__all__ = [
    "ALGORITHM",
    "Placement",
    "PlacementError",
    "PlacementQuality",
    "PlacementRequest",
    "Pupil",
    "TeacherDraw",
    "TeacherDrawError",
    "birth_month_index",
    "classes_to_csv",
    "draw_teachers",
    "measure_quality",
    "pairs_from_csv",
    "pairs_to_csv",
    "place_pupils",
    "pupils_from_csv",
    "pupils_to_csv",
]
