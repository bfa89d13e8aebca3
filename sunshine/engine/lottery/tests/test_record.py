"""Draw records: sealed, recomputable, and any change found at its first place."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from sunshine.engine.lottery import (
    ALGORITHM,
    build_record,
    build_redraw,
    derive_seed,
    draw,
    entry_list_hash,
    record_hash,
    rfc3797,
    verify_record,
)
from sunshine.engine.lottery.drand import drand_source
from sunshine.engine.lottery.sources import Source, lottery_source, onsite_source
from sunshine.engine.lottery.tests.test_drand import QUICKNET_123

ENTRIES = [f"WL2025-{i:04d}" for i in range(1, 41)]


def sources() -> list[Source]:
    return [
        lottery_source("tc-dlt", "25078", "03 11 19 27 33 + 04 12"),
        drand_source(QUICKNET_123, check_signature=False),
        onsite_source("notary", "58213", "５８２１３"),
    ]


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return build_record(
        ENTRIES, sources(), draw_id="wl-2025-07", code_version="test", title="武陵区第一小学"
    )


def test_record_holds_the_draw_as_the_rule_defines_it(record: dict[str, Any]) -> None:
    entry_hash = entry_list_hash(ENTRIES)
    seed = derive_seed(entry_hash, {s.name: s.value for s in sources()})
    assert record["entry_list_sha256"] == entry_hash
    assert record["seed"] == seed.hex()
    assert record["algorithm"] == ALGORITHM
    assert record["order"] == list(draw(ENTRIES, seed).order)
    assert record["entries"] == ENTRIES and record["entry_count"] == 40


def test_record_hash_covers_the_canonical_form_without_itself(record: dict[str, Any]) -> None:
    body = {key: value for key, value in record.items() if key != "record_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record["record_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_untouched_record_verifies_including_the_drand_signature(record: dict[str, Any]) -> None:
    result = verify_record(record)
    assert result.ok, str(result)


def test_record_survives_a_json_round_trip(record: dict[str, Any]) -> None:
    assert verify_record(json.loads(json.dumps(record, ensure_ascii=False))).ok


def tampered(record: dict[str, Any], change: Any) -> dict[str, Any]:
    copied = copy.deepcopy(record)
    change(copied)
    return copied


def test_a_changed_entry_is_found_at_its_position(record: dict[str, Any]) -> None:
    def change(r: dict[str, Any]) -> None:
        r["entries"][6] = "WL2025-9999"

    difference = verify_record(tampered(record, change)).difference
    assert difference is not None
    assert (difference.field, difference.position) == ("entries", 7)


def test_a_changed_source_value_is_found_at_the_seed(record: dict[str, Any]) -> None:
    def change(r: dict[str, Any]) -> None:
        r["sources"][2]["value"] = "58214"

    difference = verify_record(tampered(record, change)).difference
    assert difference is not None and difference.field == "seed"


def test_a_changed_drand_value_is_found_at_that_source(record: dict[str, Any]) -> None:
    def change(r: dict[str, Any]) -> None:
        r["sources"][1]["value"] = "0" * 64

    difference = verify_record(tampered(record, change)).difference
    assert difference is not None and difference.field == "sources[1].value"


def test_a_forged_drand_signature_is_found(record: dict[str, Any]) -> None:
    other = drand_source(
        QUICKNET_123.__class__("quicknet", 123, "a" + QUICKNET_123.signature[1:]),
        check_signature=False,
    )
    forged = build_record(ENTRIES, [other], draw_id="forged", code_version="test", title="forged")
    difference = verify_record(forged).difference
    assert difference is not None and difference.field == "sources[0].evidence.signature"


def test_a_changed_result_is_found_at_its_lottery_number(record: dict[str, Any]) -> None:
    def change(r: dict[str, Any]) -> None:
        r["order"][11], r["order"][30] = r["order"][30], r["order"][11]

    difference = verify_record(tampered(record, change)).difference
    assert difference is not None
    assert (difference.field, difference.position) == ("order", 12)
    assert difference.recomputed == record["order"][11]


def test_a_changed_title_is_found_by_the_record_hash(record: dict[str, Any]) -> None:
    def change(r: dict[str, Any]) -> None:
        r["title"] = "另一所学校"

    difference = verify_record(tampered(record, change)).difference
    assert difference is not None and difference.field == "record_sha256"


def test_a_missing_field_is_named(record: dict[str, Any]) -> None:
    difference = verify_record(tampered(record, lambda r: r.pop("seed"))).difference
    assert difference is not None and (difference.field, difference.message) == ("seed", "missing")


def test_a_redraw_is_a_new_record_naming_the_old_one_and_why(record: dict[str, Any]) -> None:
    redraw = build_redraw(
        record,
        "公证员缺席，依规程重新摇号",
        ENTRIES,
        [onsite_source("notary", "11111", "11111")],
        draw_id="wl-2025-07-redraw",
        code_version="test",
    )
    assert redraw["supersedes"] == record["record_sha256"]
    assert redraw["reason"] == "公证员缺席，依规程重新摇号"
    assert redraw["title"] == record["title"]
    assert verify_record(redraw).ok
    assert verify_record(record).ok


def test_a_redraw_needs_a_reason(record: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="reason"):
        build_redraw(record, " ", ENTRIES, sources(), draw_id="x", code_version="test")


def test_a_redraw_of_a_tampered_record_is_refused(record: dict[str, Any]) -> None:
    broken = tampered(record, lambda r: r.update(title="x"))
    with pytest.raises(ValueError, match="own hash"):
        build_redraw(broken, "why", ENTRIES, sources(), draw_id="x", code_version="test")


def test_a_reason_without_supersedes_fails_verification(record: dict[str, Any]) -> None:
    forged = tampered(record, lambda r: r.update(reason="because"))
    forged["record_sha256"] = record_hash(forged)
    difference = verify_record(forged).difference
    assert difference is not None and difference.field == "supersedes"


def test_rfc3797_records_reproduce_the_rfc_example() -> None:
    pool = [f"V{i:02d}" for i in range(1, 26)]
    numeric = [
        Source("rfc:1", "other", "9319"),
        Source("rfc:2", "other", "2 5 12 8 10"),
        Source("rfc:3", "other", "9 18 26 34 41 45"),
    ]
    record = build_record(
        pool, numeric, draw_id="rfc", code_version="test", algorithm=rfc3797.ALGORITHM
    )
    assert bytes.fromhex(record["seed"]).decode() == "9319./2.5.8.10.12./9.18.26.34.41.45./"
    assert record["order"][:10] == [pool[p - 1] for p in [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]]
    assert verify_record(record).ok


def test_rfc3797_records_refuse_non_numeric_sources() -> None:
    with pytest.raises(ValueError, match="numeric sources only"):
        build_record(
            ["A", "B"],
            [drand_source(QUICKNET_123, check_signature=False)],
            draw_id="x",
            code_version="test",
            algorithm=rfc3797.ALGORITHM,
        )


def test_records_refuse_floats_so_their_canonical_form_is_unique(
    record: dict[str, Any],
) -> None:
    with pytest.raises(ValueError, match="floating-point"):
        record_hash({**record, "context": {"weight": 0.5}})
