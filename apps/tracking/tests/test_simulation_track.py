"""The simulated bus's track and its tracker's fixes (pure functions, no database): it moves as fast as its speed
says, starts and ends on the stops and stands at each for its dwell, cruises at a bus's speeds with a bus's
acceleration, reports the heading of its movement, and is the same for the same seed."""

from __future__ import annotations

import random

import pytest

from apps.tracking.filters import distance_m
from apps.tracking.simulation import motion
from apps.tracking.simulation.geometry import Leg, Point, bearing_deg
from apps.tracking.simulation.track import TrackStop, fixes_sample, track_build

# Thika Road, as the demo's simulated run calls at it
THIKA_ROAD = [TrackStop(-1.286389, 36.817223, 60), TrackStop(-1.268, 36.835, 60), TrackStop(-1.218, 36.888, 90),
              TrackStop(-1.146, 36.961, 60), TrackStop(-1.102, 37.013, 60), TrackStop(-1.039, 37.083, 0)]
SPHERE_SLACK = 0.01  # the plane the legs are drawn in is off the sphere by well under this fraction


def metres(a, b) -> float:
    return distance_m(a.latitude, a.longitude, b.latitude, b.longitude)


@pytest.fixture(scope="module")
def track():
    return track_build(THIKA_ROAD, seed=20_240_601)


def test_each_second_the_bus_moves_as_far_as_its_speeds_at_either_end_of_that_second_allow(track):
    for before, after in zip(track.moments, track.moments[1:], strict=False):
        moved = metres(before, after)
        slow, fast = sorted((before.speed_ms, after.speed_ms))
        assert slow * (1 - SPHERE_SLACK) - 0.01 <= moved <= fast * (1 + SPHERE_SLACK) + 0.01, (before, after)


def test_the_track_starts_at_the_origin_ends_at_the_last_stop_and_stands_at_each_stop_for_its_dwell(track):
    first, last = track.moments[0], track.moments[-1]
    assert (first.latitude, first.longitude, first.speed_ms) == (-1.286389, 36.817223, 0.0)
    assert (last.latitude, last.longitude, last.speed_ms, last.stop_index) == (-1.039, 37.083, 0.0, 5)
    for index, stop in enumerate(THIKA_ROAD[:-1]):
        standing = [m for m in track.moments if m.stop_index == index]
        # the second it arrives and the dwell's seconds, then the second it pulls away from
        assert len(standing) == stop.dwell_s + 1
        assert {(m.latitude, m.longitude, m.speed_ms) for m in standing} == {(stop.latitude, stop.longitude, 0.0)}
        assert [m.t_s for m in standing] == list(range(int(standing[0].t_s), int(standing[-1].t_s) + 1))


def test_the_bus_cruises_at_60_to_80_km_h_with_a_swell_and_pulls_away_and_brakes_like_a_coach(track):
    speeds_kmh = [m.speed_ms * 3.6 for m in track.moments]
    assert 60 * (1 - motion.SWELL) <= max(speeds_kmh) <= 80 * (1 + motion.SWELL) + 0.01
    assert track.max_speed_ms * 3.6 <= 80 * (1 + motion.SWELL) * (1 + SPHERE_SLACK)
    changes = [(b.speed_ms - a.speed_ms, b.speed_ms) for a, b in zip(track.moments, track.moments[1:], strict=False)]
    assert max(change for change, _ in changes) <= motion.ACCELERATION_MS2 + 1e-9
    # braking stays gentle until the last second before standing, which the one-second steps make abrupt
    assert min(change for change, after in changes if after > 0) >= -1.5
    cruising = sorted(speed for speed in speeds_kmh if speed > 40)
    assert 55 <= cruising[len(cruising) // 2] <= 85


def test_a_leg_is_gently_curved_and_ends_exactly_on_both_stops():
    start, end = Point(-1.218, 36.888), Point(-1.146, 36.961)
    straight, bent = Leg(start, end), Leg(start, end, bend=0.06)
    chord = metres(start, end)

    assert straight.length_m == pytest.approx(chord, rel=SPHERE_SLACK)
    assert (bent.point_at(0), bent.point_at(bent.length_m)) == (start, end)
    middle_off = metres(bent.point_at(bent.length_m / 2), straight.point_at(straight.length_m / 2))
    assert middle_off == pytest.approx(0.06 * chord, rel=0.05)
    assert chord < bent.length_m < chord * 1.02


def test_fixes_pass_within_their_noise_of_every_stop_and_stand_there_for_the_dwell(track):
    fixes = fixes_sample(track, start_s=0, every_s=5, count=int(track.duration_s // 5) + 2, noise_m=5, seed=7)
    for index, stop in enumerate(THIKA_ROAD):
        standing = [fix for fix in fixes if metres(fix, stop) <= 5.0 + 1e-6 and fix.speed_ms == 0]
        assert len(standing) >= max(1, stop.dwell_s // 5), index
        assert standing[-1].t_s - standing[0].t_s >= stop.dwell_s - 5
    assert max(metres(fix, track.at(fix.t_s)) for fix in fixes) <= 5.0 + 1e-6
    assert fixes[-1].t_s >= track.duration_s
    assert metres(fixes[-1], THIKA_ROAD[-1]) <= 5.0 + 1e-6


def test_the_distance_between_fixes_is_what_the_speeds_between_them_cover(track):
    every = 5.0
    fixes = fixes_sample(track, start_s=0, every_s=every, count=int(track.duration_s // every) + 2, noise_m=0,
                         seed=7)
    for before, after in zip(fixes, fixes[1:], strict=False):
        between = [m.speed_ms for m in track.moments if before.t_s <= m.t_s <= after.t_s]
        moved = metres(before, after)
        assert min(between) * every * (1 - SPHERE_SLACK) - 0.01 <= moved
        assert moved <= max(between) * every * (1 + SPHERE_SLACK) + 0.01


def test_the_heading_is_the_direction_the_bus_moves_and_is_kept_while_it_stands(track):
    fixes = fixes_sample(track, start_s=0, every_s=5, count=int(track.duration_s // 5) + 2, noise_m=0, seed=7)
    assert fixes[0].heading is None  # standing at the origin, it never moved yet
    checked = 0
    for before, after in zip(fixes, fixes[1:], strict=False):
        if metres(before, after) > 20:
            difference = abs((after.heading - bearing_deg(before, after) + 180) % 360 - 180)
            assert difference < 5, (before, after)
            checked += 1
        elif before.heading is not None and after.speed_ms == 0 and before.speed_ms == 0:
            assert after.heading == before.heading
    assert checked > 300


def test_the_same_seed_gives_the_same_track_and_another_seed_another():
    again = track_build(THIKA_ROAD, seed=20_240_601)
    other = track_build(THIKA_ROAD, seed=1)

    assert again == track_build(THIKA_ROAD, seed=20_240_601)
    assert other.moments != again.moments
    assert other.moments[0] == again.moments[0]
    assert (other.moments[-1].latitude, other.moments[-1].longitude) == (-1.039, 37.083)


def test_a_replay_is_picked_up_at_the_moment_nearest_where_the_bus_was_last_seen(track):
    seen = track.at(1_234.0)

    assert track.nearest_t(Point(seen.latitude, seen.longitude)) == 1_234.0
    assert track.nearest_t(Point(-1.039, 37.083)) == track.moments[-1].t_s - THIKA_ROAD[-1].dwell_s


def test_a_leg_too_short_to_drive_is_a_stand_and_stops_on_one_spot_make_a_track_that_never_moves():
    assert motion.drive(0.5, cruise_ms=20, rng=random.Random(1)) == [motion.Step(0.5, 0.0)]

    standing = track_build([TrackStop(-1.0, 36.0, 10), TrackStop(-1.0, 36.0, 10), TrackStop(-1.0, 36.0)], seed=3)

    assert standing.max_speed_ms == 0.0
    assert {(m.latitude, m.longitude, m.speed_ms, m.heading) for m in standing.moments} == {(-1.0, 36.0, 0.0, None)}


def test_a_track_needs_two_stops():
    with pytest.raises(ValueError, match="at least two stops"):
        track_build([TrackStop(-1.0, 36.0)], seed=1)
