"""Holding seats for a new booking, and extending a hold while its payment is pending."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import access, payables, policy
from apps.ticketing.fares import quotes
from apps.ticketing.fares import services as promos
from apps.ticketing.inventory import services as inventory
from apps.ticketing.inventory.seat_guard import Taking, seat_guard
from apps.ticketing.models import Booking, Channel, Passenger, SeatHold
from apps.ticketing.permissions import CONFIRM_BOOKING
from apps.ticketing.sales import selectors
from transport.errors import Conflict, LimitExceeded, NotAuthenticated, ValidationFailed
from transport.principal import Principal, PrincipalKind


@dataclass(frozen=True)
class PassengerIn:
    name: str
    phone: str
    passenger_type: str
    seat_label: str


def booking_hold(*, principal: Principal, trip_id: UUID, from_stop_id: UUID, to_stop_id: UUID,
                 passengers: list[PassengerIn], promo_code: str | None = None, sold_at: datetime | None = None,
                 trip: company_api.TripDetails | None = None, reads: quotes.PriceReads | None = None,
                 cash_sale: bool = False) -> Booking:
    """Hold one seat per passenger on the stretch for the company's hold minutes, at a frozen price.

    Conflict(seat_taken) when any seat is live on an overlapping stretch; nothing is written then.
    A POS device selling a seat of its own active allotment carves the stretch out of the allotment's rows
    first, so selling inside its block never conflicts; anyone else's allotted seats stay taken.
    `sold_at`: when an offline sale was made (device clock, checked by the caller): it is priced as of then
    and judged against the sales cutoff then, even if the bus has left since (the passenger rode).
    `trip`: the trip as already read by the caller, to spare reading it again. `reads`: the prices a batch of
    sales shares (quotes.PriceReads), read afresh without.
    A hold that costs something is made payable (payment's payable "booking:<id>", until the hold lapses) and
    keeps the payer's reference in `pay_reference`; `cash_sale`: the caller confirms it for cash in its own
    transaction (a POS sale), so nothing is payable.
    """
    if not principal.is_authenticated:
        raise NotAuthenticated()
    labels = [p.seat_label for p in passengers]
    now = timezone.now()
    priced = quotes.stretch_priced(
        trip_id=trip_id, from_stop_id=from_stop_id, to_stop_id=to_stop_id, promo_code=promo_code, now=now,
        sold_at=sold_at, trip=trip, reads=reads, passengers=[(p.seat_label, p.passenger_type) for p in passengers])
    where, settings, price = priced.where, priced.settings, priced.quote
    expires_at = now + timedelta(minutes=settings.seat_hold_minutes)
    device_id = principal.device_id
    own_allotments = inventory.device_allotment_ids(trip_id=trip_id, device_id=device_id) if device_id else []
    holder = policy.holder_key(principal)
    taking = Taking(from_sequence=where.from_sequence, to_sequence=where.to_sequence, now=now)
    # one holder's concurrent holds queue on their key, so the count of live holds cannot be outrun
    with seat_guard(trip_id=trip_id, seat_labels=labels, taking=taking, queue_key=f"ticketing-holds:{holder}",
                    own_allotment_ids=own_allotments):
        _check_active_holds(holder=holder, now=now, limit=policy.max_active_holds(principal, settings))
        # its id drawn first: the payable names it, and the booking row goes in once, the reference in it
        booking_id = uuid.uuid4()
        pay_reference = "" if cash_sale or price.total_minor <= 0 else payables.payable_register(
            principal=principal, company_id=where.company_id, booking_id=booking_id, amount_minor=price.total_minor,
            currency=settings.currency, expires_at=expires_at)
        booking = Booking.objects.create(
            id=booking_id, company_id=where.company_id, trip_id=trip_id, route_id=where.trip.route_id,
            from_stop_id=from_stop_id, to_stop_id=to_stop_id, from_sequence=where.from_sequence,
            to_sequence=where.to_sequence, channel=_channel(principal, where.company_id),
            total_minor=price.total_minor, currency=settings.currency, promo=price.promo,
            expires_at=expires_at, holder=holder, created_by_user_id=principal.user_id, pay_reference=pay_reference,
        )
        held = Passenger.objects.bulk_create([
            Passenger(booking=booking, position=index, name=p.name, phone=p.phone,
                      passenger_type=p.passenger_type, seat_label=p.seat_label, seat_class=line.seat_class,
                      price_minor=line.price_minor, fare_minor=line.fare_minor,
                      adjustments=[{"name": a.name, "amount_minor": a.amount_minor} for a in line.adjustments])
            for index, (p, line) in enumerate(zip(passengers, price.lines, strict=True))
        ])
        if price.promo is not None:
            promos.promo_redeem(promo_id=price.promo.id, booking=booking, holder=holder,
                                discount_minor=price.promo_discount_minor)
        if own_allotments and device_id is not None:
            inventory.allotted_stretch_carve(trip_id=trip_id, device_id=device_id, seat_labels=labels,
                                             from_sequence=where.from_sequence, to_sequence=where.to_sequence)
        inventory.seats_take(booking=booking, seat_labels=labels, expires_at=expires_at)
    # the passengers just written come with the booking, as a prefetch would bring them: no read again
    booking._prefetched_objects_cache = {"passengers": held}  # type: ignore[attr-defined]  # Django's prefetch cache
    return booking


@transaction.atomic
def booking_extend(*, principal: Principal, booking_id: UUID) -> Booking:
    """Give a live hold the company's hold minutes again from now (a payment is still pending)."""
    booking = selectors.booking_for(principal=principal, booking_id=booking_id, for_update=True)
    access.require_holder_or(principal, booking, CONFIRM_BOOKING)
    now = timezone.now()
    if booking.state != Booking.State.HELD or booking.expires_at <= now:
        raise Conflict("Only a live hold can be extended.", code="hold_not_live")
    if booking.extensions >= policy.max_hold_extensions():
        raise ValidationFailed("This hold was extended as often as allowed.", code="extension_limit")
    minutes = company_api.company_settings(company_id=booking.company_id).seat_hold_minutes
    booking.expires_at = now + timedelta(minutes=minutes)
    booking.extensions += 1
    booking.save(update_fields=["expires_at", "extensions"])
    SeatHold.objects.filter(booking=booking, state=SeatHold.State.HELD).update(expires_at=booking.expires_at)
    if booking.pay_reference:
        payables.payable_extend(principal=principal, booking_id=booking.id, expires_at=booking.expires_at)
    return booking


def _check_active_holds(*, holder: str, now: datetime, limit: int) -> None:
    active = Booking.objects.filter(holder=holder, state=Booking.State.HELD, expires_at__gt=now).count()
    if active >= limit:
        raise LimitExceeded(f"At most {limit} bookings may be on hold at once.", code="too_many_holds",
                            retry_after=60)


def _channel(principal: Principal, company_id: UUID) -> str:
    if principal.kind is PrincipalKind.DEVICE:
        return Channel.POS
    if principal.has(CONFIRM_BOOKING, company_id=company_id):
        return Channel.COUNTER
    return Channel.ONLINE
