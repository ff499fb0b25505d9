"""POST /api/v1/pos/sync: offline sales uploaded later. The same batch uploaded three times, with online sales
of the same seats in between, sells nothing twice; every conflict is reseated or rejected with a reason."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, FareRule, PosSale, SeatHold, Ticket
from apps.ticketing.pos.services import sales as pos
from apps.ticketing.sales.services.bookings import PassengerIn
from apps.ticketing.tests.holding import hold
from apps.ticketing.tests.pos_devices import allot, online_sale, register, sale, sell, sync

pytestmark = pytest.mark.django_db

ALL_SEATS = [f"{row}{letter}" for row in range(1, 11) for letter in "ABCD" if f"{row}{letter}" != "10D"]


def _outcomes(response) -> list[tuple[str, str, list[str]]]:
    return [(r["outcome"], r["reason"], r["seats"]) for r in response.json()["results"]]


def _live_rows_per_seat_and_stretch() -> Counter:
    rows = SeatHold.objects.filter(state__in=["held", "confirmed"]).values_list("seat_label", "stretch")
    return Counter((label, span.lower, span.upper) for label, span in rows)


def _assert_no_seat_sold_twice() -> None:
    by_seat: dict[str, list[tuple[int, int]]] = {}
    for label, low, high in _live_rows_per_seat_and_stretch():
        for other_low, other_high in by_seat.get(label, []):
            assert high <= other_low or other_high <= low, f"{label} sold twice"
        by_seat.setdefault(label, []).append((low, high))
    assert max(_live_rows_per_seat_and_stretch().values(), default=1) == 1


def test_an_offline_sale_is_sold_priced_and_ticketed(world):
    device = register(world)

    response = sync(device, sale(world, "1A", "1B", board="Nakuru", cash_minor=140_000))

    assert response.status_code == 200
    [result] = response.json()["results"]
    booking = Booking.objects.get(pk=result["booking_id"])
    assert (result["outcome"], result["reason"], result["seats"]) == ("sold", "", ["1A", "1B"])
    assert (result["total_minor"], result["currency"], result["cash_minor"]) == (140_000, "KES", 140_000)
    assert sorted(result["ticket_numbers"]) == sorted(Ticket.objects.filter(booking=booking)
                                                      .values_list("number", flat=True))
    assert (booking.state, booking.channel, booking.payment_ref) == ("confirmed", "pos", f"cash:pos:{device.id}")
    row = PosSale.objects.get(pk=result["id"])
    assert (row.offline, row.outcome, row.device_id, row.booking_id) == (True, "sold", device.id, booking.id)


def test_the_same_batch_three_times_interleaved_with_online_sales_sells_nothing_twice(world):
    # given a device that sold six sales offline, some on seats the online channels take meanwhile
    device, counter = register(world), register(world, name="Counter POS")
    batch = [sale(world, "1A"), sale(world, "1B", alight="Nakuru"), sale(world, "1B", board="Nakuru"),
             sale(world, "2A"), sale(world, "2B", "2C"), sale(world, "3A", board="Nakuru")]
    hold(world, world.principal("passenger"), "2A", board="Nakuru")  # 2A taken before the first upload

    # when the first half is uploaded, the counter sells 2C online, and the whole batch is uploaded...
    first_half = _outcomes(sync(device, *batch[:3]))
    assert sell(counter, online_sale(world, "2C", alight="Nakuru")).status_code == 201
    second = sync(device, *batch)
    # ...then online sales of the very seats the batch sold are refused, and the batch goes up a third time
    refused = [sell(counter, online_sale(world, seat)) for seat in ("1A", "3A")]
    refused.append(sell(counter, online_sale(world, "1B", board="Nakuru")))
    third = sync(device, *batch)

    # then the seats asked for are sold, or others of the same class when taken, identically every time
    assert first_half == _outcomes(second)[:3] == [("sold", "", ["1A"]), ("sold", "", ["1B"]), ("sold", "", ["1B"])]
    results = second.json()["results"]
    assert [(r["outcome"], r["reason"]) for r in results[3:]] == [("reseated", "seat_taken"),
                                                                    ("reseated", "seat_taken"), ("sold", "")]
    assert results[3]["seats"] != ["2A"] and results[4]["seats"][0] == "2B" and results[4]["seats"][1] != "2C"
    assert third.json() == second.json()
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(409, "seat_taken")] * 3
    assert PosSale.objects.filter(device_id=device.id).count() == 6
    assert Booking.objects.filter(holder=f"device:{device.id}").count() == 6
    assert Ticket.objects.filter(booking__holder=f"device:{device.id}").count() == 7
    _assert_no_seat_sold_twice()


def test_a_taken_seat_is_replaced_from_the_devices_own_allotment_first(world):
    device = register(world)
    allot(world, device, "9A", "9B")
    hold(world, world.principal("passenger"), "2A")

    response = sync(device, sale(world, "2A"))

    assert _outcomes(response) == [("reseated", "seat_taken", ["9A"])]
    assert response.json()["results"][0]["requested_seats"] == ["2A"]


def test_a_reseat_leaves_the_seats_later_sales_of_the_batch_ask_for(world):
    device = register(world)
    hold(world, world.principal("passenger"), "1A")

    response = sync(device, sale(world, "1A"), sale(world, "1B"), sale(world, "1D", "1C"))

    assert _outcomes(response) == [("reseated", "seat_taken", ["2A"]), ("sold", "", ["1B"]),
                                   ("sold", "", ["1D", "1C"])]


def test_no_free_seat_of_the_class_rejects_the_whole_sale_so_the_agent_refunds(world):
    # given every seat but 1A allotted to another device, and 1A held online
    device = register(world)
    allot(world, register(world, name="Other POS"), *[seat for seat in ALL_SEATS if seat not in ("1A", "1B")])
    hold(world, world.principal("passenger"), "1A")

    response = sync(device, sale(world, "1A", "1B", cash_minor=280_000))

    [result] = response.json()["results"]
    assert (result["outcome"], result["reason"], result["seats"], result["booking_id"]) == (
        "rejected", "no_seat_of_class", [], None)
    assert result["cash_minor"] == 280_000
    assert not Booking.objects.filter(holder=f"device:{device.id}").exists()
    assert not SeatHold.objects.filter(seat_label="1B").exists()
    assert PosSale.objects.get(pk=result["id"]).outcome == "rejected"


def test_an_offline_sale_made_before_the_cutoff_is_accepted_after_departure(world):
    admin = world.client("company_admin")
    cutoff = admin.patch(f"/api/v1/company/companies/{world.company_id}", {"sales_cutoff_minutes": 4000},
                         format="json")  # sales closed about a day ago
    departed = admin.post(f"/api/v1/company/trips/{world.trip_id}/status", {"move": "depart"}, format="json")
    assert (cutoff.status_code, departed.status_code) == (200, 200)
    device = register(world)

    response = sync(device, sale(world, "1A", made_at=timezone.now() - timedelta(days=6)),
                    sale(world, "1B", made_at=timezone.now()))

    assert [(r["outcome"], r["reason"]) for r in response.json()["results"]] == [
        ("sold", ""), ("rejected", "sales_closed")]


def test_an_offline_sale_is_priced_as_of_when_it_was_made(world):
    FareRule.objects.create(company_id=world.company_id, name="Early bird", percent=-10, min_hours_before=100)
    device = register(world)

    response = sync(device, sale(world, "1A", made_at=timezone.now() - timedelta(days=3)), sale(world, "1B"))

    assert [r["total_minor"] for r in response.json()["results"]] == [126_000, 140_000]


@pytest.mark.parametrize(("change", "reason"), [
    ({"made_at": (timezone.now() + timedelta(minutes=30)).isoformat()}, "made_in_future"),
    ({"made_at": (timezone.now() - timedelta(days=8)).isoformat()}, "too_old"),
    ({"trip_id": str(uuid.uuid4())}, "unknown_trip"),
    ({"to_stop_id": str(uuid.uuid4())}, "stop_not_on_trip"),
    ({"passengers": [{"name": "Rider", "seat": "99Z"}]}, "unknown_seat"),
    ({"passengers": [{"name": "Rider", "seat": "10D"}]}, "seat_not_sellable"),
])
def test_a_sale_that_cannot_be_sold_is_rejected_with_its_reason(world, change, reason):
    device = register(world)

    response = sync(device, {**sale(world, "1A"), **change})

    assert response.status_code == 200
    assert _outcomes(response) == [("rejected", reason, [])]
    assert not Booking.objects.exists()


def test_a_sale_on_a_cancelled_trip_is_rejected(world):
    device = register(world)
    world.cancel_trip()

    response = sync(device, sale(world, "1A"))

    assert _outcomes(response) == [("rejected", "trip_cancelled", [])]
    assert not Booking.objects.exists()


def test_a_trip_of_another_company_is_unknown_to_the_device(world, other_world):
    device = register(world)

    response = sync(device, sale(other_world, "1A"))

    assert _outcomes(response) == [("rejected", "unknown_trip", [])]
    assert not Booking.objects.exists()
    assert not SeatHold.objects.exists()


def test_a_sale_id_reused_for_another_sale_is_reported_and_changes_nothing(world):
    device, other_device = register(world), register(world, name="Other POS")
    first = sale(world, "1A")
    sold = sync(device, first).json()["results"][0]

    changed = sync(device, {**first, "passengers": [{"name": "Someone else", "seat": "1B"}]})
    foreign = sync(other_device, first)
    again = sync(device, first)

    assert _outcomes(changed) == _outcomes(foreign) == [("rejected", "sale_id_reused", [])]
    assert again.json()["results"][0] == sold
    row = PosSale.objects.get(pk=first["id"])
    assert (row.outcome, str(row.booking_id), row.requested_seats) == ("sold", sold["booking_id"], ["1A"])
    assert not SeatHold.objects.filter(seat_label="1B").exists()


def test_a_sale_made_online_and_queued_again_offline_is_the_same_sale(world):
    device = register(world)
    sale_id = uuid.uuid4()
    online = sell(device, online_sale(world, "1A", sale_id=sale_id, cash_minor=140_000)).json()

    response = sync(device, sale(world, "1A", sale_id=sale_id, cash_minor=140_000))

    assert response.json()["results"][0]["booking_id"] == online["id"]
    assert response.json()["results"][0]["outcome"] == "sold"
    assert Booking.objects.count() == 1


def test_replayed_sales_are_answered_from_their_rows_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    device = register(world)
    batch = [sale(world, "1A"), sale(world, "1B", "1C"), {**sale(world, "1D"), "trip_id": str(uuid.uuid4())}]
    sync(device, *batch)
    sales = [pos.SaleIn(id=uuid.UUID(s["id"]), trip_id=uuid.UUID(s["trip_id"]),
                        from_stop_id=uuid.UUID(s["from_stop_id"]), to_stop_id=uuid.UUID(s["to_stop_id"]),
                        passengers=tuple(PassengerIn(name=p["name"], phone=p["phone"], passenger_type="adult",
                                                         seat_label=p["seat"]) for p in s["passengers"]),
                        cash_minor=s["cash_minor"], made_at=timezone.now()) for s in batch]
    principal = device.principal()

    # the batch's rows with their bookings, then those bookings' passengers and tickets: once for the whole batch
    with django_assert_num_queries(3):
        results = pos.pos_sync(principal=principal, sales=sales)

    assert [r.outcome for r in results] == ["sold", "sold", "rejected"]
