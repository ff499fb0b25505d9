"""Concurrent uploads from real threads: the same batch sent four times at once decides each sale once, and a
sync racing online sales of the same seats never sells a seat twice. With the Redis seat locks and with the
database alone (the constraints, not the locks, are the guard)."""

from __future__ import annotations

from collections import Counter

import pytest

from apps.ticketing.models import Booking, PosSale, SeatHold, Ticket
from apps.ticketing.tests.pos_devices import allot, online_sale, register, sale, sell, sync
from apps.ticketing.tests.racing import race
from tests.worlds.ticketing import build_sales_world

LOCKING = pytest.mark.parametrize("locks_enabled", [True, False], ids=["with-lock", "database-alone"])
UPLOADS = 4


def _seat_rows() -> Counter:
    rows = SeatHold.objects.filter(state__in=["held", "confirmed"]).values_list("seat_label", "stretch")
    return Counter((label, span.lower, span.upper) for label, span in rows)


@pytest.mark.django_db(transaction=True)
@LOCKING
def test_the_same_batch_uploaded_four_times_at_once_decides_each_sale_once(settings, locks_enabled):
    # given a device with twelve offline sales, two of them on one seat on touching stretches
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    world = build_sales_world()
    device = register(world)
    batch = [sale(world, f"{row}A") for row in range(1, 11)]
    batch += [sale(world, "1B", alight="Nakuru"), sale(world, "1B", board="Nakuru")]

    # when four uploads of the batch run at the same moment
    answers = race(UPLOADS, lambda _n: sync(device, *batch))

    # then every upload answers the same outcome per sale, and each sale was sold once
    assert [answer.status_code for answer in answers] == [200] * UPLOADS
    results = [answer.json()["results"] for answer in answers]
    assert all(found == results[0] for found in results)
    assert [r["outcome"] for r in results[0]] == ["sold"] * len(batch)
    assert PosSale.objects.count() == Booking.objects.count() == len(batch)
    assert Ticket.objects.count() == len(batch)
    assert max(_seat_rows().values()) == 1


@pytest.mark.django_db(transaction=True)
@LOCKING
def test_a_sync_racing_online_sales_of_the_same_seats_sells_each_seat_once(settings, locks_enabled):
    # given a device that sold seats 1A-4D offline, and a counter device selling the same seats online
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    world = build_sales_world()
    roadside, counter = register(world), register(world, name="Counter POS")
    seats = [f"{row}{letter}" for row in range(1, 5) for letter in "ABCD"]
    batch = [sale(world, seat) for seat in seats]

    # when the sync and sixteen online sales of those seats run at the same moment
    def attempt(number: int):
        if number == 0:
            return "sync", sync(roadside, *batch)
        return "online", sell(counter, online_sale(world, seats[number - 1]))

    answers = race(len(seats) + 1, attempt)

    # then each seat went to exactly one of them; the sync's losers were reseated (free seats remain)
    [synced] = [answer for kind, answer in answers if kind == "sync"]
    online = Counter(answer.status_code for kind, answer in answers if kind == "online")
    assert synced.status_code == 200, synced.json()
    outcomes = Counter(r["outcome"] for r in synced.json()["results"])
    assert outcomes["rejected"] == 0
    assert outcomes["reseated"] == online[201]
    assert online[201] + online[409] == len(seats)
    assert Ticket.objects.count() == len(seats) + online[201]
    assert max(_seat_rows().values()) == 1
    taken = Counter(label for label, _low, _high in _seat_rows())
    assert set(taken.values()) == {1}


@pytest.mark.django_db(transaction=True)
@LOCKING
def test_a_device_selling_touching_stretches_of_its_allotted_seat_at_once_never_conflicts(settings, locks_enabled):
    # given seat 5A allotted to a device, which sold it Nairobi - Nakuru and Nakuru - Kisumu in two sales
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    world = build_sales_world()
    device, counter = register(world), register(world, name="Counter POS")
    assert allot(world, device, "5A").status_code == 201
    sales = [sale(world, "5A", alight="Nakuru"), sale(world, "5A", board="Nakuru")]

    # when both sales are uploaded in two syncs at the same moment as the counter tries to sell 5A online
    def attempt(number: int):
        if number < len(sales):
            return sync(device, sales[number]).json()["results"][0]["outcome"]
        return sell(counter, online_sale(world, "5A", board="Nakuru")).json()["code"]

    outcomes = race(len(sales) + 1, attempt)

    # then both sales are sold on 5A, the counter is refused, and the allotment has nothing left
    assert Counter(outcomes) == Counter({"sold": 2, "seat_taken": 1})
    assert sorted((span.lower, span.upper) for span in SeatHold.objects.filter(
        seat_label="5A", state="confirmed").values_list("stretch", flat=True)) == [(1, 2), (2, 3)]
    assert not SeatHold.objects.filter(seat_label="5A", state="allotted").exists()
