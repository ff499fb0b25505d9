"""Ingestion: the position reports of one bus, from a driver's device or a tracker app, filtered against its
live position and each other; what passes (and what is only late) goes to history in one batch, then the
newest accepted fix becomes the live position and is announced to the websockets watching the bus.

History first: an answer that says "accepted" means the fix is in PostgreSQL. Redis holds only the live
position, a cache of history's newest live fix: when Redis does not answer, or has restarted empty, the
filters compare with history's newest live fix instead, the report is still recorded, and the live position
catches up with the next fix Redis takes. So a Redis restart loses no accepted point and never lets a late
one move the bus back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

import redis
from django.utils import timezone

from apps.tracking import fanout, filters, live
from apps.tracking.filters import ACCEPTED, LATE, REFUSED, Anchor, Outcome, Verdict
from apps.tracking.fixes import Fix
from apps.tracking.history.selectors import newest_live_fix
from apps.tracking.history.writer import fixes_record
from apps.tracking.progress.evaluate import trip_progress_update

logger = logging.getLogger(__name__)


class PositionReport(NamedTuple):
    """One point as a device reported it, in the Fix's units (speed in km/h). A named tuple, as Fix is: a batch
    makes one of each per point, which a frozen dataclass's field-by-field __init__ made four times as dear."""

    latitude: float
    longitude: float
    fixed_at: datetime
    speed_kmh: float | None = None
    heading: float | None = None
    altitude_m: float | None = None
    accuracy_m: float | None = None
    battery_percent: float | None = None


@dataclass(frozen=True)
class PointOutcome:
    index: int  # the report's position in what was sent
    outcome: str  # accepted | late | refused
    reason: str | None  # why it was refused


@dataclass(frozen=True)
class IngestResult:
    outcomes: list[PointOutcome]
    recorded: list[Fix]  # accepted and late fixes, in the order reported: what history keeps
    newest: Fix | None  # the newest accepted fix: the one offered to the live store


# a fix is made of a report by position (twice as quick as by name): its batch's company, bus and source, the
# report's position and time, the reception time and trip, then the report's other fields
_FIX_ORDER = ("company_id", "bus_id", "source", *PositionReport._fields[:3], "received_at", "trip_id",
              *PositionReport._fields[3:])
if Fix._fields != _FIX_ORDER:
    raise TypeError(f"A fix's fields are {Fix._fields}: fixes_sort makes them in the order {_FIX_ORDER}")

# each verdict as the answer spells it: (outcome, reason)
SPELT: dict[Verdict, tuple[str, str | None]] = {
    verdict: (verdict.outcome.value, verdict.reason.value if verdict.reason else None)
    for verdict in (ACCEPTED, LATE, *REFUSED.values())}


def fixes_sort(*, company_id: UUID, bus_id: UUID, trip_id: UUID | None, source: str,
               reports: Sequence[PositionReport], anchor: Anchor | None, now: datetime) -> IngestResult:
    """Filter the reports in order, each against the newest accepted so far (the live position to begin with)."""
    limits = filters.thresholds()
    outcomes: list[PointOutcome] = []
    recorded: list[Fix] = []
    newest: Fix | None = None
    for index, report in enumerate(reports):
        fix = Fix._make((company_id, bus_id, source, *report[:3], now, trip_id, *report[3:]))  # see _FIX_ORDER
        verdict = filters.fix_verdict(fix, anchor=newest or anchor, now=now, limits=limits)
        outcomes.append(PointOutcome(index, *SPELT[verdict]))
        if verdict.outcome is Outcome.REFUSED:
            continue
        recorded.append(fix)
        if verdict.outcome is Outcome.ACCEPTED:
            newest = fix
    return IngestResult(outcomes=outcomes, recorded=recorded, newest=newest)


def _anchor(bus_id: UUID) -> Anchor | None:
    """What the bus's reports are compared with: its live position, else history's newest live fix."""
    try:
        found = live.bus_live(bus_id)
    except redis.RedisError:
        logger.warning("tracking.live_unavailable", extra={"bus_id": str(bus_id), "step": "read"})
        found = None
    return found if found is not None else newest_live_fix(bus_id=bus_id)


def _live_move(fix: Fix) -> bool:
    """Move the bus, and announce it to its watchers once it moved: one round trip to Redis."""
    try:
        return live.position_move(fix, fanout.position_publications(fix))
    except redis.RedisError:
        logger.warning("tracking.live_unavailable", extra={"bus_id": str(fix.bus_id), "step": "move"})
        return False


def fixes_ingest(*, company_id: UUID, bus_id: UUID, trip_id: UUID | None, source: str,
                 reports: Sequence[PositionReport]) -> list[PointOutcome]:
    """Filter, record and publish one bus's reports; the answer says per report what became of it."""
    # now in the current time zone, the one a driver's batch is read into: the filters then compare times of one
    # zone without converting either (a sixth of a batch's filtering)
    result = fixes_sort(company_id=company_id, bus_id=bus_id, trip_id=trip_id, source=source, reports=reports,
                        anchor=_anchor(bus_id), now=timezone.localtime())
    fixes_record(result.recorded, live_flags=[fix is result.newest for fix in result.recorded])
    # a concurrent writer with a newer fix wins the live store's compare-and-set; then this one is not announced
    if result.newest is not None and _live_move(result.newest):
        # last, once the report is kept and announced: progress failing is logged, never fails the report
        trip_progress_update(result)
    return result.outcomes
