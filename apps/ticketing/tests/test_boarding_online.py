"""Online boarding: a driver's device of the trip scans a code, and the passenger boards once, or the answer
says why not. Every refusal is logged and boards no one."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.company import api as company_api
from apps.qr import api as qr_api
from apps.ticketing.boarding import services as boarding
from apps.ticketing.models import Boarding, BoardingScan, Ticket
from apps.ticketing.sales.services.cancellation import booking_cancel
from tests.worlds.boarding import build_boarding_cast, delay, ticket
from transport.errors import Conflict
from transport.events.models import OutboxMessage

pytestmark = pytest.mark.django_db

SCAN = "/api/v1/boarding/scan"


@pytest.fixture
def cast(world):
    return build_boarding_cast(world)


def _scan(device, trip_id, code) -> dict:
    answer = device.client.post(SCAN, {"trip_id": str(trip_id), "code": code}, format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _bytes(code: str) -> bytearray:
    return bytearray(base64.b32decode(code + "=" * (-len(code) % 8)))


def _text(raw: bytearray) -> str:
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


def _flip(code: str, offset: int) -> str:
    """The code with one byte changed (offset from the start, or from the end when negative)."""
    raw = _bytes(code)
    raw[offset] ^= 0x01
    return _text(raw)


def _resign(issued: Ticket, **changes) -> str:
    """A genuinely signed code for the ticket, with some claims changed."""
    booking = issued.booking
    claims = {"company_id": issued.company_id, "ticket_id": issued.id, "trip_id": issued.trip_id,
              "seat_label": issued.seat_label, "from_sequence": booking.from_sequence,
              "to_sequence": booking.to_sequence, "valid_until": timezone.now() + timedelta(days=3)}
    return qr_api.ticket_code_sign(**{**claims, **changes})


def _refused(cast, answer: dict, reason: str) -> None:
    assert (answer["boarded"], answer["reason"]) == (False, reason)
    assert Boarding.objects.count() == 0
    assert list(BoardingScan.objects.values_list("outcome", "source", "device_id")) == [
        (reason, "online", cast.driver.id)]
    assert not OutboxMessage.objects.filter(event="ticketing.ticket_boarded").exists()


def test_a_valid_code_boards_its_passenger_and_announces_it(cast):
    issued = ticket(cast.world, "1A", board="Nakuru", name="Otieno")

    answer = _scan(cast.driver, cast.trip_id, issued.code)

    boarding = Boarding.objects.get()
    assert answer == {
        "boarded": True, "reason": "boarded",
        "ticket": {"id": str(issued.id), "number": issued.number, "seat": "1A", "passenger_name": "Otieno",
                   "from_stop_id": str(cast.world.stops["Nakuru"]), "to_stop_id": str(cast.world.stops["Kisumu"]),
                   "from_sequence": issued.booking.from_sequence, "to_sequence": issued.booking.to_sequence},
        "boarded_at": answer["boarded_at"], "boarded_by_device": str(cast.driver.id),
    }
    assert (boarding.ticket_id, boarding.trip_id, boarding.device_id, boarding.source) == (
        issued.id, cast.trip_id, cast.driver.id, "online")
    assert BoardingScan.objects.get().outcome == "boarded"
    event = OutboxMessage.objects.get(event="ticketing.ticket_boarded")
    assert event.payload == {"ticket_id": str(issued.id), "trip_id": str(cast.trip_id),
                             "company_id": str(cast.world.company_id), "device_id": str(cast.driver.id),
                             "scanned_at": boarding.scanned_at.isoformat()}
    assert json.loads(json.dumps(event.payload)) == event.payload


def test_a_second_scan_says_when_and_by_which_device_it_boarded(cast):
    issued = ticket(cast.world, "1B")
    first = _scan(cast.driver, cast.trip_id, issued.code)

    second = _scan(cast.driver, cast.trip_id, issued.code)

    assert (second["boarded"], second["reason"], second["ticket"]["number"]) == (False, "already_boarded",
                                                                                 issued.number)
    assert (second["boarded_at"], second["boarded_by_device"]) == (first["boarded_at"], str(cast.driver.id))
    assert Boarding.objects.count() == 1
    assert sorted(BoardingScan.objects.values_list("outcome", flat=True)) == ["already_boarded", "boarded"]
    assert OutboxMessage.objects.filter(event="ticketing.ticket_boarded").count() == 1


def test_a_tampered_payload_is_an_invalid_signature(cast):
    issued = ticket(cast.world, "2A")

    answer = _scan(cast.driver, cast.trip_id, _flip(issued.code, 40))  # a byte of the trip id

    assert answer["ticket"] is None
    _refused(cast, answer, "invalid_signature")


def test_a_tampered_tag_is_an_invalid_signature(cast):
    issued = ticket(cast.world, "2B")

    answer = _scan(cast.driver, cast.trip_id, _flip(issued.code, -1))

    _refused(cast, answer, "invalid_signature")


def test_a_code_naming_an_unknown_key_is_refused(cast):
    issued = ticket(cast.world, "2C")
    raw = _bytes(issued.code)
    raw[1:3] = (999).to_bytes(2, "big")  # the key id

    answer = _scan(cast.driver, cast.trip_id, _text(raw))

    _refused(cast, answer, "unknown_key")


def test_text_that_is_no_code_is_malformed(cast):
    answer = _scan(cast.driver, cast.trip_id, "HELLO-BUS")

    _refused(cast, answer, "malformed")


def test_an_expired_code_is_refused_and_names_the_ticket(cast):
    issued = ticket(cast.world, "2D")

    answer = _scan(cast.driver, cast.trip_id, _resign(issued, valid_until=timezone.now() - timedelta(minutes=1)))

    assert answer["ticket"]["number"] == issued.number
    _refused(cast, answer, "expired")


def test_a_delayed_trip_still_boards_codes_that_expired_within_the_delay(cast):
    issued = ticket(cast.world, "5C")
    code = _resign(issued, valid_until=timezone.now() - timedelta(minutes=30))
    delay(cast.world, 45)

    answer = _scan(cast.driver, cast.trip_id, code)

    assert (answer["boarded"], answer["reason"]) == (True, "boarded")


def test_another_companys_ticket_is_refused_and_shows_nothing_of_it(cast, other_world):
    theirs = ticket(other_world, "3A")

    answer = _scan(cast.driver, cast.trip_id, theirs.code)

    assert answer["ticket"] is None
    _refused(cast, answer, "other_company")
    assert BoardingScan.objects.get().ticket_id is None


def test_a_ticket_for_another_trip_is_refused(cast):
    issued = ticket(cast.world, "3B", trip_id=cast.other_trip_id)

    answer = _scan(cast.driver, cast.trip_id, issued.code)

    assert answer["ticket"]["number"] == issued.number
    _refused(cast, answer, "wrong_trip")


def test_a_cancelled_ticket_is_refused(cast):
    issued = ticket(cast.world, "3C")
    booking_cancel(principal=cast.world.principal("passenger"), booking_id=issued.booking_id)

    answer = _scan(cast.driver, cast.trip_id, issued.code)

    _refused(cast, answer, "cancelled")


def test_a_signed_code_for_a_ticket_that_does_not_exist_is_refused(cast):
    issued = ticket(cast.world, "3D")

    answer = _scan(cast.driver, cast.trip_id, _resign(issued, ticket_id=uuid.uuid4()))

    _refused(cast, answer, "unknown_ticket")


def test_an_online_scan_takes_a_fixed_number_of_queries(cast, django_assert_num_queries):
    first, second = ticket(cast.world, "4A"), ticket(cast.world, "4B")
    _scan(cast.driver, cast.trip_id, first.code)
    client = cast.driver.client

    # the trip, its drivers, the ticket (the device's principal is cached since the first scan); then in a
    # savepoint: the ticket's state again under a share lock, the boarding insert, the outbox row, the scan log
    with django_assert_num_queries(9):
        answer = client.post(SCAN, {"trip_id": str(cast.trip_id), "code": second.code}, format="json")

    assert answer.json()["boarded"] is True


def test_a_boarded_passengers_booking_can_no_longer_be_cancelled(cast):
    issued = ticket(cast.world, "4A")
    _scan(cast.driver, cast.trip_id, issued.code)

    with pytest.raises(Conflict) as refused:
        booking_cancel(principal=cast.world.principal("passenger"), booking_id=issued.booking_id)

    assert refused.value.code == "ticket_boarded"
    assert Ticket.objects.get(pk=issued.pk).state == "valid"


def test_a_cancellation_landing_between_the_check_and_the_boarding_wins(cast):
    issued = ticket(cast.world, "4B")
    seen_before = Ticket.objects.get(pk=issued.pk)  # the scan judged this copy: valid
    booking_cancel(principal=cast.world.principal("passenger"), booking_id=issued.booking_id)
    trip = company_api.get_trip(trip_id=cast.trip_id)

    with transaction.atomic():
        verdict = boarding._board_online(trip, seen_before, device_id=cast.driver.id, at=timezone.now())

    assert verdict.outcome == "cancelled"
    assert not Boarding.objects.exists()
