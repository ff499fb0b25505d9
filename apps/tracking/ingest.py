"""Ingestion: the position reports of one bus, from a driver's device or a tracker app, filtered against its
live position and each other; what passes (and what is only late) goes to history in one batch, and the
newest accepted fix becomes the live position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from apps.tracking import filters, live
from apps.tracking.filters import Anchor, Outcome
from apps.tracking.fixes import Fix
from apps.tracking.history.writer import fixes_record
from apps.tracking.progress.evaluate import trip_progress_update


@dataclass(frozen=True)
class PositionReport:
    """One point as a device reported it, in the Fix's units (speed in km/h)."""

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


def fixes_sort(*, company_id: UUID, bus_id: UUID, trip_id: UUID | None, source: str,
               reports: Sequence[PositionReport], anchor: Anchor | None, now: datetime) -> IngestResult:
    """Filter the reports in order, each against the newest accepted so far (the live position to begin with)."""
    limits = filters.thresholds()
    outcomes: list[PointOutcome] = []
    recorded: list[Fix] = []
    newest: Fix | None = None
    for index, report in enumerate(reports):
        fix = Fix(company_id=company_id, bus_id=bus_id, source=source, latitude=report.latitude,
                  longitude=report.longitude, fixed_at=report.fixed_at, received_at=now, trip_id=trip_id,
                  speed_kmh=report.speed_kmh, heading=report.heading, altitude_m=report.altitude_m,
                  accuracy_m=report.accuracy_m, battery_percent=report.battery_percent)
        verdict = filters.fix_verdict(fix, anchor=newest or anchor, now=now, limits=limits)
        outcomes.append(PointOutcome(index=index, outcome=verdict.outcome.value,
                                     reason=verdict.reason.value if verdict.reason else None))
        if verdict.outcome is Outcome.REFUSED:
            continue
        recorded.append(fix)
        if verdict.outcome is Outcome.ACCEPTED:
            newest = fix
    return IngestResult(outcomes=outcomes, recorded=recorded, newest=newest)


def fixes_ingest(*, company_id: UUID, bus_id: UUID, trip_id: UUID | None, source: str,
                 reports: Sequence[PositionReport]) -> list[PointOutcome]:
    """Filter, record and publish one bus's reports; the answer says per report what became of it."""
    result = fixes_sort(company_id=company_id, bus_id=bus_id, trip_id=trip_id, source=source, reports=reports,
                        anchor=live.bus_live(bus_id), now=timezone.now())
    # the live store first: a Redis that does not answer fails the report before anything is recorded, so the
    # device sends it again; history then keeps whether the newest fix really moved the bus (a concurrent
    # writer with a newer one wins the compare-and-set)
    moved = result.newest is not None and live.position_move(result.newest)
    fixes_record(result.recorded, live_flags=[moved and fix is result.newest for fix in result.recorded])
    # last, once the report is kept: progress failing is logged, never fails the report
    trip_progress_update(result, moved=moved)
    return result.outcomes
