"""GET /api/v1/tracking/trips/{id}/track: the company's admins and dispatchers read a trip's track; other staff
are refused, and another company's trip does not exist for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apps.tracking.history.writer import fixes_record
from apps.tracking.tests.fixes import fix_at

START = datetime(2031, 7, 1, 5, 0, tzinfo=UTC)


def _url(trip_id) -> str:
    return f"/api/v1/tracking/trips/{trip_id}/track"


def _record_three_fixes(world) -> None:
    fixes_record([fix_at(START + timedelta(minutes=n), company_id=world.company_id, bus_id=world.bus_id,
                         trip_id=world.trip_id, latitude=0.0, longitude=n / 100) for n in range(3)],
                 live_flags=[True, True, True])


def test_a_dispatcher_reads_the_trips_track(world):
    # given
    _record_three_fixes(world)
    # when
    response = world.client("dispatcher").get(_url(world.trip_id))
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["points"] == [{"latitude": 0.0, "longitude": n / 100,
                               "fixed_at": f"2031-07-01T05:0{n}:00Z", "speed_kmh": None, "heading": None,
                               "altitude_m": None, "accuracy_m": None} for n in range(3)]
    assert round(body["distance_m"], 3) == 2223.902
    assert {key: body[key] for key in ("trip_id", "point_count", "duration_seconds", "started_at", "ended_at",
                                       "next_since")} == {
        "trip_id": str(world.trip_id), "point_count": 3, "duration_seconds": 120.0,
        "started_at": "2031-07-01T05:00:00Z", "ended_at": "2031-07-01T05:02:00Z", "next_since": None}


def test_replay_pages_through_since(world):
    # given
    _record_three_fixes(world)
    client = world.client("company_admin")
    # when
    first = client.get(_url(world.trip_id), {"limit": 2}).json()
    second = client.get(_url(world.trip_id), {"limit": 2, "since": first["next_since"]}).json()
    # then
    assert ([p["longitude"] for p in first["points"]], first["next_since"]) == ([0.0, 0.01], "2031-07-01T05:01:00Z")
    assert ([p["longitude"] for p in second["points"]], second["next_since"]) == ([0.02], None)
    assert first["point_count"] == second["point_count"] == 3


def test_a_limit_above_ten_thousand_is_refused(world):
    # when
    response = world.client("dispatcher").get(_url(world.trip_id), {"limit": 10_001})
    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["errors"]) == (
        "validation_failed", {"limit": ["Ensure this value is less than or equal to 10000."]})


def test_staff_without_the_fleet_permission_are_refused(world):
    # given
    _record_three_fixes(world)
    # when
    answers = {role: world.client(role).get(_url(world.trip_id)).status_code for role in ("agent", "driver")}
    # then
    assert answers == {"agent": 403, "driver": 403}


def test_another_companys_trip_is_not_found(world, other_world):
    # given
    _record_three_fixes(world)
    # when
    response = other_world.client("dispatcher").get(_url(world.trip_id))
    # then
    assert response.status_code == 404
    assert "points" not in response.json()


def test_an_anonymous_caller_is_refused(world):
    # when
    response = world.client(None).get(_url(world.trip_id))
    # then
    assert response.status_code == 401


def test_the_fleet_permission_is_granted_to_admins_and_dispatchers_only(world):
    # when
    holders = {role: world.principal(role).has("tracking.view_fleet", company_id=world.company_id)
               for role in ("company_admin", "dispatcher", "agent", "driver", "passenger")}
    # then
    assert holders == {"company_admin": True, "dispatcher": True, "agent": False, "driver": False,
                       "passenger": False}
