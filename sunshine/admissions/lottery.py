"""Conducting and storing a public draw. Call inside the transaction that uses it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sunshine import __version__
from sunshine.admissions.models import LotteryDraw
from sunshine.audit.services import Actor, record
from sunshine.engine import lottery
from sunshine.engine.lottery.record import build_record, compute_seed
from sunshine.engine.lottery.sources import Source
from sunshine.schools.models import Round, School


def draw_reference(entry_list_sha256: str, seed: bytes, scope: str = "") -> str:
    """The same frozen list drawn with the same seed for the same round and school is the
    same draw, with the same name; another school's identical list is a draw of its own."""
    digest = hashlib.sha256(f"{entry_list_sha256}:{seed.hex()}:{scope}".encode()).hexdigest()
    return "L" + digest[:12].upper()


def seed_for(entries: Sequence[str], sources: Sequence[Source]) -> bytes:
    """The seed the published rule derives for ``entries`` from ``sources``."""
    frozen = lottery.freeze_entries(entries)
    return compute_seed(lottery.ALGORITHM, frozen.sha256, sources)


def conduct_draw(
    actor: Actor,
    *,
    title: str,
    entries: Sequence[str],
    sources: Sequence[Source],
    now: dt.datetime,
    round_: Round | None = None,
    school: School | None = None,
    supersedes: LotteryDraw | None = None,
    reason: str = "",
) -> LotteryDraw:
    """Freeze the entry list, derive the seed from the announced sources, draw, record.

    Drawing again over the same list with the same sources returns the stored
    record: the result could not differ, so there is nothing new to record.
    """
    frozen = lottery.freeze_entries(entries)
    seed = compute_seed(lottery.ALGORITHM, frozen.sha256, sources)
    scope = f"{round_.pk if round_ else ''}:{school.code if school else ''}"
    reference = draw_reference(frozen.sha256, seed, scope)
    existing = LotteryDraw.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    context = {"round": str(round_) if round_ else "", "school": school.code if school else ""}
    sealed = build_record(
        frozen.entries,
        sources,
        draw_id=reference,
        code_version=__version__,
        title=title,
        context=context,
        supersedes=supersedes.record_hash if supersedes else None,
        reason=reason or None,
    )
    draw = LotteryDraw.objects.create(
        reference=reference,
        round=round_,
        school=school,
        title=title,
        record=sealed,
        entry_list_hash=frozen.sha256,
        record_hash=sealed["record_sha256"],
        algorithm=sealed["algorithm"],
        entry_count=len(frozen.entries),
        supersedes=supersedes,
        reason=reason,
        drawn_at=now,
    )
    record(
        actor,
        "lottery.drawn",
        draw,
        entries=len(frozen.entries),
        entry_list_sha256=frozen.sha256,
        record_sha256=sealed["record_sha256"],
    )
    return draw


def numbers_of(draw: LotteryDraw) -> dict[str, int]:
    """Each entry's lottery number (1 = drawn first)."""
    return {entry: position for position, entry in enumerate(draw.record["order"], start=1)}
