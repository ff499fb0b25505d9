"""`manage.py tracking_simulate`: a simulated bus drives a trip along its stops, and a tracker app on board
reports each fix to a running server by the OsmAnd protocol, so the whole ingestion path runs (the tracker's
lookup, the filters, the live position, the history).

    tracking_simulate --trip ID     drive that trip once, with the tracker registered on its bus
    tracking_simulate               follow the demo tracker's bus (or --tracker's): drive each trip it is on
                                    (boarding or departed) as it comes, until stopped; what run_platform starts
    --once                          drive one trip as fast as the server answers, the fixes stamped up to now

How --speedup keeps the filters' limits honest: apps/tracking/simulation/pace.py.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from apps.company import api as company_api
from apps.tracking import filters, live, trackers
from apps.tracking.demo import DEMO_TRACKER_IDENTIFIER
from apps.tracking.models import TrackerDevice
from apps.tracking.simulation.drive import drive_send
from apps.tracking.simulation.geometry import Point
from apps.tracking.simulation.pace import PaceError
from apps.tracking.simulation.plan import DEFAULT_DWELL_S, DrivePlan, drive_plan, jump_wait_s, trip_track
from apps.tracking.simulation.sender import OsmAndSender, SendFailed
from transport.errors import NotFound

FOLLOW_POLL_SECONDS = 10.0  # how often a follower asks which trip its bus is on
MAX_INTERVAL_S = 3_600
MAX_SPEEDUP = 10_000.0
MAX_DWELL_S = 3_600


class Command(BaseCommand):
    help = ("Drive a trip with a simulated bus whose tracker app reports to a running server (OsmAnd protocol); "
            "without --trip, follow the demo bus's trips.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trip", type=UUID, help="The trip to drive once (default: follow the tracker's bus).")
        parser.add_argument("--tracker", help="The tracker's identifier (default: the one registered on the trip's "
                                              f"bus; without --trip, the demo's {DEMO_TRACKER_IDENTIFIER!r}).")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="The running server.")
        parser.add_argument("--interval", type=int, default=5, help="Seconds between two fixes' stamps (default 5).")
        parser.add_argument("--speedup", type=float, default=1.0,
                            help="Play the trip this many times faster than real time (default 1).")
        parser.add_argument("--dwell", type=int, default=DEFAULT_DWELL_S,
                            help=f"Seconds the bus stands at the origin and each stop (default {DEFAULT_DWELL_S}).")
        parser.add_argument("--once", action="store_true",
                            help="Drive one trip as fast as the server answers, stamps ending now, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        self._check_options(options)
        trip_id: UUID | None = options["trip"]
        if trip_id is not None:
            try:
                trip = company_api.get_trip(trip_id=trip_id)
            except NotFound:
                raise CommandError(f"No trip {trip_id}.") from None
            tracker = self._tracker(options["tracker"], bus_id=trip.bus_id)
            self._drive(trip, tracker, options)
            return
        tracker = self._tracker(options["tracker"] or DEMO_TRACKER_IDENTIFIER, bus_id=None)
        if options["once"]:
            current = company_api.bus_current_trip_id(bus_id=tracker.bus_id)
            if current is None:
                raise CommandError(f"Bus {tracker.bus_id} is on no trip now (none boarding or departed).")
            self._drive(company_api.get_trip(trip_id=current), tracker, options)
            return
        self._follow(tracker, options)

    def _check_options(self, options: dict[str, Any]) -> None:
        least = int(filters.thresholds().min_period.total_seconds())
        if not least <= options["interval"] <= MAX_INTERVAL_S:
            raise CommandError(f"--interval from {least} (the filters' minimum period) to {MAX_INTERVAL_S} seconds.")
        if not 0 < options["speedup"] <= MAX_SPEEDUP:  # also false for NaN
            raise CommandError(f"--speedup above 0, up to {MAX_SPEEDUP:g}.")
        if not 0 <= options["dwell"] <= MAX_DWELL_S:
            raise CommandError(f"--dwell from 0 to {MAX_DWELL_S} seconds.")
        if options["tracker"] is not None and trackers.tracker_problems(company_id=None, bus_id=None,
                                                                        identifier=options["tracker"]):
            raise CommandError("--tracker: 1 to 64 letters, digits, '.', '_', ':' or '-'.")
        try:
            url = httpx.URL(options["base_url"])
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise CommandError("--base-url: the server's http:// or https:// URL.")

    def _tracker(self, identifier: str | None, *, bus_id: UUID | None) -> TrackerDevice:
        if identifier is None:
            assert bus_id is not None  # only a trip's drive goes without an identifier
            tracker = trackers.bus_tracker(bus_id=bus_id)
            if tracker is None:
                raise CommandError(f"No active tracker on bus {bus_id}: register one (POST /api/v1/tracking/trackers).")
            return tracker
        tracker = trackers.active_tracker(identifier=identifier)
        if tracker is None:
            raise CommandError(f"No active tracker {identifier!r} (run_platform and seed_demo seed the demo's).")
        if bus_id is not None and tracker.bus_id != bus_id:
            raise CommandError(f"Tracker {identifier!r} is on bus {tracker.bus_id}, not on the trip's bus {bus_id}.")
        return tracker

    def _follow(self, tracker: TrackerDevice, options: dict[str, Any]) -> None:
        """Drive each trip the tracker's bus is on, once, until stopped. A drive the server interrupts is taken
        up again where the bus was last seen; the database or server being away is waited out."""
        self._say(f"Following bus {tracker.bus_id} (tracker {tracker.identifier}): each trip it boards is driven.")
        driven: set[UUID] = set()
        while True:
            close_old_connections()  # a long-lived process: a connection the database dropped is not reused
            try:
                trip_id = company_api.bus_current_trip_id(bus_id=tracker.bus_id)
                if trip_id is not None and trip_id not in driven:
                    try:
                        self._drive(company_api.get_trip(trip_id=trip_id), tracker, options)
                    except PaceError as exc:  # no later attempt would do better
                        self._say(f"Trip {trip_id} cannot be driven: {exc}")
                    driven.add(trip_id)
            except (SendFailed, DatabaseError) as exc:
                self._say(f"Interrupted ({exc}); trying again in {FOLLOW_POLL_SECONDS:g} s.")
            time.sleep(FOLLOW_POLL_SECONDS)

    def _drive(self, trip: company_api.TripDetails, tracker: TrackerDevice, options: dict[str, Any]) -> None:
        once = options["once"]
        try:
            plan = self._plan(trip, tracker, options)
        except PaceError as exc:
            if once or options["trip"] is not None:
                raise CommandError(str(exc)) from exc
            raise
        self._say(_announce(plan, tracker.identifier))
        sender = OsmAndSender(base_url=options["base_url"], identifier=tracker.identifier)
        try:
            result = drive_send(plan, sender, strict=once, say=self._say)
        except SendFailed as exc:
            if once or options["trip"] is not None:
                raise CommandError(str(exc)) from exc
            raise
        finally:
            sender.close()
        self._say(f"Trip {trip.id} driven to {trip.stops[-1].name}: {result.sent} fixes sent, "
                  f"{result.skipped} given up.")

    def _plan(self, trip: company_api.TripDetails, tracker: TrackerDevice, options: dict[str, Any]) -> DrivePlan:
        """The drive from now; picked up where the bus was last seen on this trip. A bus last seen elsewhere
        starts when its first fix is no jump from there (--once: refused instead)."""
        limits = filters.thresholds()
        track = trip_track(trip, dwell_s=options["dwell"])
        speedup = None if options["once"] else options["speedup"]
        while True:
            seen = live.bus_live(tracker.bus_id)
            if seen is None:
                return drive_plan(trip=trip, track=track, interval_s=options["interval"], speedup=speedup,
                                  limits=limits, now=timezone.now())
            last_seen = Point(seen.latitude, seen.longitude)
            plan = drive_plan(trip=trip, track=track, interval_s=options["interval"], speedup=speedup, limits=limits,
                              now=timezone.now(), resume_from=last_seen if seen.trip_id == trip.id else None)
            wait = jump_wait_s(plan, last_seen=last_seen, last_seen_at=seen.fixed_at, limits=limits)
            if wait <= 0:
                return plan
            if options["once"]:
                raise PaceError(f"The bus was last seen at {seen.fixed_at:%Y-%m-%d %H:%M:%S} too far from the "
                                f"trip's way to replay it now: its first fix would be a jump (or late).")
            self._say(f"The bus was last seen at {seen.fixed_at:%H:%M:%S} too far away to report from the trip's "
                      f"way yet: starting in {wait:.0f} s.")
            time.sleep(wait)

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()  # interleaved with run_platform's other children when piped


def _announce(plan: DrivePlan, identifier: str) -> str:
    pace = plan.pace
    if pace.speedup is None:
        timing = "as fast as the server answers"
    else:
        minutes = (plan.reports[-1].send_after_s if plan.reports else 0) / 60
        timing = f"speedup {pace.speedup:g}, about {minutes:.0f} min"
    lag = (timezone.now() - pace.first_stamp).total_seconds()
    stamps = "stamped as sent" if lag < pace.interval_s else f"the first stamped {lag:.0f} s ago"
    picked_up = f", picked up {plan.start_s:.0f} s into the track" if plan.start_s else ""
    return (f"Driving trip {plan.trip_id} ({plan.route_name}) with tracker {identifier}: {pace.count} fixes "
            f"{pace.interval_s} s apart, {timing}, {stamps}{picked_up} (real time up to speedup "
            f"{plan.realtime_speedup:.2f}).")
