"""After a report moved a bus: step its trip's progress through the batch's newly accepted positions, tell
company what happened (stop times, and the delay when company's rule would announce a change), keep the
progress in Redis.

The order, chosen so that a report is never lost: ingestion has already written the history and moved the
live position when this runs (a report whose live move failed or lost to a newer one is not evaluated), and a
failure here is logged, not raised. Progress is evaluated in one database
transaction with its company calls, and its Redis state is written last: if anything fails, company keeps
nothing of this evaluation and the progress stays where it was, so the next report evaluates again from there.
Once it commits, the trip's websocket watchers are sent the new expected times.

Cheap on the hot path: a report that changes nothing reads and writes the progress hash (two Redis round
trips) and asks the database nothing (the trip's plan is kept per process for a few seconds); one from outside
the hours its trip is followed reads nothing more than that plan.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from django.conf import settings
from django.db import transaction

from apps.company import api as company_api
from apps.tracking.fixes import Fix
from apps.tracking.progress import eta, geofence
from apps.tracking.progress.estimates import estimates_announce
from apps.tracking.progress.plan import TripPlan, cached_plan, fresh_plan, plan_update
from apps.tracking.progress.state import Progress, Sample, progress_read, progress_write
from transport.principal import Principal


class _Outcome(Protocol):
    @property
    def outcome(self) -> str: ...


class Ingested(Protocol):
    """What ingestion made of a report (ingest.IngestResult, which imports this module)."""

    @property
    def outcomes(self) -> Sequence[_Outcome]: ...

    @property
    def recorded(self) -> Sequence[Fix]: ...

    @property
    def newest(self) -> Fix | None: ...

logger = logging.getLogger(__name__)

# tracking acts towards company as this system principal, holding only the permission to record progress
RECORDER = Principal.system("tracking.trip-progress", {company_api.RECORD_PROGRESS})
# a trip is followed from this long before its departure (earlier, its bus is about other business) ...
FOLLOW_BEFORE_DEPARTURE = timedelta(hours=1)
# ... until this long after its timetabled arrival (later, the bus is on its next trip, whatever status this
# one was left in)
FOLLOW_AFTER_ARRIVAL = timedelta(hours=12)
# a trip is under way from this long before its departure time, or once it departed: only then does leaving
# the first stop depart it, and do stops after the first count
UNDER_WAY_BEFORE_DEPARTURE = timedelta(minutes=10)
WRITE_ATTEMPTS = 3


def accepted_fixes(result: Ingested) -> list[Fix]:
    """The batch's fixes that were accepted (late ones never move a trip along), oldest first."""
    kept = iter(result.recorded)
    accepted = []
    for outcome in result.outcomes:
        if outcome.outcome == "refused":
            continue
        fix = next(kept)
        if outcome.outcome == "accepted":
            accepted.append(fix)
    return accepted


def trip_progress_update(result: Ingested) -> None:
    """Evaluate the trip's progress after a report whose newest fix moved its bus (a concurrent report with a
    newer fix evaluates instead). Never raises: the report is recorded already, and the next one evaluates
    again."""
    newest = result.newest
    if newest is None or newest.trip_id is None:
        return
    try:
        with transaction.atomic():
            _evaluate(newest.trip_id, accepted_fixes(result))
    except Exception:  # whatever went wrong, the report stands; the next one evaluates again
        logger.exception("Trip progress not evaluated", extra={"trip_id": str(newest.trip_id)})


def _followed(plan: TripPlan, at: datetime) -> bool:
    if plan.finished:
        return False
    if plan.status in ("boarding", "departed"):
        return at <= plan.arrival_at + FOLLOW_AFTER_ARRIVAL
    return plan.departure_at - FOLLOW_BEFORE_DEPARTURE <= at <= plan.arrival_at + FOLLOW_AFTER_ARRIVAL


def _evaluate(trip_id: UUID, fixes: Sequence[Fix]) -> None:
    plan = cached_plan(trip_id)
    if plan.bus_id != fixes[-1].bus_id:
        return  # the trip is on another bus now
    if not _followed(plan, fixes[-1].fixed_at):
        return  # not at this time (the newest fix is the last: each accepted one is newer than those before)
    for _attempt in range(WRITE_ATTEMPTS):
        progress = progress_read(trip_id)
        last = progress.position
        fresh = [fix for fix in fixes if last is None or fix.fixed_at > last.at]
        if progress.done or not fresh or not _followed(plan, fresh[-1].fixed_at):
            return
        progress, observations = _walk(plan, progress, fresh)
        if observations:
            company_api.trip_stops_record(principal=RECORDER, trip_id=trip_id, observations=observations)
            plan = fresh_plan(trip_id)  # with the stop times and the status just recorded
            if plan.finished:
                progress = Progress(next_index=progress.next_index, done=True, samples=progress.samples,
                                    rev=progress.rev)
        if not progress.done:
            plan = _observe_delay(plan, progress, now=fresh[-1].fixed_at)
        if progress_write(trip_id, progress):
            transaction.on_commit(functools.partial(estimates_announce, plan, progress, as_of=fresh[-1].fixed_at))
            return
        # another report of this trip was evaluated meanwhile: start again from where it left the progress


def _walk(plan: TripPlan, progress: Progress,
          fixes: Sequence[Fix]) -> tuple[Progress, list[company_api.StopObservation]]:
    radius = float(settings.TRACKING_STOP_RADIUS_M)
    max_speed_kmh = settings.TRACKING_FILTER_MAX_SPEED_KMH
    seen: list[company_api.StopObservation] = []
    walked: list[Sample] = []  # the geofence reads no samples: they join the progress once, after the walk
    last = progress.position
    for fix in fixes:
        if progress.done:
            break
        reach_km = None if last is None else (fix.fixed_at - last.at) / timedelta(hours=1) * max_speed_kmh
        under_way = plan.status == "departed" or fix.fixed_at >= plan.departure_at - UNDER_WAY_BEFORE_DEPARTURE
        progress, observed = geofence.step(plan.stops, progress, latitude=fix.latitude, longitude=fix.longitude,
                                           at=fix.fixed_at, radius_m=radius, under_way=under_way,
                                           departed=plan.status == "departed", reach_km=reach_km)
        last = Sample(at=fix.fixed_at, latitude=fix.latitude, longitude=fix.longitude)
        walked.append(last)
        seen.extend(observed)
    return progress.with_samples(walked), seen


def _observe_delay(plan: TripPlan, progress: Progress, *, now: datetime) -> TripPlan:
    """Tell company how late the bus runs, only when its rule would change the announced delay."""
    expected = eta.expected_times(plan, progress, now=now, radius_m=float(settings.TRACKING_STOP_RADIUS_M))
    late = eta.lateness_minutes(plan, expected)
    if company_api.delay_to_announce(announced=plan.delay_minutes, observed=late,
                                     threshold=plan.delay_alert_minutes) is None:
        return plan
    answer = company_api.trip_delay_observe(principal=RECORDER, trip_id=plan.trip_id, minutes=late)
    return plan_update(plan, status=answer.status, delay_minutes=answer.delay_minutes)
