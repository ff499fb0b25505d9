"""The OsmAnd protocol endpoint, as tracker apps (Traccar Client, OsmAnd) call it: a query or a form with the
registered id; 200 with an empty body when taken, 404 for an unknown or inactive id, 400 for malformed values,
and nothing recorded or moved unless it was taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.tracking import live
from apps.tracking.models import TrackerDevice
from apps.tracking.tests.fleet import history, live_point
from tests.worlds.tracking import trip_board

pytestmark = pytest.mark.django_db

OSMAND = "/api/v1/tracking/osmand"


def recent() -> datetime:
    return timezone.now().replace(microsecond=0) - timedelta(minutes=2)


def test_a_query_report_is_recorded_and_moves_the_bus_with_speed_in_knots_made_km_h(fleet):
    at = recent()

    answer = APIClient().get(OSMAND, {"id": fleet.tracker.identifier, "lat": "-1.2921", "lon": "36.8219",
                                      "timestamp": str(int(at.timestamp())), "speed": "10", "bearing": "90.5",
                                      "altitude": "1650", "accuracy": "8", "batt": "77", "hdop": "0.9"})

    assert (answer.status_code, answer.content) == (200, b"")
    position = live.bus_live(fleet.bus_id)
    assert (position.latitude, position.longitude, position.fixed_at, position.heading) == (-1.2921, 36.8219, at, 90.5)
    assert position.speed_kmh == pytest.approx(18.52)
    assert position.trip_id is None  # the trip is not under way yet
    assert history(fleet.bus_id) == [(-1.2921, 36.8219, at, None, f"device:{fleet.tracker.pk}", True)]


def test_a_form_post_with_an_iso_time_is_taken_for_the_trip_under_way(fleet):
    trip_board(fleet.world)
    at = recent()

    form = urlencode({"lat": "-0.3031", "lon": "36.08", "timestamp": at.replace(tzinfo=None).isoformat()})

    answer = APIClient().post(f"{OSMAND}?id={fleet.tracker.identifier}", form,
                              content_type="application/x-www-form-urlencoded")

    assert (answer.status_code, answer.content) == (200, b"")
    assert history(fleet.bus_id) == [(-0.3031, 36.08, at, fleet.trip_id, f"device:{fleet.tracker.pk}", True)]
    assert live.bus_live(fleet.bus_id).trip_id == fleet.trip_id


def test_a_timestamp_in_milliseconds_is_read_as_traccar_reads_it(fleet):
    at = datetime(2026, 1, 1, tzinfo=UTC)
    answer = APIClient().get(OSMAND, {"id": fleet.tracker.identifier, "lat": "1", "lon": "2",
                                      "timestamp": str(int(at.timestamp() * 1000))})

    assert answer.status_code == 200
    assert history(fleet.bus_id) == []  # older than a week: refused by the filters, still a 200


def test_a_filtered_fix_is_answered_200_and_recorded_nowhere(fleet):
    answer = APIClient().get(OSMAND, {"id": fleet.tracker.identifier, "lat": "0", "lon": "0"})

    assert (answer.status_code, answer.content) == (200, b"")
    assert history(fleet.bus_id) == []
    assert live.bus_live(fleet.bus_id) is None


def test_an_unknown_or_inactive_id_is_404_and_changes_nothing(fleet):
    TrackerDevice.objects.filter(pk=fleet.tracker.pk).update(active=False)

    for identifier in (fleet.tracker.identifier, "999999999"):
        answer = APIClient().get(OSMAND, {"id": identifier, "lat": "-1.29", "lon": "36.82"})
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"
        assert answer.json()["code"] == "tracker_not_found"
    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


@pytest.mark.parametrize(("field", "value"), [
    ("lat", "NaN"), ("lat", "1e308"), ("lon", "inf"), ("lat", "91"), ("lon", "-180.5"), ("lat", ""), ("lat", "abc"),
    ("timestamp", str(2**63)), ("timestamp", "99999999999999999"), ("timestamp", "2026-13-01T00:00:00"),
    ("timestamp", "yesterday"), ("speed", "NaN"), ("speed", "-1"), ("bearing", "400"), ("batt", "1e308"),
    ("accuracy", "-inf"), ("id", ""), ("id", "x" * 65), ("id", "12 3"),
])
def test_a_malformed_value_is_a_400_problem_and_records_nothing(fleet, field, value):
    query = {"id": fleet.tracker.identifier, "lat": "-1.29", "lon": "36.82",
             "timestamp": str(int(recent().timestamp())), field: value}

    answer = APIClient().get(OSMAND, query)

    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "validation_failed"
    assert list(answer.json()["errors"]) == [field]
    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


@pytest.mark.parametrize(("field", "value"), [("id", "12\x003"), ("lat", "1\x00")])
def test_nul_bytes_are_refused_before_the_view_and_record_nothing(fleet, field, value):
    answer = APIClient().get(OSMAND, {"id": fleet.tracker.identifier, "lat": "-1.29", "lon": "36.82", field: value})

    assert answer.status_code == 400
    assert answer.json()["code"] == "malformed_request"
    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


def test_a_nul_byte_in_a_form_body_is_a_400_and_records_nothing(fleet):
    form = urlencode({"lat": "-1.29", "lon": "36.82", "timestamp": "2026-01-01T00:00:00\x00"})

    answer = APIClient().post(f"{OSMAND}?id={fleet.tracker.identifier}", form,
                              content_type="application/x-www-form-urlencoded")

    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["timestamp"]
    assert history(fleet.bus_id) == []


def test_a_report_without_coordinates_is_a_400(fleet):
    answer = APIClient().get(OSMAND, {"id": fleet.tracker.identifier})

    assert answer.status_code == 400
    assert sorted(answer.json()["errors"]) == ["lat", "lon"]


def test_authorization_headers_are_not_read(fleet):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    answer = client.get(OSMAND, {"id": fleet.tracker.identifier, "lat": "-1.29", "lon": "36.82"})

    assert answer.status_code == 200
