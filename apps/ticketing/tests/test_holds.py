"""Holding seats on stretches of a trip: the database refuses overlaps, touching stretches share a seat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import NumericRange
from django.utils import timezone

from apps.ticketing.inventory.services import is_overlap_violation
from apps.ticketing.models import Booking, Passenger, SeatHold
from apps.ticketing.sales.services.bookings import booking_hold
from apps.ticketing.tasks import expire_holds
from apps.ticketing.tests.holding import hold, riders
from transport.errors import Conflict, LimitExceeded, NotAuthenticated, ValidationFailed
from transport.principal import Principal

pytestmark = pytest.mark.django_db


def test_a_hold_freezes_the_price_and_the_expiry(world):
    passenger = world.principal("passenger")

    booking = hold(world, passenger, "1A", "1B", board="Nairobi", alight="Nakuru")

    assert booking.state == "held"
    assert booking.channel == "online"
    assert booking.total_minor == 160_000
    assert booking.currency == "KES"
    assert booking.from_sequence < booking.to_sequence
    assert timedelta(minutes=9) < booking.expires_at - timezone.now() <= timedelta(minutes=10)
    assert sorted(SeatHold.objects.filter(booking=booking).values_list("seat_label", "state")) == [
        ("1A", "held"), ("1B", "held")]


def test_passenger_types_get_their_discount(world):
    booking = hold(world, world.principal("passenger"), "2A", passenger_type="child")

    assert booking.total_minor == 70_000
    assert Passenger.objects.get(booking=booking).price_minor == 70_000


def test_overlapping_stretches_conflict_and_write_nothing(world):
    hold(world, world.principal("passenger"), "3A", board="Nairobi", alight="Nakuru")

    with pytest.raises(Conflict) as raised:
        hold(world, world.principal("other_passenger"), "3A", board="Nairobi", alight="Kisumu")

    assert raised.value.code == "seat_taken"
    assert Booking.objects.count() == 1
    assert SeatHold.objects.count() == 1
    assert Passenger.objects.count() == 1


def test_touching_stretches_both_succeed(world):
    first = hold(world, world.principal("passenger"), "4A", board="Nairobi", alight="Nakuru")
    second = hold(world, world.principal("other_passenger"), "4A", board="Nakuru", alight="Kisumu")

    assert (first.state, second.state) == ("held", "held")
    assert SeatHold.objects.filter(seat_label="4A", state="held").count() == 2


def test_one_taken_seat_refuses_the_whole_booking(world):
    hold(world, world.principal("passenger"), "5B")

    with pytest.raises(Conflict):
        hold(world, world.principal("other_passenger"), "5A", "5B")

    assert SeatHold.objects.filter(seat_label="5A").count() == 0
    assert Booking.objects.count() == 1


def test_an_expired_hold_is_taken_over(world):
    lapsed = hold(world, world.principal("passenger"), "6A")
    Booking.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    SeatHold.objects.filter(booking=lapsed).update(expires_at=timezone.now() - timedelta(seconds=1))

    taker = hold(world, world.principal("other_passenger"), "6A")

    assert taker.state == "held"
    assert Booking.objects.get(pk=lapsed.pk).state == "expired"
    assert list(SeatHold.objects.filter(seat_label="6A").order_by("created_at").values_list("state", flat=True)) == [
        "expired", "held"]


@pytest.mark.parametrize(("seat", "code"), [("10D", "seat_not_sellable"), ("99Z", "unknown_seat")])
def test_unsellable_and_unknown_seats_are_refused(world, seat, code):
    with pytest.raises(ValidationFailed) as raised:
        hold(world, world.principal("passenger"), seat)

    assert raised.value.code == code
    assert raised.value.status == 422
    assert Booking.objects.count() == 0


def test_a_backwards_stretch_is_refused(world):
    with pytest.raises(ValidationFailed) as raised:
        hold(world, world.principal("passenger"), "1A", board="Kisumu", alight="Nairobi")

    assert raised.value.code == "invalid_stretch"
    assert Booking.objects.count() == 0


def test_a_stop_of_another_company_is_not_on_the_trip(world, other_world):
    with pytest.raises(ValidationFailed) as raised:
        booking_hold(principal=world.principal("passenger"), trip_id=world.trip_id,
                     from_stop_id=other_world.stops["Nairobi"], to_stop_id=world.stops["Kisumu"],
                     passengers=riders("1A"))

    assert raised.value.code == "stop_not_on_trip"
    assert Booking.objects.count() == 0


def test_too_many_seats_in_one_booking(world, settings):
    settings.TICKETING_MAX_SEATS_PER_BOOKING = 2

    with pytest.raises(ValidationFailed) as raised:
        hold(world, world.principal("passenger"), "1A", "1B", "1C")

    assert raised.value.code == "too_many_seats"
    assert Booking.objects.count() == 0


def test_a_companys_own_limits_override_the_platforms(world, other_world, settings):
    settings.TICKETING_MAX_SEATS_PER_BOOKING = 6
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 3
    limits = world.client("company_admin").patch(f"/api/v1/company/companies/{world.company_id}",
                                                 {"max_seats_per_booking": 2, "max_active_holds_per_user": 1},
                                                 format="json")
    assert limits.status_code == 200
    passenger = world.principal("passenger")

    with pytest.raises(ValidationFailed) as seats:
        hold(world, passenger, "1A", "1B", "1C")
    hold(world, passenger, "1A", "1B")
    with pytest.raises(LimitExceeded) as holds:
        hold(world, passenger, "2A")
    elsewhere = hold(other_world, other_world.principal("passenger"), "1A", "1B", "1C")

    assert (seats.value.code, holds.value.code) == ("too_many_seats", "too_many_holds")
    assert elsewhere.state == "held"  # the other company keeps the platform's limits


def test_the_same_seat_twice_in_one_booking(world):
    with pytest.raises(ValidationFailed) as raised:
        hold(world, world.principal("passenger"), "1A", "1A")

    assert raised.value.code == "duplicate_seat"
    assert Booking.objects.count() == 0


def test_too_many_active_holds_for_one_user(world, settings):
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 2
    passenger = world.principal("passenger")
    hold(world, passenger, "1A")
    hold(world, passenger, "1B")

    with pytest.raises(LimitExceeded) as raised:
        hold(world, passenger, "1C")

    assert raised.value.code == "too_many_holds"
    assert raised.value.status == 429
    assert Booking.objects.count() == 2


def test_lapsed_holds_do_not_count_against_the_limit(world, settings):
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 1
    passenger = world.principal("passenger")
    lapsed = hold(world, passenger, "1A")
    Booking.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    booking = hold(world, passenger, "1B")

    assert booking.state == "held"


def test_an_anonymous_caller_holds_nothing(world):
    with pytest.raises(NotAuthenticated):
        hold(world, Principal.anonymous(), "1A")

    assert Booking.objects.count() == 0


def test_a_cancelled_trip_is_not_on_sale(world):
    world.cancel_trip()

    with pytest.raises(ValidationFailed) as raised:
        hold(world, world.principal("passenger"), "1A")

    assert raised.value.code == "trip_not_on_sale"
    assert Booking.objects.count() == 0


def test_the_sweep_expires_only_lapsed_holds(world):
    lapsed = [hold(world, world.principal("passenger"), seat) for seat in ("7A", "7B")]
    live = hold(world, world.principal("other_passenger"), "7C")
    Booking.objects.filter(pk__in=[b.pk for b in lapsed]).update(expires_at=timezone.now() - timedelta(seconds=1))

    expired = expire_holds()

    assert expired == 2
    assert dict(Booking.objects.values_list("id", "state")) == {
        lapsed[0].id: "expired", lapsed[1].id: "expired", live.id: "held"}
    assert dict(SeatHold.objects.values_list("seat_label", "state")) == {"7A": "expired", "7B": "expired",
                                                                         "7C": "held"}
    assert expire_holds() == 0


def test_the_database_itself_refuses_overlapping_live_rows(world):
    # given a booking holding 9A from Nairobi to Kisumu, and rows written behind the services' back
    booking = hold(world, world.principal("passenger"), "9A")
    row = SeatHold.objects.get(booking=booking)
    other = hold(world, world.principal("other_passenger"), "9B")

    def insert(stretch, state="held", seat="9A"):
        with transaction.atomic():
            SeatHold.objects.create(booking=other, trip_id=world.trip_id, seat_label=seat, stretch=stretch,
                                    state=state, expires_at=row.expires_at)

    # then an overlapping live row is refused, while a released one or another seat is not
    with pytest.raises(IntegrityError) as raised:
        insert(NumericRange(row.stretch.upper - 1, row.stretch.upper + 1, "[)"))
    assert is_overlap_violation(raised.value)
    insert(row.stretch, state="released")
    SeatHold.objects.filter(booking=other, seat_label="9A").delete()
    insert(row.stretch, seat="9C")
    assert SeatHold.objects.filter(seat_label="9A", state__in=["held", "confirmed"]).count() == 1
