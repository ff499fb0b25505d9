"""Ticketing's part of a demo company's operating history (transport.demo.demo_history): the sales on the trips
company's history ran, their tickets and boardings, and (through payment.api) their payments and refunds.

Sales follow a weekly and daily rhythm (Fridays and Sundays fullest, most seats sold the last days before
departure), on stretches of every length, 1 to 4 seats, on every channel: online (M-Pesa, MTN MoMo, PayPal, some
failing or lapsing before one succeeds), at the counter and on the POS terminal (cash, by the demo agent). Most
are confirmed; some are cancelled (refunded by the company's policy) or lapse unpaid. A cancelled trip cancels
its bookings, refunded in full. Most tickets of an arrived trip board, scanned online or uploaded from offline.

The rows are those a sale writes (bookings, passengers, inventory rows, tickets with signed codes, POS sales,
boardings and their scans), in bulk: a seat is never sold twice on overlapping stretches (the inventory's
constraint would refuse it). Every draw comes from the history's generator, trip by trip in order of departure
and route code, and every id is a uuid5 name: the same history gives the same rows.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

from apps.auth import api as auth_api
from apps.company import api as company_api
from apps.payment import api as payment_api
from apps.ticketing.boarding.services import BOARDED
from apps.ticketing.demo_people import passenger_name, passenger_phone
from apps.ticketing.fares.pricing import DISCOUNT_PERCENT
from apps.ticketing.inventory.stretches import stretch
from apps.ticketing.models import (
    Boarding,
    BoardingScan,
    Booking,
    Channel,
    Fare,
    Passenger,
    PassengerType,
    PosSale,
    SeatHold,
    Ticket,
)
from apps.ticketing.payables import subject_of
from apps.ticketing.sales.services.cancellation import refund_percent
from apps.ticketing.sales.services.confirmation import NUMBER_ALPHABET, NUMBER_LENGTH
from apps.ticketing.tickets.services import code_valid_until, ticket_code_make
from transport.demo import DemoHistory, demo_device_credential, demo_history_seeder, recorded_times
from transport.principal import Principal

# how full a trip gets, by ISO weekday of its departure (Friday and Sunday the busiest)
WEEKDAY_DEMAND = {1: 0.50, 2: 0.42, 3: 0.45, 4: 0.55, 5: 0.92, 6: 0.68, 7: 0.85}
CHANNELS = [(Channel.ONLINE, 55), (Channel.COUNTER, 27), (Channel.POS, 18)]
SEAT_COUNTS = [(1, 50), (2, 28), (3, 14), (4, 8)]
PASSENGER_TYPES = [(PassengerType.ADULT, 85), (PassengerType.CHILD, 8), (PassengerType.STUDENT, 7)]
PROVIDERS = [("mpesa", 62), ("mtn_momo", 20), ("paypal", 18)]
FAILURES = {  # provider -> (code, reason) of a payment that did not go through
    "mpesa": ("1032", "Request cancelled by user"),
    "mtn_momo": ("PAYER_NOT_FOUND", "The payer's account was not found"),
    "paypal": ("INSTRUMENT_DECLINED", "The card was declined"),
}
BOARDED_SHARE = 0.93
OFFLINE_SCAN_SHARE = 0.3
TRIP_CANCELLED_REASON = "trip_cancelled"
CUSTOMER_CANCELLED_REASON = "cancelled_by_customer"
_T = TypeVar("_T")
_ACTOR = Principal.system("ticketing-demo-history", {
    payment_api.COLLECT_CASH, payment_api.REQUEST_REFUNDS, "identity.view_members"})


@dataclass
class _Staff:
    agent_id: UUID
    pos_device_id: UUID
    driver_device_id: UUID


@dataclass
class _Rows:
    bookings: list[Booking] = field(default_factory=list)
    passengers: list[Passenger] = field(default_factory=list)
    holds: list[SeatHold] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    pos_sales: list[PosSale] = field(default_factory=list)
    boardings: list[Boarding] = field(default_factory=list)
    scans: list[BoardingScan] = field(default_factory=list)
    payables: list[payment_api.PastPayable] = field(default_factory=list)
    payments: list[payment_api.PastPayment] = field(default_factory=list)
    refunds: list[payment_api.PastRefund] = field(default_factory=list)
    numbers: set[str] = field(default_factory=set)
    paid: dict[UUID, UUID] = field(default_factory=dict)  # booking -> the payment that bought it


@demo_history_seeder(order=30)
def seed_history(history: DemoHistory) -> None:
    settings = company_api.company_settings(company_id=history.company_id)
    trips = [trip for trip in company_api.trips_of_days(company_id=history.company_id, first_day=history.first_day,
                                                        last_day=history.anchor - timedelta(days=1))
             if trip.schedule_id is not None and trip.status in ("arrived", "cancelled")]
    trips.sort(key=lambda trip: (trip.departure_at, trip.route_code))
    staff = _staff(history.company_id, settings.slug)
    if staff is None or not trips:
        return
    fares = {(f.route_id, f.from_stop_id, f.to_stop_id, f.seat_class): f.amount_minor
             for f in Fare.objects.filter(company_id=history.company_id)}
    taken = _taken_seats([trip.id for trip in trips])
    rows = _Rows()
    rng = history.random("ticketing.sales")
    for trip in trips:
        _sell(history, trip, settings, staff, fares, taken[trip.id], rng, rows)
    references = payment_api.history_record(principal=_ACTOR, company_id=history.company_id, payables=rows.payables,
                                            payments=rows.payments, refunds=rows.refunds)
    for booking in rows.bookings:
        booking.pay_reference = references.get(subject_of(booking.id), "")
    with recorded_times(Booking, SeatHold, Ticket, PosSale, Boarding, BoardingScan):
        Booking.objects.bulk_create(rows.bookings)
        Passenger.objects.bulk_create(rows.passengers)
        SeatHold.objects.bulk_create(rows.holds)
        Ticket.objects.bulk_create(rows.tickets)
        PosSale.objects.bulk_create(rows.pos_sales)
        Boarding.objects.bulk_create(rows.boardings)
        BoardingScan.objects.bulk_create(rows.scans)


def _staff(company_id: UUID, slug: str) -> _Staff | None:
    """The demo agent (at the counter, and behind the POS terminal) and the company's demo devices."""
    agents = auth_api.company_members(principal=_ACTOR, company_id=company_id, role="agent")
    if not agents:
        return None
    try:
        pos = auth_api.principal_from_device_credential(credential=demo_device_credential(slug, "pos"))
        driver = auth_api.principal_from_device_credential(credential=demo_device_credential(slug, "driver"))
    except Exception:  # noqa: BLE001 (no demo devices: no history to sell through them)
        return None
    if pos.device_id is None or driver.device_id is None:
        return None
    return _Staff(agent_id=min(agents, key=lambda agent: agent.full_name).user_id, pos_device_id=pos.device_id,
                  driver_device_id=driver.device_id)


def _taken_seats(trip_ids: list[UUID]) -> dict[UUID, dict[str, list[tuple[int, int]]]]:
    """What the live demo already sold on these trips (a past trip sold before it had a history): left alone."""
    taken: dict[UUID, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for trip_id, label, rng in SeatHold.objects.filter(trip_id__in=trip_ids, state__in=SeatHold.GUARDED_STATES
                                                       ).values_list("trip_id", "seat_label", "stretch"):
        taken[trip_id][label].append((rng.lower, rng.upper))
    return taken


def _weighted(rng: random.Random, choices: list[tuple[_T, int]]) -> _T:
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


def _sell(history: DemoHistory, trip: company_api.TripDetails, settings: company_api.CompanySettings, staff: _Staff,
          fares: dict[tuple[UUID, UUID, UUID, str], int], taken: dict[str, list[tuple[int, int]]],
          rng: random.Random, rows: _Rows) -> None:
    """The trip's sales, drawn until it is as full as its day makes it (or no stretch asked for fits)."""
    seats = [seat for seat in company_api.layout_seats(layout_version_id=trip.layout_version_id) if seat.sellable]
    occupied = {seat.label: list(taken.get(seat.label, [])) for seat in seats}
    legs = len(trip.stops) - 1
    target = len(seats) * legs * min(0.97, WEEKDAY_DEMAND[trip.service_date.isoweekday()] * rng.uniform(0.7, 1.1))
    cancelled_at = (trip.departure_at - timedelta(hours=rng.randint(3, 20))) if trip.status == "cancelled" else None
    sold, number = 0, 0
    for _attempt in range(400):
        if sold >= target:
            break
        low, high = _stretch(rng, legs, first=trip.stops[0].sequence)
        count = _weighted(rng, SEAT_COUNTS)
        free = [seat for seat in seats if all(high <= a or b <= low for a, b in occupied[seat.label])]
        if len(free) < count:
            continue
        start = rng.randrange(len(free) - count + 1)
        chosen = free[start:start + count]  # side by side, as a party asks
        sale = _Sale(trip=trip, low=low, high=high, seats=[(seat.label, seat.seat_class) for seat in chosen],
                     channel=_weighted(rng, CHANNELS))
        sale.created_at = _created_at(sale, rng)
        if cancelled_at is not None and sale.created_at >= cancelled_at:
            continue
        number += 1
        if not _booking(history, sale, settings, staff, fares, rng, rows, number=number,
                        trip_cancelled_at=cancelled_at):
            continue
        if sale.state != Booking.State.EXPIRED:
            for label, _class in sale.seats:
                occupied[label].append((low, high))
            sold += count * (high - low)


def _stretch(rng: random.Random, legs: int, *, first: int) -> tuple[int, int]:
    """Boarding and alighting sequence: the whole route more often than not, else any stretch of it."""
    if legs == 1 or rng.random() < 0.55:
        return first, first + legs
    low, high = sorted(rng.sample(range(legs + 1), 2))
    return first + low, first + high


@dataclass
class _Sale:
    trip: company_api.TripDetails
    low: int
    high: int
    seats: list[tuple[str, str]]  # (label, seat class)
    channel: str
    created_at: datetime = datetime.min
    state: str = Booking.State.CONFIRMED

    @property
    def boards_at(self) -> datetime:
        return next(stop.depart_at for stop in self.trip.stops if stop.sequence == self.low)

    def stop(self, sequence: int) -> company_api.TripStopTime:
        return next(stop for stop in self.trip.stops if stop.sequence == sequence)


def _created_at(sale: _Sale, rng: random.Random) -> datetime:
    """How long before boarding the seats were taken: online days ahead or on the day, at the counter mostly the
    day before or on the day, on the POS terminal in the last hours; never before the trip was planned (13 days)
    nor after sales closed (15 minutes before)."""
    if sale.channel == Channel.ONLINE:
        hours = rng.choice([rng.uniform(0.5, 24), rng.uniform(0.5, 24), rng.uniform(24, 96), rng.uniform(96, 300)])
    elif sale.channel == Channel.COUNTER:
        hours = rng.choice([rng.uniform(0.5, 12), rng.uniform(0.5, 12), rng.uniform(12, 96)])
    else:
        hours = rng.uniform(0.3, 3)
    earliest = sale.trip.departure_at - timedelta(days=13)
    at = max(earliest, sale.boards_at - timedelta(hours=hours))
    return at.replace(microsecond=0)


def _booking(history: DemoHistory, sale: _Sale, settings: company_api.CompanySettings, staff: _Staff,
             fares: dict[tuple[UUID, UUID, UUID, str], int], rng: random.Random, rows: _Rows, *, number: int,
             trip_cancelled_at: datetime | None) -> bool:
    """One booking with everything a sale of it writes; False when the stretch has no fare (nothing sold)."""
    trip = sale.trip
    board, alight = sale.stop(sale.low), sale.stop(sale.high)
    prices: list[tuple[str, str, PassengerType, int, int]] = []  # label, seat class, passenger type, fare, discount
    for label, seat_class in sale.seats:
        fare = fares.get((trip.route_id, board.stop_id, alight.stop_id, seat_class))
        if fare is None:
            return False
        kind = _weighted(rng, PASSENGER_TYPES) if prices else PassengerType.ADULT  # a party has an adult
        discount = -((fare * DISCOUNT_PERCENT[kind]) // 100)
        prices.append((label, seat_class, kind, fare, discount))
    booking_id = history.uuid("booking", trip.id, number)
    created = sale.created_at
    draw = rng.random()
    online = sale.channel == Channel.ONLINE
    if online and draw < 0.13:
        sale.state = Booking.State.EXPIRED
    elif draw > (0.92 if online else 0.95) or trip_cancelled_at is not None:
        sale.state = Booking.State.CANCELLED
    confirmed_at = None if sale.state == Booking.State.EXPIRED else created + (
        timedelta(seconds=rng.randint(60, 480)) if online else
        timedelta(seconds=rng.randint(60, 240)) if sale.channel == Channel.COUNTER else
        timedelta(seconds=rng.randint(5, 40)))
    total = sum(fare + discount for *_rest, fare, discount in prices)
    phone = passenger_phone(rng)
    holder, creator = {
        Channel.ONLINE: (f"user:{history.uuid('customer', phone)}", None),
        Channel.COUNTER: (f"user:{staff.agent_id}", staff.agent_id),
        Channel.POS: (f"device:{staff.pos_device_id}", staff.agent_id),
    }[Channel(sale.channel)]
    payment_ref, confirmed_at = _payments(
        history, sale, booking_id=booking_id, total=total, currency=settings.currency, holder=holder, phone=phone,
        confirmed_at=confirmed_at, staff=staff, rng=rng, rows=rows,
        expires_at=created + timedelta(minutes=settings.payment_hold_minutes))
    cancelled_at = None
    percent, reason = 0, CUSTOMER_CANCELLED_REASON
    if sale.state == Booking.State.CANCELLED:
        assert confirmed_at is not None
        if trip_cancelled_at is not None:
            cancelled_at, percent, reason = max(trip_cancelled_at, confirmed_at), 100, TRIP_CANCELLED_REASON
        else:
            latest = max(confirmed_at, sale.boards_at - timedelta(minutes=30))
            cancelled_at = (confirmed_at + (latest - confirmed_at) * rng.random()).replace(microsecond=0)
            percent = refund_percent(settings=settings, departs_at=sale.boards_at, now=cancelled_at)
    refundable = sum((fare + discount) * percent // 100 for *_rest, fare, discount in prices)
    booking = Booking(
        id=booking_id, company_id=trip.company_id, trip_id=trip.id, route_id=trip.route_id,
        from_stop_id=board.stop_id, to_stop_id=alight.stop_id, from_sequence=sale.low, to_sequence=sale.high,
        state=sale.state, channel=sale.channel, total_minor=total, currency=settings.currency,
        expires_at=created + timedelta(minutes=settings.seat_hold_minutes), holder=holder,
        created_by_user_id=creator, payment_ref=payment_ref, created_at=created, confirmed_at=confirmed_at,
        cancelled_at=cancelled_at, refundable_minor=refundable if cancelled_at else None)
    rows.bookings.append(booking)
    if cancelled_at is not None and refundable > 0:
        _refund(history, booking, amount=refundable, reason=reason, rng=rng, rows=rows)
    hold_state = {Booking.State.CONFIRMED: SeatHold.State.CONFIRMED, Booking.State.CANCELLED: SeatHold.State.RELEASED,
                  Booking.State.EXPIRED: SeatHold.State.EXPIRED}[Booking.State(sale.state)]
    valid_until = code_valid_until(trip=trip, to_sequence=sale.high)
    for position, (label, seat_class, kind, fare, discount) in enumerate(prices, start=1):
        passenger = Passenger(booking=booking, position=position, name=passenger_name(rng),
                              phone=phone if position == 1 else "", passenger_type=kind, seat_label=label,
                              seat_class=seat_class, price_minor=fare + discount, fare_minor=fare,
                              adjustments=[{"name": f"{kind} discount", "amount_minor": discount}] if discount else [])
        rows.passengers.append(passenger)
        rows.holds.append(SeatHold(booking=booking, trip_id=trip.id, seat_label=label,
                                   stretch=stretch(sale.low, sale.high), state=hold_state,
                                   expires_at=booking.expires_at, created_at=created))
        if confirmed_at is not None:
            _ticket(history, booking, passenger, valid_until=valid_until, staff=staff, rng=rng, rows=rows, trip=trip)
    if sale.channel == Channel.POS:
        offline = rng.random() < 0.35
        sale_id = history.uuid("pos-sale", booking_id)
        rows.pos_sales.append(PosSale(
            id=sale_id, company_id=trip.company_id, device_id=staff.pos_device_id, trip_id=trip.id, made_at=created,
            received_at=created + timedelta(minutes=rng.randint(5, 90)) if offline else created, offline=offline,
            request_digest=hashlib.sha256(str(sale_id).encode()).hexdigest(),
            requested_seats=[label for label, _class in sale.seats], cash_minor=total,
            outcome=PosSale.Outcome.SOLD, booking=booking))
    return True


def _payments(history: DemoHistory, sale: _Sale, *, booking_id: UUID, total: int, currency: str, holder: str,
              phone: str, confirmed_at: datetime | None, expires_at: datetime, staff: _Staff, rng: random.Random,
              rows: _Rows) -> tuple[str, datetime | None]:
    """The booking's payments: cash taken by the agent or the terminal, or the passenger's online payments (a
    failed or lapsed one before the one that went through, now and then). Answers the booking's payment reference
    and when it was confirmed (just after the payment that bought it)."""
    subject = subject_of(booking_id)
    paid_id = history.uuid("payment", booking_id, "paid")
    if sale.channel != Channel.ONLINE:
        assert confirmed_at is not None  # an agent's sale is confirmed as it is made
        collector = f"user:{staff.agent_id}" if sale.channel == Channel.COUNTER else f"device:{staff.pos_device_id}"
        rows.payments.append(payment_api.PastPayment(
            id=paid_id, subject=subject, provider="cash", amount_minor=total, currency=currency, state="succeeded",
            created_at=confirmed_at, settled_at=confirmed_at, initiated_by=collector))
        rows.paid[booking_id] = paid_id
        return ("" if sale.channel == Channel.COUNTER else f"cash:pos:{staff.pos_device_id}"), confirmed_at
    provider = _weighted(rng, PROVIDERS)
    payer = phone if provider != "paypal" else ""
    start = sale.created_at + timedelta(seconds=rng.randint(10, 40))
    failed_first = confirmed_at is None and rng.random() < 0.55 or confirmed_at is not None and rng.random() < 0.15
    if failed_first:
        lapsed = rng.random() < 0.35
        code, reason = ("", "The payer did not answer in time") if lapsed else FAILURES[provider]
        ended = start + timedelta(seconds=rng.randint(150, 240) if lapsed else rng.randint(20, 60))
        rows.payments.append(payment_api.PastPayment(
            id=history.uuid("payment", booking_id, "first"), subject=subject, provider=provider, amount_minor=total,
            currency=currency, state="expired" if lapsed else "failed", created_at=start, settled_at=ended,
            initiated_by=holder, payer=payer, failure_code=code, failure_reason=reason))
        start = ended + timedelta(seconds=rng.randint(15, 60))
        provider = _weighted(rng, PROVIDERS)
        payer = phone if provider != "paypal" else ""
    rows.payables.append(payment_api.PastPayable(
        subject=subject, amount_minor=total, currency=currency, created_at=sale.created_at,
        expires_at=max(expires_at, start), state="withdrawn" if confirmed_at is None else "settled"))
    if confirmed_at is None:
        return "", None
    settled = start + timedelta(seconds=rng.randint(20, 90))
    receipt = "".join(rng.choice(NUMBER_ALPHABET[10:]) for _ in range(2)) + "".join(
        rng.choice(NUMBER_ALPHABET) for _ in range(8))
    rows.payments.append(payment_api.PastPayment(
        id=paid_id, subject=subject, provider=provider, amount_minor=total, currency=currency, state="succeeded",
        created_at=start, settled_at=settled, initiated_by=holder, payer=payer, transaction_id=receipt))
    rows.paid[booking_id] = paid_id
    return f"{provider}:{receipt}", settled + timedelta(seconds=rng.randint(1, 5))


def _refund(history: DemoHistory, booking: Booking, *, amount: int, reason: str, rng: random.Random,
            rows: _Rows) -> None:
    """What a cancellation gives back: mostly paid out within the hour, now and then still open or failed."""
    assert booking.cancelled_at is not None
    payment_id = rows.paid[booking.id]
    cash = booking.channel != Channel.ONLINE
    draw = rng.random()
    if cash:
        state = "succeeded" if draw < 0.85 else "awaiting_cash"
    else:
        state = "succeeded" if draw < 0.85 else "pending" if draw < 0.92 else "failed"
    requested = booking.cancelled_at + timedelta(seconds=rng.randint(1, 20))
    settled = requested + timedelta(minutes=rng.randint(1, 90)) if state in ("succeeded", "failed") else None
    rows.refunds.append(payment_api.PastRefund(
        id=history.uuid("refund", booking.id), payment_id=payment_id, amount_minor=amount, reason=reason,
        state=state, created_at=requested, settled_at=settled, requested_by="system:ticketing-refunds",
        failure_reason="The provider declined the reversal" if state == "failed" else ""))


def _ticket(history: DemoHistory, booking: Booking, passenger: Passenger, *, valid_until: datetime, staff: _Staff,
            rng: random.Random, rows: _Rows, trip: company_api.TripDetails) -> None:
    """The passenger's ticket, as confirmation issues it (its code signed), cancelled with its booking; boarded,
    most of the time, when the trip ran."""
    assert booking.confirmed_at is not None
    ticket_id = history.uuid("ticket", booking.id, passenger.position)
    number = ""
    while not number or number in rows.numbers:
        number = "".join(rng.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
    rows.numbers.add(number)
    code = ticket_code_make(company_id=booking.company_id, ticket_id=ticket_id, trip_id=booking.trip_id,
                            seat_label=passenger.seat_label, from_sequence=booking.from_sequence,
                            to_sequence=booking.to_sequence, valid_until=valid_until)
    cancelled = booking.state == Booking.State.CANCELLED
    ticket = Ticket(id=ticket_id, company_id=booking.company_id, booking=booking, passenger=passenger,
                    trip_id=booking.trip_id, number=number, seat_label=passenger.seat_label, code=code,
                    state=Ticket.State.CANCELLED if cancelled else Ticket.State.VALID, issued_at=booking.confirmed_at,
                    cancelled_at=booking.cancelled_at)
    rows.tickets.append(ticket)
    if cancelled or trip.status != "arrived" or rng.random() >= BOARDED_SHARE:
        return
    board = next(stop for stop in trip.stops if stop.sequence == booking.from_sequence)
    scanned = (board.departed_at or board.depart_at) - timedelta(minutes=rng.randint(1, 25), seconds=rng.randint(0, 59))
    offline = rng.random() < OFFLINE_SCAN_SHARE
    # an offline scan reaches the server when the phone is back on the network, later on the road
    recorded = scanned + timedelta(minutes=rng.randint(20, 180)) if offline else scanned
    source = Boarding.Source.OFFLINE if offline else Boarding.Source.ONLINE
    rows.boardings.append(Boarding(ticket=ticket, company_id=booking.company_id, trip_id=booking.trip_id,
                                   device_id=staff.driver_device_id, scanned_at=scanned, recorded_at=recorded,
                                   source=source))
    rows.scans.append(BoardingScan(id=history.uuid("scan", ticket_id), company_id=booking.company_id,
                                   trip_id=booking.trip_id, ticket=ticket, device_id=staff.driver_device_id,
                                   scanned_at=scanned, recorded_at=recorded, source=source, outcome=BOARDED))

