"""Who may scan, read a trip's manifest and upload offline scans: only a device of a driver rostered on the
trip. Another company's trip does not exist for the caller; bad input is a problem+json 4xx that records
nothing."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.ticketing.models import Boarding, BoardingScan
from tests.worlds.boarding import build_boarding_cast, device, roster, ticket

pytestmark = pytest.mark.django_db

SCAN = "/api/v1/boarding/scan"
SYNC = "/api/v1/boarding/sync"
PROBLEM = "application/problem+json"

# who -> (status, problem code) for scan, manifest and sync alike
MATRIX = {
    "trip_driver_device": (200, None),
    "other_trip_driver_device": (403, "not_trip_driver"),
    "agent_device": (403, "permission_denied"),
    "driver_bearer_token": (403, "device_required"),
    "company_admin_bearer_token": (403, "permission_denied"),
    "other_company_driver_device": (404, "not_found"),
    "anonymous": (401, "not_authenticated"),
}


@pytest.fixture
def cast(world):
    return build_boarding_cast(world)


def _client(who: str, cast, other_world) -> APIClient:
    if who == "other_company_driver_device":
        roster(other_world, other_world.users["driver"])
        return device(other_world, other_world.users["driver"]).client
    clients = {
        "trip_driver_device": lambda: cast.driver.client,
        "other_trip_driver_device": lambda: cast.other_trip_driver.client,
        "agent_device": lambda: cast.agent.client,
        "driver_bearer_token": lambda: cast.world.client("driver"),
        "company_admin_bearer_token": lambda: cast.world.client("company_admin"),
        "anonymous": lambda: cast.world.client(None),
    }
    return clients[who]()


def _outcome(answer) -> tuple[int, str | None]:
    if answer.status_code == 200:
        return 200, None
    assert answer["Content-Type"] == PROBLEM
    return answer.status_code, answer.json()["code"]


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_permission_matrix(cast, other_world, who):
    issued = ticket(cast.world, "1A")
    client = _client(who, cast, other_world)
    trip = str(cast.trip_id)

    scanned = client.post(SCAN, {"trip_id": trip, "code": issued.code}, format="json")
    manifest = client.get(f"/api/v1/trips/{trip}/manifest")
    synced = client.post(SYNC, {"trip_id": trip, "scans": [
        {"id": str(uuid.uuid4()), "ticket_id": str(issued.id), "scanned_at": timezone.now().isoformat()}]},
        format="json")

    assert [_outcome(answer) for answer in (scanned, manifest, synced)] == [MATRIX[who]] * 3
    allowed = MATRIX[who][0] == 200
    assert Boarding.objects.exists() is allowed
    assert BoardingScan.objects.count() == (2 if allowed else 0)


def test_a_trip_that_does_not_exist_is_404(cast):
    missing = str(uuid.uuid4())

    scanned = cast.driver.client.post(SCAN, {"trip_id": missing, "code": "X" * 100}, format="json")
    manifest = cast.driver.client.get(f"/api/v1/trips/{missing}/manifest")

    assert [_outcome(answer) for answer in (scanned, manifest)] == [(404, "not_found")] * 2


BAD_SCANS = {
    "no code": {"trip_id": "{trip}"},
    "no trip": {"code": "ABC"},
    "trip not a uuid": {"trip_id": "bus-7", "code": "ABC"},
    "code not text": {"trip_id": "{trip}", "code": ["ABC"]},
    "code too long": {"trip_id": "{trip}", "code": "A" * 201},
    "unknown field": {"trip_id": "{trip}", "code": "ABC", "seat": "1A"},
}


@pytest.mark.parametrize("body", list(BAD_SCANS))
def test_a_malformed_scan_is_a_400_that_records_nothing(cast, body):
    payload = {key: value.format(trip=cast.trip_id) if isinstance(value, str) else value
               for key, value in BAD_SCANS[body].items()}

    answer = cast.driver.client.post(SCAN, payload, format="json")

    assert _outcome(answer) == (400, "validation_failed")
    assert not BoardingScan.objects.exists()


def _scan_item(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "scanned_at": timezone.now().isoformat(), **fields}


BAD_SYNCS = {
    "no scans": lambda trip, t: {"trip_id": trip, "scans": []},
    "scans not a list": lambda trip, t: {"trip_id": trip, "scans": {"id": "x"}},
    "neither code nor ticket": lambda trip, t: {"trip_id": trip, "scans": [_scan_item()]},
    "both code and ticket": lambda trip, t: {"trip_id": trip, "scans": [
        _scan_item(code=t.code, ticket_id=str(t.id))]},
    "scan id not a uuid": lambda trip, t: {"trip_id": trip, "scans": [{**_scan_item(code=t.code), "id": "7"}]},
    "no scan time": lambda trip, t: {"trip_id": trip, "scans": [{"id": str(uuid.uuid4()), "code": t.code}]},
    "scan time not a time": lambda trip, t: {"trip_id": trip, "scans": [_scan_item(code=t.code, scanned_at="noon")]},
    "unknown field in a scan": lambda trip, t: {"trip_id": trip, "scans": [_scan_item(code=t.code, seat="1A")]},
}


@pytest.mark.parametrize("body", list(BAD_SYNCS))
def test_a_malformed_upload_is_a_400_that_records_nothing(cast, body):
    issued = ticket(cast.world, "2A")

    answer = cast.driver.client.post(SYNC, BAD_SYNCS[body](str(cast.trip_id), issued), format="json")

    assert _outcome(answer) == (400, "validation_failed")
    assert not BoardingScan.objects.exists()
    assert not Boarding.objects.exists()


def test_malformed_json_is_a_400(cast):
    answer = cast.driver.client.post(SYNC, data='{"trip_id": ', content_type="application/json")

    assert _outcome(answer) == (400, "malformed_request")


def test_an_upload_over_the_batch_limit_is_a_413_that_records_nothing(cast, settings):
    settings.TICKETING_MAX_BOARDING_SYNC = 2
    issued = ticket(cast.world, "2B")
    scans = [_scan_item(ticket_id=str(issued.id)) for _ in range(3)]

    answer = cast.driver.client.post(SYNC, {"trip_id": str(cast.trip_id), "scans": scans}, format="json")
    at_limit = cast.driver.client.post(SYNC, {"trip_id": str(cast.trip_id), "scans": scans[:2]}, format="json")

    assert _outcome(answer) == (413, "too_many_scans")
    assert answer.json()["errors"] == {"scans": ["At most 2 scans."]}
    assert at_limit.status_code == 200
    assert BoardingScan.objects.count() == 2  # only the upload within the limit


def test_the_ticket_and_boarding_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    paths = schema["paths"]
    assert {"/api/v1/boarding/scan", "/api/v1/boarding/sync", "/api/v1/trips/{trip_id}/manifest",
            "/api/v1/tickets/{ticket_id}", "/api/v1/tickets/{ticket_id}/qr.png",
            "/api/v1/tickets/{ticket_id}/qr.svg"} <= set(paths)
    assert set(paths["/api/v1/tickets/{ticket_id}/qr.png"]["get"]["responses"]["200"]["content"]) == {"image/png"}
    assert set(paths["/api/v1/tickets/{ticket_id}/qr.svg"]["get"]["responses"]["200"]["content"]) == {
        "image/svg+xml"}
    assert "constant time" in paths["/api/v1/trips/{trip_id}/manifest"]["get"]["description"]
