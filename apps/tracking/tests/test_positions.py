"""Driver batches: the trip's assigned driver (device credential or bearer token) uploads positions and is
answered per point; anyone else, and any malformed batch, records nothing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.tracking.tests.fleet import history, live_point
from tests.worlds.boarding import device, new_driver
from tests.worlds.ticketing import bearer_client

pytestmark = pytest.mark.django_db

POSITIONS = "/api/v1/tracking/positions"


def point(lat: float, lon: float, at, **extra) -> dict:
    return {"lat": lat, "lon": lon, "fixed_at": at.isoformat(), **extra}


def test_the_drivers_phone_uploads_a_buffered_batch_and_is_answered_per_point(fleet):
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    points = [point(-1.29, 36.82, t0, speed_kmh=35, heading=12, altitude_m=1650, accuracy_m=6, battery_percent=80),
              point(-1.289, 36.82, t0 + timedelta(seconds=20)),
              point(0, 0, t0 + timedelta(seconds=30)),
              point(-1.2895, 36.82, t0 + timedelta(seconds=10))]

    answer = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id), "points": points},
                                            format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json() == {"trip_id": str(fleet.trip_id), "points": [
        {"index": 0, "outcome": "accepted", "reason": None}, {"index": 1, "outcome": "accepted", "reason": None},
        {"index": 2, "outcome": "refused", "reason": "zero_fix"}, {"index": 3, "outcome": "late", "reason": None}]}
    source = f"device:{fleet.driver_phone.id}"
    assert history(fleet.bus_id) == [(-1.29, 36.82, t0, fleet.trip_id, source, False),
                                     (-1.2895, 36.82, t0 + timedelta(seconds=10), fleet.trip_id, source, False),
                                     (-1.289, 36.82, t0 + timedelta(seconds=20), fleet.trip_id, source, True)]
    assert live_point(fleet.bus_id) == (-1.289, 36.82, t0 + timedelta(seconds=20))


def test_the_driver_may_upload_with_a_bearer_token(fleet):
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    answer = fleet.world.client("driver").post(POSITIONS, {"trip_id": str(fleet.trip_id),
                                                           "points": [point(-1.29, 36.82, at)]}, format="json")

    assert answer.status_code == 200
    assert history(fleet.bus_id) == [(-1.29, 36.82, at, fleet.trip_id, f"user:{fleet.world.users['driver'].pk}",
                                      True)]


def test_only_the_trips_assigned_driver_reports_its_positions(fleet, other_fleet):
    body = {"trip_id": str(fleet.trip_id), "points": [point(-1.29, 36.82, timezone.now())]}
    unrostered = device(fleet.world, new_driver(fleet.world))

    assert unrostered.client.post(POSITIONS, body, format="json").status_code == 403
    assert fleet.world.client("dispatcher").post(POSITIONS, body, format="json").status_code == 403
    assert other_fleet.driver_phone.client.post(POSITIONS, body, format="json").status_code == 404
    assert fleet.world.client(None).post(POSITIONS, body, format="json").status_code == 401
    assert bearer_client(fleet.world.users["passenger"]).post(POSITIONS, body, format="json").status_code == 404
    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


def test_an_unknown_trip_is_404(fleet):
    body = {"trip_id": str(uuid.uuid4()), "points": [point(-1.29, 36.82, timezone.now())]}

    assert fleet.driver_phone.client.post(POSITIONS, body, format="json").status_code == 404


@pytest.mark.parametrize(("bad_point", "field"), [
    ({"lat": 1e308, "lon": 36.8}, "lat"), ({"lat": -1.29, "lon": 2**63}, "lon"), ({"lat": -91, "lon": 36.8}, "lat"),
    ({"lat": "NaN", "lon": 36.8}, "lat"), ({"lat": -1.29, "lon": "Infinity"}, "lon"),
    ({"lat": "-1.2\x00", "lon": 36.8}, "lat"), ({"lat": None, "lon": 36.8}, "lat"),
    ({"lat": -1.29, "lon": 36.8, "speed_kmh": 1e308}, "speed_kmh"),
    ({"lat": -1.29, "lon": 36.8, "battery_percent": 101}, "battery_percent"),
    ({"lat": -1.29, "lon": 36.8, "fixed_at": "2026-02-30T00:00:00Z"}, "fixed_at"),
    ({"lat": -1.29, "lon": 36.8, "fixed_at": ""}, "fixed_at"),
    ({"lat": -1.29, "lon": 36.8, "fixed_at": "2026-01-01T00:00:00\x00"}, "fixed_at"),
    ({"lat": -1.29, "lon": 36.8, "odometer": 5}, "odometer"),
])
def test_one_malformed_point_makes_the_whole_batch_a_400_and_records_nothing(fleet, bad_point, field):
    good = point(-1.29, 36.82, timezone.now() - timedelta(seconds=30))
    bad = {"fixed_at": timezone.now().isoformat(), **bad_point}

    answer = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id), "points": [good, bad]},
                                            format="json")

    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert list(answer.json()["errors"]) == [f"points.1.{field}"]
    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


def test_a_json_body_with_a_nan_literal_is_refused(fleet):
    valid = json.dumps({"trip_id": str(fleet.trip_id),
                        "points": [{"lat": 1.5, "lon": 36.8, "fixed_at": timezone.now().isoformat()}]})
    body = valid.replace("1.5", "NaN")

    answer = fleet.driver_phone.client.post(POSITIONS, body, content_type="application/json")

    assert answer.status_code == 400
    assert history(fleet.bus_id) == []


def test_an_empty_or_oversized_batch_is_a_400_and_records_nothing(fleet, settings):
    settings.TRACKING_MAX_BATCH = 3
    t0 = timezone.now() - timedelta(minutes=5)
    four = [point(-1.29 + n / 1000, 36.82, t0 + timedelta(seconds=10 * n)) for n in range(4)]

    for points in ([], four):
        answer = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id), "points": points},
                                                format="json")
        assert answer.status_code == 400
        assert list(answer.json()["errors"]) == ["points"]
    assert fleet.driver_phone.client.post(POSITIONS, json.dumps({"trip_id": str(fleet.trip_id)}),
                                          content_type="application/json").status_code == 400
    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


def test_the_default_batch_limit_is_500_points(fleet):
    t0 = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    points = [point(-1.29 + n / 10_000, 36.82, t0 + timedelta(seconds=10 * n)) for n in range(501)]

    too_many = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id), "points": points},
                                              format="json")
    five_hundred = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id), "points": points[:500]},
                                                  format="json")

    assert too_many.status_code == 400
    assert five_hundred.status_code == 200
    assert [p["outcome"] for p in five_hundred.json()["points"]] == ["accepted"] * 500
    assert len(history(fleet.bus_id)) == 500


OUT_OF_RANGE = "Datetime value out of range."
WRONG_FORMAT = ("Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")


@pytest.mark.parametrize(("bad_point", "errors"), [
    ({"lat": 2**63}, {"points.1.lat": ["Ensure this value is less than or equal to 90."]}),
    ({"lon": -(2**63)}, {"points.1.lon": ["Ensure this value is greater than or equal to -180."]}),
    ({"lat": 10**400}, {"points.1.lat": ["Integer value too large to convert to float"]}),
    ({"battery_percent": 100.0000001},
     {"points.1.battery_percent": ["Ensure this value is less than or equal to 100."]}),
    ({"lat": None}, {"points.1.lat": ["This field may not be null."]}),
    ({"lat": [-1.29]}, {"points.1.lat": ["A valid number is required."]}),
    ({"fixed_at": "9999-12-31T23:59:59-05:00"}, {"points.1.fixed_at": [OUT_OF_RANGE]}),  # past the calendar in UTC
    ({"fixed_at": "0001-01-01T00:00:00+05:00"}, {"points.1.fixed_at": [OUT_OF_RANGE]}),  # before it
    ({"fixed_at": "2026-01-01T08:30:00+03:00\x00"}, {"points.1.fixed_at": ["Remove the NUL byte."]}),
    ({"fixed_at": "2026-01-01\x0008:30:00+03:00"}, {"points.1.fixed_at": ["Remove the NUL byte."]}),
    ({"fixed_at": 1_767_225_600}, {"points.1.fixed_at": [WRONG_FORMAT]}),
])
def test_an_extreme_value_is_the_serializers_400_and_records_nothing(fleet, bad_point, errors):
    good = point(-1.29, 36.82, timezone.now() - timedelta(seconds=30))

    answer = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id),
                                                        "points": [good, {**good, **bad_point}]}, format="json")

    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "validation_failed"
    assert answer.json()["errors"] == errors
    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


def test_an_infinite_json_number_is_a_400_and_records_nothing(fleet):
    valid = json.dumps({"trip_id": str(fleet.trip_id),
                        "points": [{"lat": 1.5, "lon": 36.8, "fixed_at": timezone.now().isoformat()}]})

    answer = fleet.driver_phone.client.post(POSITIONS, valid.replace("1.5", "1e999"), content_type="application/json")

    assert answer.status_code == 400
    assert answer.json()["errors"] == {"points.0.lat": ["A valid number is required."]}
    assert history(fleet.bus_id) == []


@pytest.mark.parametrize("body", [
    lambda trip: {"trip_id": "not-a-uuid", "points": [point(-1.29, 36.82, timezone.now())]},
    lambda trip: {"trip_id": str(trip), "points": [[-1.29, 36.82]]},
    lambda trip: {"trip_id": str(trip), "points": {"0": point(-1.29, 36.82, timezone.now())}},
    lambda trip: [point(-1.29, 36.82, timezone.now())],
    lambda trip: {"trip_id": str(trip), "points": [point(-1.29, 36.82, timezone.now())], "bus_id": str(trip)},
])
def test_a_body_of_the_wrong_shape_is_a_400_and_records_nothing(fleet, body):
    answer = fleet.driver_phone.client.post(POSITIONS, body(fleet.trip_id), format="json")

    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert history(fleet.bus_id) == []


def test_times_at_the_ends_of_the_calendar_are_points_the_filters_refuse(fleet):
    points = [{"lat": -1.29, "lon": 36.82, "fixed_at": "9999-12-31T23:59:59+00:00"},
              {"lat": -1.29, "lon": 36.82, "fixed_at": "0001-01-01T00:00:00Z"}]

    answer = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id), "points": points},
                                            format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["points"] == [{"index": 0, "outcome": "refused", "reason": "in_future"},
                                       {"index": 1, "outcome": "refused", "reason": "too_old"}]
    assert history(fleet.bus_id) == []


def test_a_valid_batch_in_a_rarer_form_is_recorded_as_before(fleet):
    at = (timezone.now() - timedelta(minutes=1)).replace(microsecond=0)
    points = [{"lat": "-1.29", "lon": 36.82, "fixed_at": at.replace(tzinfo=None).isoformat(), "heading": None}]

    answer = fleet.driver_phone.client.post(POSITIONS, {"trip_id": str(fleet.trip_id).replace("-", ""),
                                                        "points": points}, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json() == {"trip_id": str(fleet.trip_id),
                             "points": [{"index": 0, "outcome": "accepted", "reason": None}]}
    assert history(fleet.bus_id) == [(-1.29, 36.82, at, fleet.trip_id, f"device:{fleet.driver_phone.id}", True)]
