"""Offline boarding: scans made with no network are uploaded later. The earliest scan of a ticket is its
boarding whatever the upload order; later scans are duplicates; the same scan uploaded again is one scan;
nothing in an upload is an error unless the upload itself is malformed."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.company import api as company_api
from apps.qr import api as qr_api
from apps.ticketing.models import Boarding, BoardingScan, Ticket
from apps.ticketing.sales.services.cancellation import booking_cancel
from tests.worlds.boarding import WIDE_BOARDING_WINDOW_HOURS, build_boarding_cast, device, new_driver, roster
from tests.worlds.boarding import ticket_bought_a_day_ago as ticket
from transport.events.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _wide_boarding_window(settings):
    settings.TICKETING_BOARDING_EARLIEST_HOURS = WIDE_BOARDING_WINDOW_HOURS


SYNC = "/api/v1/boarding/sync"


@pytest.fixture
def cast(world):
    return build_boarding_cast(world)


@pytest.fixture
def second_phone(cast):
    """A second driver rostered on the same trip, with their own phone."""
    co_driver = new_driver(cast.world)
    roster(cast.world, co_driver)
    return device(cast.world, co_driver)


def _scan(*, at, code=None, ticket_id=None, scan_id=None) -> dict:
    scan = {"id": str(scan_id or uuid.uuid4()), "scanned_at": at.isoformat()}
    if code is not None:
        scan["code"] = code
    if ticket_id is not None:
        scan["ticket_id"] = str(ticket_id)
    return scan


def _tag_altered(code: str) -> str:
    raw = bytearray(base64.b32decode(code + "=" * (-len(code) % 8)))
    raw[-1] ^= 0x01
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


def _sync(phone, trip_id, *scans) -> list[dict]:
    answer = phone.client.post(SYNC, {"trip_id": str(trip_id), "scans": list(scans)}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["trip_id"] == str(trip_id)
    return answer.json()["scans"]


def _summary(results: list[dict]) -> list[tuple]:
    return [(r["outcome"], r["boarded_at"], r["boarded_by_device"]) for r in results]


def test_a_scan_synced_twice_and_from_two_devices_boards_once(cast, second_phone):
    issued = ticket(cast.world, "1A")
    early, late = timezone.now() - timedelta(minutes=20), timezone.now() - timedelta(minutes=5)
    mine = _scan(at=early, code=issued.code)
    theirs = _scan(at=late, code=issued.code)

    first = _sync(cast.driver, cast.trip_id, mine)
    again = _sync(cast.driver, cast.trip_id, mine)
    other = _sync(second_phone, cast.trip_id, theirs)

    boarded_at = first[0]["boarded_at"]
    assert _summary(first) == [("boarded", boarded_at, str(cast.driver.id))]
    assert again == first
    assert _summary(other) == [("duplicate", boarded_at, str(cast.driver.id))]
    boarding = Boarding.objects.get()
    assert (boarding.scanned_at, boarding.device_id, boarding.source) == (early, cast.driver.id, "offline")
    assert sorted(BoardingScan.objects.values_list("outcome", flat=True)) == ["boarded", "duplicate"]
    assert OutboxMessage.objects.filter(event="ticketing.ticket_boarded").count() == 1


def test_the_earliest_scan_wins_whatever_the_upload_order(cast, second_phone):
    issued = ticket(cast.world, "1B")
    early, late = timezone.now() - timedelta(minutes=30), timezone.now() - timedelta(minutes=2)
    late_scan = _scan(at=late, code=issued.code)
    early_scan = _scan(at=early, code=issued.code)

    uploaded_first = _sync(second_phone, cast.trip_id, late_scan)
    uploaded_later = _sync(cast.driver, cast.trip_id, early_scan)
    replayed = _sync(second_phone, cast.trip_id, late_scan)

    assert uploaded_first[0]["outcome"] == "boarded"  # the first known scan, when it was uploaded
    assert _summary(uploaded_later) == [("boarded", early.isoformat().replace("+00:00", "Z"), str(cast.driver.id))]
    # asked again, the later scan learns it lost to the earlier one
    assert _summary(replayed) == [("duplicate", uploaded_later[0]["boarded_at"], str(cast.driver.id))]
    boarding = Boarding.objects.get()
    assert (boarding.scanned_at, boarding.device_id) == (early, cast.driver.id)
    assert OutboxMessage.objects.filter(event="ticketing.ticket_boarded").count() == 1  # it boarded once


def test_an_offline_scan_before_an_online_boarding_takes_its_place(cast, second_phone):
    issued = ticket(cast.world, "1C")
    online = second_phone.client.post("/api/v1/boarding/scan", {"trip_id": str(cast.trip_id), "code": issued.code},
                                      format="json").json()
    earlier = timezone.now() - timedelta(minutes=10)

    synced = _sync(cast.driver, cast.trip_id, _scan(at=earlier, code=issued.code))

    assert online["boarded"] is True
    assert synced[0]["outcome"] == "boarded"
    assert (Boarding.objects.get().scanned_at, Boarding.objects.get().device_id) == (earlier, cast.driver.id)


def test_an_online_scan_after_an_offline_boarding_is_already_boarded(cast, second_phone):
    issued = ticket(cast.world, "1D")
    _sync(cast.driver, cast.trip_id, _scan(at=timezone.now() - timedelta(minutes=10), code=issued.code))

    online = second_phone.client.post("/api/v1/boarding/scan", {"trip_id": str(cast.trip_id), "code": issued.code},
                                      format="json").json()

    assert (online["reason"], online["boarded_by_device"]) == ("already_boarded", str(cast.driver.id))


def test_one_upload_with_the_same_ticket_twice_boards_it_once(cast):
    issued = ticket(cast.world, "2A")
    now = timezone.now()

    results = _sync(cast.driver, cast.trip_id, _scan(at=now - timedelta(minutes=3), code=issued.code),
                    _scan(at=now - timedelta(minutes=1), ticket_id=issued.id))

    assert [r["outcome"] for r in results] == ["boarded", "duplicate"]
    assert Boarding.objects.count() == 1


def test_a_ticket_picked_from_the_manifest_boards_without_a_code(cast):
    issued = ticket(cast.world, "2B", name="Achieng")

    results = _sync(cast.driver, cast.trip_id, _scan(at=timezone.now(), ticket_id=issued.id))

    assert (results[0]["outcome"], results[0]["ticket"]["passenger_name"]) == ("boarded", "Achieng")


def test_expiry_is_judged_at_the_scan_time(cast):
    issued = ticket(cast.world, "3A")
    booking = issued.booking
    expired_now = qr_api.ticket_code_sign(
        company_id=issued.company_id, ticket_id=issued.id, trip_id=issued.trip_id, seat_label=issued.seat_label,
        from_sequence=booking.from_sequence, to_sequence=booking.to_sequence,
        valid_until=timezone.now() - timedelta(hours=1))
    now = timezone.now()

    results = _sync(cast.driver, cast.trip_id, _scan(at=now, code=expired_now),
                    _scan(at=now - timedelta(hours=2), code=expired_now))

    assert [r["outcome"] for r in results] == ["expired", "boarded"]


def test_each_refusal_is_an_outcome_not_an_error(cast, other_world):
    mine = ticket(cast.world, "4A")
    cancelled = ticket(cast.world, "4B")
    booking_cancel(principal=cast.world.principal("passenger"), booking_id=cancelled.booking_id)
    elsewhere = ticket(cast.world, "4C", trip_id=cast.other_trip_id)
    theirs = ticket(other_world, "4D")
    now = timezone.now()

    results = _sync(cast.driver, cast.trip_id,
                    _scan(at=now, code=_tag_altered(mine.code)),
                    _scan(at=now, code="NOT-A-CODE"),
                    _scan(at=now, code=cancelled.code),
                    _scan(at=now, code=elsewhere.code),
                    _scan(at=now, code=theirs.code),
                    _scan(at=now, ticket_id=uuid.uuid4()),
                    _scan(at=now, ticket_id=theirs.id),
                    _scan(at=now, ticket_id=elsewhere.id),
                    _scan(at=now + timedelta(hours=1), code=mine.code))

    assert [r["outcome"] for r in results] == [
        "invalid_signature", "malformed", "cancelled", "wrong_trip", "other_company", "unknown_ticket",
        "unknown_ticket",  # another company's ticket id does not exist here
        "wrong_trip", "scanned_in_future"]
    assert [r["ticket"] is not None for r in results] == [False, False, True, True, False, False, False, True, False]
    assert not Boarding.objects.exists()
    assert BoardingScan.objects.count() == len(results)


def test_a_scan_id_another_device_used_is_not_answered_for_it(cast, second_phone):
    issued = ticket(cast.world, "5A")
    scan = _scan(at=timezone.now(), code=issued.code)
    _sync(cast.driver, cast.trip_id, scan)

    results = _sync(second_phone, cast.trip_id, scan)

    assert (results[0]["outcome"], results[0]["ticket"], results[0]["boarded_by_device"]) == (
        "scan_id_reused", None, None)
    assert BoardingScan.objects.count() == 1


def _issued_at(issued, at) -> None:
    Ticket.objects.filter(pk=issued.pk).update(issued_at=at)


def test_a_scan_may_claim_the_opening_of_the_boarding_window_not_a_second_before(cast, settings):
    settings.TICKETING_BOARDING_EARLIEST_HOURS = 72  # the trip leaves within three days: its window is open
    opens = company_api.get_trip(trip_id=cast.trip_id).departure_at - timedelta(hours=72)
    too_early, on_time = ticket(cast.world, "6A"), ticket(cast.world, "6B")
    for issued in (too_early, on_time):
        _issued_at(issued, opens - timedelta(hours=1))

    results = _sync(cast.driver, cast.trip_id, _scan(at=opens - timedelta(seconds=1), code=too_early.code),
                    _scan(at=opens, code=on_time.code))

    assert [(r["outcome"], r["ticket"]) for r in results[:1]] == [("scanned_before_boarding_window", None)]
    assert results[1]["outcome"] == "boarded"
    assert list(Boarding.objects.values_list("ticket_id", "scanned_at")) == [(on_time.id, opens)]
    assert BoardingScan.objects.count() == 2


def test_a_scan_may_claim_the_tickets_issue_less_the_clock_skew_not_a_second_before(cast, settings):
    issued_at = timezone.now() - timedelta(hours=1)
    skew = timedelta(seconds=settings.TICKETING_POS_CLOCK_SKEW_SECONDS)
    too_early, on_time = ticket(cast.world, "6C"), ticket(cast.world, "6D")
    for issued in (too_early, on_time):
        _issued_at(issued, issued_at)

    results = _sync(cast.driver, cast.trip_id,
                    _scan(at=issued_at - skew - timedelta(seconds=1), code=too_early.code),
                    _scan(at=issued_at - skew - timedelta(seconds=1), ticket_id=too_early.id),
                    _scan(at=issued_at - skew, code=on_time.code))

    assert [r["outcome"] for r in results] == ["scanned_before_issue", "scanned_before_issue", "boarded"]
    assert results[0]["ticket"]["id"] == str(too_early.id)
    assert list(Boarding.objects.values_list("ticket_id", "scanned_at")) == [(on_time.id, issued_at - skew)]


def test_a_scan_claiming_year_one_boards_nobody(cast):
    issued = ticket(cast.world, "5C")

    results = _sync(cast.driver, cast.trip_id, {"id": str(uuid.uuid4()), "scanned_at": "0001-01-01T00:00:00Z",
                                                "code": issued.code})
    later = _sync(cast.driver, cast.trip_id, _scan(at=timezone.now(), code=issued.code))

    assert [r["outcome"] for r in results + later] == ["scanned_before_boarding_window", "boarded"]
    assert Boarding.objects.get().scanned_at > timezone.now() - timedelta(minutes=1)
    assert OutboxMessage.objects.filter(event="ticketing.ticket_boarded").count() == 1
