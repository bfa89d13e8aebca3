"""A synthetic Changde-like city for the demo and the tests, deterministic from a seed.

``generate_city`` returns plain frozen data (``City``): districts, residential
compounds, schools with seats, catchment zones, families with what they
declare, and the department records that describe their real situation.
"""

from sunshine.demo.addresses import canonical_address
from sunshine.demo.city import generate_city, summary
from sunshine.demo.model import (
    Adult,
    Child,
    City,
    DepartmentRecords,
    District,
    Family,
    Home,
    Level,
    Scenario,
    School,
    SchoolKind,
    Zone,
)

__all__ = [
    "Adult",
    "Child",
    "City",
    "DepartmentRecords",
    "District",
    "Family",
    "Home",
    "Level",
    "Scenario",
    "School",
    "SchoolKind",
    "Zone",
    "canonical_address",
    "generate_city",
    "summary",
]
