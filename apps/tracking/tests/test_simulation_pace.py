"""The simulation's clocks (pure functions, no database): every fix a drive plans is one the filters accept when
it is sent, at any speedup; up to the real-time speedup the fixes carry the time they are sent, beyond it they
start behind the clock just enough; limits that cannot be kept are refused with the reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.company.api import TripDetails, TripStopTime
from apps.tracking.filters import Outcome, Thresholds, distance_m, fix_verdict
from apps.tracking.fixes import Fix
from apps.tracking.simulation.geometry import Point
from apps.tracking.simulation.pace import PaceError, kappa_min, pace_plan, realtime_speedup
from apps.tracking.simulation.plan import NOISE_M, drive_plan, jump_wait_s, trip_track

LIMITS = Thresholds(max_speed_kmh=160, min_distance_m=5, min_period=timedelta(seconds=5), max_accuracy_m=100,
                    future=timedelta(seconds=300), too_old=timedelta(days=7))
NOW = datetime(2026, 3, 31, 23, 50, 0, 250_000, tzinfo=UTC)  # the last day of a month, late in the evening
STOPS = [("Nairobi", -1.286389, 36.817223, 0), ("Pangani", -1.268, 36.835, 3), ("Roysambu", -1.218, 36.888, 11),
         ("Ruiru", -1.146, 36.961, 22)]


def thika_road_trip() -> TripDetails:
    departure = NOW + timedelta(minutes=2)
    stops = tuple(
        TripStopTime(sequence=index, stop_id=uuid.uuid5(uuid.NAMESPACE_DNS, town), name=f"{town} Stage", town=town,
                     latitude=Decimal(str(lat)), longitude=Decimal(str(lon)), timezone="Africa/Nairobi",
                     distance_km=Decimal(km), arrive_at=departure + timedelta(minutes=km),
                     depart_at=departure + timedelta(minutes=km))
        for index, (town, lat, lon, km) in enumerate(STOPS))
    return TripDetails(id=uuid.UUID("0b5e1a3c-6a38-4c1e-9d7e-5d1a6f3e2b10"), company_id=uuid.uuid4(),
                       route_id=uuid.uuid4(), route_name="Nairobi - Ruiru", route_code="NBI-RUI", schedule_id=None,
                       bus_id=uuid.uuid4(), bus_plate="KAS 500X", layout_version_id=uuid.uuid4(),
                       service_date=departure.date(), status="boarding", delay_minutes=0, delay_reason="",
                       departure_at=departure, arrival_at=stops[-1].arrive_at, stops=stops)


@pytest.fixture(scope="module")
def trip() -> TripDetails:
    return thika_road_trip()


@pytest.fixture(scope="module")
def track(trip):
    return trip_track(trip)


def verdicts_as_sent(plan) -> list[Outcome]:
    """Each report through the filters at the real time it is sent, against the last one they accepted."""
    anchor, outcomes = None, []
    for report in plan.reports:
        sent_at = NOW + timedelta(seconds=report.send_after_s)
        fix = Fix(company_id=uuid.uuid4(), bus_id=uuid.uuid4(), source="device:simulated", latitude=report.latitude,
                  longitude=report.longitude, fixed_at=report.fixed_at, received_at=sent_at,
                  speed_kmh=report.speed_kmh, heading=report.heading, accuracy_m=5)
        verdict = fix_verdict(fix, anchor=anchor, now=sent_at, limits=LIMITS)
        outcomes.append(verdict.outcome)
        if verdict.outcome is Outcome.ACCEPTED:
            anchor = fix
    return outcomes


@pytest.mark.parametrize("speedup", [1.0, 1.5, 2.0, 30.0, None])
def test_the_filters_accept_every_fix_at_any_speedup_and_the_reported_speeds_agree_with_the_moves(trip, track, speedup):
    plan = drive_plan(trip=trip, track=track, interval_s=5, speedup=speedup, limits=LIMITS, now=NOW)

    assert verdicts_as_sent(plan) == [Outcome.ACCEPTED] * plan.pace.count
    # the tracker reports the speed its stamps make of the bus's: as fast as it seems to go between fixes
    fastest_reported = max(report.speed_kmh for report in plan.reports)
    assert fastest_reported <= track.max_speed_ms / plan.pace.kappa * 3.6 * 1.01
    for before, after in zip(plan.reports, plan.reports[1:], strict=False):
        assert (after.fixed_at - before.fixed_at).total_seconds() == 5
        implied_kmh = distance_m(before.latitude, before.longitude, after.latitude, after.longitude) / 5 * 3.6
        assert implied_kmh <= min(160 * 0.95, fastest_reported * 1.01 + 2 * NOISE_M / 5 * 3.6)


def test_up_to_the_real_time_speedup_each_fix_is_stamped_with_the_time_it_is_sent(trip, track):
    fastest = realtime_speedup(max_speed_ms=track.max_speed_ms, interval_s=5, noise_m=NOISE_M, limits=LIMITS)
    assert 1.6 < fastest < 2.0  # a bus cruising at up to 85 km/h under a 160 km/h filter

    for speedup in (1.0, fastest):
        plan = drive_plan(trip=trip, track=track, interval_s=5, speedup=speedup, limits=LIMITS, now=NOW)

        assert plan.pace.kappa == pytest.approx(1 / speedup)
        # stamped in whole seconds: NOW's quarter second is the only gap between a fix's stamp and its sending
        assert [(NOW + timedelta(seconds=r.send_after_s) - r.fixed_at).total_seconds() for r in plan.reports] \
            == pytest.approx([0.25] * plan.pace.count, abs=1e-6)
    one = drive_plan(trip=trip, track=track, interval_s=5, speedup=1.0, limits=LIMITS, now=NOW)
    assert one.reports[-1].send_after_s == pytest.approx(track.duration_s, abs=5)
    assert max(r.speed_kmh for r in one.reports) <= 80 * 1.06 + 0.01


def test_beyond_it_the_fixes_start_behind_the_clock_just_enough_for_the_last_to_be_stamped_when_sent(trip, track):
    lowest = kappa_min(max_speed_ms=track.max_speed_ms, interval_s=5, noise_m=NOISE_M, limits=LIMITS)

    plan = drive_plan(trip=trip, track=track, interval_s=5, speedup=30, limits=LIMITS, now=NOW)

    assert plan.pace.kappa == lowest
    last = plan.reports[-1]
    last_sent = NOW + timedelta(seconds=last.send_after_s)
    assert timedelta(0) <= last_sent - last.fixed_at < timedelta(seconds=1)
    assert last.send_after_s == pytest.approx(track.duration_s / 30, abs=5 / lowest / 30)
    behind = (plan.pace.count - 1) * (5 - plan.pace.real_interval_s)
    assert (NOW - plan.reports[0].fixed_at).total_seconds() == pytest.approx(behind, abs=1)


def test_once_sends_everything_at_once_stamped_up_to_now(trip, track):
    plan = drive_plan(trip=trip, track=track, interval_s=10, speedup=None, limits=LIMITS, now=NOW)

    assert {r.send_after_s for r in plan.reports} == {0.0}
    assert plan.reports[-1].fixed_at == NOW.replace(microsecond=0)
    assert plan.reports[0].fixed_at == NOW.replace(microsecond=0) - timedelta(seconds=(plan.pace.count - 1) * 10)


def test_a_drive_picked_up_on_the_way_starts_where_the_bus_was_last_seen(trip, track):
    seen = track.at(900.0)

    plan = drive_plan(trip=trip, track=track, interval_s=5, speedup=1.0, limits=LIMITS, now=NOW,
                      resume_from=Point(seen.latitude, seen.longitude))

    assert plan.start_s == 900.0
    assert distance_m(plan.reports[0].latitude, plan.reports[0].longitude, seen.latitude, seen.longitude) <= NOISE_M
    assert plan.pace.count == pytest.approx((track.duration_s - 900) / 5 + 1, abs=1)


def test_a_bus_last_seen_far_away_starts_when_its_first_fix_is_no_jump(trip, track):
    plan = drive_plan(trip=trip, track=track, interval_s=5, speedup=1.0, limits=LIMITS, now=NOW)
    thika = Point(-1.039, 37.083)
    far = distance_m(thika.latitude, thika.longitude, plan.reports[0].latitude, plan.reports[0].longitude)
    cap_ms = 160 / 3.6 * 0.95 - 2 * NOISE_M / 5

    wait = jump_wait_s(plan, last_seen=thika, last_seen_at=NOW - timedelta(minutes=5), limits=LIMITS)
    long_ago = jump_wait_s(plan, last_seen=thika, last_seen_at=NOW - timedelta(hours=2), limits=LIMITS)
    here_just_now = jump_wait_s(plan, last_seen=Point(plan.reports[0].latitude, plan.reports[0].longitude),
                                last_seen_at=NOW - timedelta(seconds=1), limits=LIMITS)

    assert wait == pytest.approx(far / cap_ms + 1 - 299.75, abs=0.01)
    assert long_ago == 0.0
    assert here_just_now == pytest.approx(5 - 0.75)  # the filters' period after the last fix


@pytest.mark.parametrize(("changes", "says"), [
    ({"interval_s": 4}, "Fixes at most 5 s apart"),
    ({"interval_s": 5, "noise_m": 150.0}, "use a longer interval"),
    ({"speedup": 0.0}, "positive number"),
    ({"speedup": float("nan")}, "positive number"),
    ({"speedup": None, "remaining_s": 14 * 24 * 3600.0}, "older than the filters take"),
])
def test_limits_that_cannot_be_kept_are_refused_with_the_reason(changes, says):
    values = {"max_speed_ms": 22.0, "remaining_s": 3_600.0, "interval_s": 5, "speedup": 1.0, "noise_m": NOISE_M,
              "limits": LIMITS, "now": NOW, **changes}
    with pytest.raises(PaceError, match=says):
        pace_plan(**values)
