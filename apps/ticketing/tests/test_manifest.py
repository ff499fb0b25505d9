"""The boarding manifest: what a driver's device needs to check codes with no network and no key. The check it
documents accepts the trip's genuine codes and refuses altered ones."""

from __future__ import annotations

import base64
import hmac
from datetime import datetime

import pytest
from django.utils import timezone

from apps.qr import api as qr_api
from apps.ticketing.sales.services.cancellation import booking_cancel
from tests.worlds.boarding import build_boarding_cast, ticket
from transport.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    return build_boarding_cast(world)


def _manifest(cast) -> dict:
    answer = cast.driver.client.get(f"/api/v1/trips/{cast.trip_id}/manifest")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _offline_check(manifest: dict, code: str) -> bool:
    """The check the manifest's documentation describes, as a device would run it: no key, no network."""
    try:
        claims = qr_api.ticket_code_read(code=code)
    except ValidationFailed:
        return False
    entry = next((e for e in manifest["tickets"] if e["ticket_id"] == str(claims.ticket_id)), None)
    if entry is None:
        return False
    same = (str(claims.company_id), str(claims.trip_id), claims.seat_label, claims.from_sequence,
            claims.to_sequence, claims.valid_until) == (
        manifest["company_id"], manifest["trip_id"], entry["seat"], entry["from_sequence"], entry["to_sequence"],
        datetime.fromisoformat(entry["valid_until"]))
    raw = base64.b32decode(code + "=" * (-len(code) % 8))
    tag = base64.b32encode(raw[-16:]).decode().rstrip("=")
    return (same and hmac.compare_digest(tag, entry["tag"]) and not entry["boarded"]
            and claims.valid_until > timezone.now())


def test_the_manifest_lists_the_trips_valid_tickets_with_their_tags(cast, other_world):
    first = ticket(cast.world, "1A", board="Nakuru", name="Kamau")
    boarded = ticket(cast.world, "1B")
    cancelled = ticket(cast.world, "1C")
    booking_cancel(principal=cast.world.principal("passenger"), booking_id=cancelled.booking_id)
    ticket(cast.world, "1D", trip_id=cast.other_trip_id)
    ticket(other_world, "1A")
    cast.driver.client.post("/api/v1/boarding/scan", {"trip_id": str(cast.trip_id), "code": boarded.code},
                            format="json")

    manifest = _manifest(cast)

    assert (manifest["trip_id"], manifest["company_id"]) == (str(cast.trip_id), str(cast.world.company_id))
    assert manifest["generated_at"]
    assert [(e["seat"], e["boarded"]) for e in manifest["tickets"]] == [("1A", False), ("1B", True)]
    claims = qr_api.ticket_code_read(code=first.code)
    assert manifest["tickets"][0] == {
        "ticket_id": str(first.id), "number": first.number, "seat": "1A", "passenger_name": "Kamau",
        "from_stop_id": str(cast.world.stops["Nakuru"]), "to_stop_id": str(cast.world.stops["Kisumu"]),
        "from_sequence": first.booking.from_sequence, "to_sequence": first.booking.to_sequence,
        "valid_until": claims.valid_until.isoformat().replace("+00:00", "Z"),
        "tag": qr_api.ticket_code_tag(code=first.code), "boarded": False,
    }
    assert first.code not in str(manifest)  # tags, never the codes themselves


def test_the_documented_offline_check_accepts_genuine_codes_and_refuses_altered_ones(cast, other_world):
    genuine = ticket(cast.world, "2A")
    elsewhere = ticket(cast.world, "2B", trip_id=cast.other_trip_id)
    theirs = ticket(other_world, "2C")
    manifest = _manifest(cast)
    raw = bytearray(base64.b32decode(genuine.code + "=" * (-len(genuine.code) % 8)))
    later = bytearray(raw)
    later[-20:-16] = (int.from_bytes(raw[-20:-16], "big") + 86_400).to_bytes(4, "big")  # valid a day longer
    bad_tag = bytearray(raw)
    bad_tag[-1] ^= 0x01

    def text(data: bytearray) -> str:
        return base64.b32encode(bytes(data)).decode().rstrip("=")

    assert _offline_check(manifest, genuine.code)
    assert not _offline_check(manifest, text(later))
    assert not _offline_check(manifest, text(bad_tag))
    assert not _offline_check(manifest, elsewhere.code)
    assert not _offline_check(manifest, theirs.code)
    assert not _offline_check(manifest, "NOT-A-CODE")


def test_the_manifest_takes_a_fixed_number_of_queries(cast, django_assert_num_queries):
    for seat in ("3A", "3B", "3C", "3D"):
        ticket(cast.world, seat)

    # the device and its permissions (2), the trip, its drivers, the tickets with their passengers and bookings
    with django_assert_num_queries(5):
        manifest = _manifest(cast)

    assert len(manifest["tickets"]) == 4
