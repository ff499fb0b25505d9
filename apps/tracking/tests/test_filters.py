"""The fix filters, as Traccar's FilterHandler has them: each refusal with its reason, late fixes told apart,
thresholds from settings."""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from apps.tracking import filters
from apps.tracking.filters import Outcome, Reason, Verdict
from apps.tracking.fixes import Fix

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
COMPANY, BUS = uuid.uuid4(), uuid.uuid4()
NAIROBI = (-1.2921, 36.8219)
ONE_MILLIDEGREE_M = 111.2  # 0.001 degree of latitude, in metres


def fix(lat: float = NAIROBI[0], lon: float = NAIROBI[1], *, at: datetime = NOW, accuracy: float | None = None) -> Fix:
    return Fix(company_id=COMPANY, bus_id=BUS, source="device:test", latitude=lat, longitude=lon, fixed_at=at,
               received_at=NOW, accuracy_m=accuracy)


def verdict(candidate: Fix, anchor: Fix | None = None) -> Verdict:
    return filters.fix_verdict(candidate, anchor=anchor, now=NOW, limits=filters.thresholds())


def refused(reason: Reason) -> Verdict:
    return Verdict(Outcome.REFUSED, reason)


ANCHOR = fix(at=NOW - timedelta(minutes=1))


@pytest.mark.parametrize(("lat", "lon"), [(90.0001, 0.5), (-90.5, 1), (10, 180.01), (10, -181), (math.nan, 36),
                                          (-1, math.nan), (math.inf, 36), (-1, -math.inf), (1e308, 1e308)])
def test_coordinates_out_of_range_or_not_numbers_are_refused(lat, lon):
    assert verdict(fix(lat, lon)) == refused(Reason.INVALID_COORDINATES)


def test_the_extremes_of_the_range_are_valid_coordinates():
    assert verdict(fix(90, 180)) == filters.ACCEPTED
    assert verdict(fix(-90, -180)) == filters.ACCEPTED


def test_a_zero_fix_is_refused_but_a_fix_on_the_equator_or_the_meridian_is_not():
    assert verdict(fix(0, 0)) == refused(Reason.ZERO_FIX)
    assert verdict(fix(0, 36.8)) == filters.ACCEPTED
    assert verdict(fix(-1.29, 0)) == filters.ACCEPTED


def test_a_fix_at_the_time_of_the_last_accepted_one_is_a_duplicate_wherever_it_is():
    assert verdict(fix(at=ANCHOR.fixed_at), ANCHOR) == refused(Reason.DUPLICATE)
    assert verdict(fix(NAIROBI[0] + 0.0001, at=ANCHOR.fixed_at), ANCHOR) == refused(Reason.DUPLICATE)


def test_a_fix_older_than_the_last_accepted_one_is_late_not_refused():
    assert verdict(fix(NAIROBI[0] + 0.5, at=ANCHOR.fixed_at - timedelta(seconds=1)), ANCHOR) == filters.LATE


def test_a_late_fix_is_still_refused_for_what_is_wrong_with_it_alone():
    earlier = ANCHOR.fixed_at - timedelta(seconds=30)

    assert verdict(fix(0, 0, at=earlier), ANCHOR) == refused(Reason.ZERO_FIX)
    assert verdict(fix(at=earlier, accuracy=150), ANCHOR) == refused(Reason.POOR_ACCURACY)


def test_a_jump_faster_than_the_maximum_speed_is_refused():
    # 111.2 m in 2 s is 200 km/h; in 3 s, 133 km/h
    assert verdict(fix(NAIROBI[0] + 0.001, at=ANCHOR.fixed_at + timedelta(seconds=2)), ANCHOR) == \
        refused(Reason.SPEED_TOO_HIGH)
    assert verdict(fix(NAIROBI[0] + 0.001, at=ANCHOR.fixed_at + timedelta(seconds=3)), ANCHOR) == filters.ACCEPTED


def test_the_implied_speed_is_the_haversine_distance_over_the_time():
    moved = fix(NAIROBI[0] + 0.001, at=ANCHOR.fixed_at + timedelta(seconds=10))

    assert filters.implied_speed_kmh(moved, ANCHOR) == pytest.approx(ONE_MILLIDEGREE_M / 10 * 3.6, rel=1e-3)
    assert filters.distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=1e-4)


def test_the_filters_distance_between_nearby_fixes_is_the_haversine_within_a_millionth():
    generator = random.Random(12)
    for _ in range(20_000):
        lat, lon = generator.uniform(-79.99, 79.99), generator.uniform(-180, 180)
        scale = generator.choice([1e-5, 1e-3, 0.0999])  # a metre, a hundred metres, ten kilometres
        lat2, lon2 = lat + generator.uniform(-scale, scale), lon + generator.uniform(-scale, scale)

        assert filters.step_distance_m(lat, lon, lat2, lon2) == \
            pytest.approx(filters.distance_m(lat, lon, lat2, lon2), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(("lat", "lon", "lat2", "lon2"), [
    (-1.29, 36.82, 3.5, 36.82),  # hundreds of km
    (10, 179.99, 10, -179.99),  # across the antimeridian: 2.2 km, not 39,000
    (89.95, 0, 89.95, 0.05),  # by the pole, where the meridians converge
])
def test_fixes_far_apart_across_the_antimeridian_or_by_a_pole_are_measured_by_the_haversine(lat, lon, lat2, lon2):
    assert filters.step_distance_m(lat, lon, lat2, lon2) == filters.distance_m(lat, lon, lat2, lon2)


def test_a_fix_too_close_in_space_and_in_time_is_refused_but_either_alone_is_not():
    step = 0.00001  # 1.1 m
    assert verdict(fix(NAIROBI[0] + step, at=ANCHOR.fixed_at + timedelta(seconds=4)), ANCHOR) == \
        refused(Reason.TOO_CLOSE)
    assert verdict(fix(NAIROBI[0] + step, at=ANCHOR.fixed_at + timedelta(seconds=5)), ANCHOR) == filters.ACCEPTED
    assert verdict(fix(NAIROBI[0] + 0.0001, at=ANCHOR.fixed_at + timedelta(seconds=4)), ANCHOR) == filters.ACCEPTED


def test_poor_accuracy_is_refused_from_above_the_limit():
    assert verdict(fix(accuracy=100)) == filters.ACCEPTED
    assert verdict(fix(accuracy=100.5)) == refused(Reason.POOR_ACCURACY)
    assert verdict(fix(accuracy=math.nan)) == refused(Reason.POOR_ACCURACY)


def test_a_fix_too_far_in_the_future_or_too_old_is_refused():
    assert verdict(fix(at=NOW + timedelta(minutes=5))) == filters.ACCEPTED
    assert verdict(fix(at=NOW + timedelta(minutes=5, seconds=1))) == refused(Reason.IN_FUTURE)
    assert verdict(fix(at=NOW - timedelta(days=7))) == filters.ACCEPTED
    assert verdict(fix(at=NOW - timedelta(days=7, seconds=1))) == refused(Reason.TOO_OLD)


def test_thresholds_come_from_settings(settings):
    settings.TRACKING_FILTER_MAX_SPEED_KMH = 300
    settings.TRACKING_FILTER_MAX_ACCURACY_M = 20
    settings.TRACKING_FILTER_FUTURE_SECONDS = 0

    assert verdict(fix(NAIROBI[0] + 0.001, at=ANCHOR.fixed_at + timedelta(seconds=2)), ANCHOR) == filters.ACCEPTED
    assert verdict(fix(accuracy=21)) == refused(Reason.POOR_ACCURACY)
    assert verdict(fix(at=NOW + timedelta(seconds=1))) == refused(Reason.IN_FUTURE)
