"""How department records are keyed, stored and read back as engine records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

import orjson

from sunshine.engine import idnumber
from sunshine.engine import records as shapes
from sunshine.engine.checks.certificate import canonical_certificate_no
from sunshine.privacy.crypto import blind_index, blind_indexer
from sunshine.verification.models import Department, RecordKind


@dataclasses.dataclass(frozen=True)
class KindSpec:
    department: Department
    shape: type[Any]
    key_field: str


KINDS: dict[RecordKind, KindSpec] = {
    RecordKind.HUKOU: KindSpec(Department.POLICE, shapes.HukouRecord, "id_number"),
    RecordKind.BIRTH: KindSpec(Department.HEALTH, shapes.BirthRecord, "child_id_number"),
    RecordKind.PROPERTY: KindSpec(
        Department.NATURAL_RESOURCES, shapes.PropertyRecord, "certificate_no"
    ),
    RecordKind.HOUSING_CONTRACT: KindSpec(
        Department.HOUSING, shapes.HousingContractRecord, "contract_no"
    ),
    RecordKind.RENTAL: KindSpec(Department.HOUSING, shapes.RentalRecord, "registration_no"),
    RecordKind.SOCIAL_INSURANCE: KindSpec(
        Department.HUMAN_RESOURCES, shapes.SocialInsuranceRecord, "id_number"
    ),
    RecordKind.RESIDENCE_PERMIT: KindSpec(
        Department.POLICE, shapes.ResidencePermitRecord, "permit_no"
    ),
}


def canonical_key(kind: str, key: str) -> str:
    """The form a key is filed under, so declared and recorded spellings meet."""
    if kind == RecordKind.PROPERTY:
        return canonical_certificate_no(key)
    if key.isascii() and key.isalnum() and not key.islower() and key == key.upper():
        return key  # already canonical, as keys the checks pass always are
    return idnumber.normalise(key)


def key_index(kind: str, key: str) -> str:
    return blind_index(canonical_key(kind, key), f"record:{kind}")


def key_indexer(kind: str) -> Callable[[str], str]:
    """``key_index`` for many keys of one kind."""
    index = blind_indexer(f"record:{kind}")
    return lambda key: index(canonical_key(kind, key))


def to_json(record: Any) -> str:
    return json.dumps(dataclasses.asdict(record), ensure_ascii=False, default=_default)


def _default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value)


def _as_owners(value: Any) -> tuple[shapes.PropertyOwner, ...]:
    return tuple(shapes.PropertyOwner(**owner) for owner in value)


def _as_is(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@functools.cache
def _converters(kind: str) -> tuple[type[Any], tuple[tuple[str, Callable[[Any], Any]], ...]]:
    """How each field of a kind's record is read back from JSON (worked out once per kind).

    In the order of the record's fields, which are all given to its constructor.
    """
    shape = KINDS[RecordKind(kind)].shape
    converters: list[tuple[str, Callable[[Any], Any]]] = []
    for field in dataclasses.fields(shape):
        assert field.init, f"{shape.__name__}.{field.name} is not set by the constructor"
        if field.name.endswith("_date") or field.name == "valid_until":
            converters.append((field.name, _as_date))
        elif field.name == "owners":
            converters.append((field.name, _as_owners))
        else:
            converters.append((field.name, _as_is))
    return shape, tuple(converters)


def from_json(kind: str, payload: str) -> Any:
    """Rebuild the engine record; dates come back as dates, owners as PropertyOwner.

    orjson reads the JSON ``to_json`` wrote as json would, in a fraction of the time.
    """
    data = orjson.loads(payload)
    shape, converters = _converters(kind)
    return shape(*[convert(data[name]) for name, convert in converters])
