"""Ticketing's tables: bookings with their passengers, the seat inventory that guards them, tickets, fares.

The inventory is one row per (booking, seat) covering the stretch of the route the booking rides, as a
half-open range of stop sequence numbers. An exclusion constraint makes two live rows (held or confirmed)
for one seat on overlapping stretches of one trip impossible, whatever the application does.
Rows of other apps (trips, routes, stops, companies, users) are referred to by id columns only.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, IntegerRangeField, RangeOperators
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    ONLINE = "online"
    COUNTER = "counter"
    POS = "pos"


class PassengerType(models.TextChoices):
    ADULT = "adult"
    CHILD = "child"
    STUDENT = "student"


class Booking(models.Model):
    class State(models.TextChoices):
        HELD = "held"
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"
        EXPIRED = "expired"
        CONFLICT = "conflict"  # paid after its hold lapsed and the seats went to someone else: refund due

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    trip_id = models.UUIDField(db_index=True)
    route_id = models.UUIDField()
    from_stop_id = models.UUIDField()
    to_stop_id = models.UUIDField()
    from_sequence = models.PositiveSmallIntegerField()
    to_sequence = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    total_minor = models.BigIntegerField(help_text="Frozen when held, in minor units of `currency`")
    currency = models.CharField(max_length=3)
    expires_at = models.DateTimeField()
    extensions = models.PositiveSmallIntegerField(default=0)
    # who asked: "user:<id>" or "device:<id>" (the key of the active-hold limit), and the person behind it
    holder = models.CharField(max_length=80, db_index=True)
    created_by_user_id = models.UUIDField(null=True, blank=True, db_index=True)
    payment_ref = models.CharField(max_length=120, blank=True)
    # what a payer quotes to pay the hold (payment's reference of the payable "booking:<id>"); blank when nothing
    # was payable: a POS sale, a free booking
    pay_reference = models.CharField(max_length=12, blank=True)
    promo = models.ForeignKey("PromoCode", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refundable_minor = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [
            ("view_bookings", "See every booking and ticket of the company"),
            ("confirm_booking", "Confirm a booking paid at the counter"),
            ("cancel_bookings", "Cancel any booking of the company"),
            ("view_sales", "See the company's sales reports"),
            ("manage_fares", "Set fares, fare rules and promo codes"),
            ("sell_pos", "Sell and confirm for cash from a POS device, online or by offline sync"),
            ("manage_allotments", "Allot blocks of a trip's seats to POS devices and release them"),
            ("board_passengers", "Scan tickets and read the manifest of the trips one drives"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(from_sequence__lt=models.F("to_sequence")),
                                   name="booking_stretch_forward"),
            models.CheckConstraint(condition=Q(total_minor__gte=0), name="booking_total_not_negative"),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="booking_state_expiry_idx")]

    def __str__(self) -> str:
        return f"Booking {self.id} ({self.state})"


class Passenger(models.Model):
    """One traveller of a booking, in one seat, at the price frozen when the seat was held."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="passengers")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=16, blank=True)
    passenger_type = models.CharField(max_length=10, choices=PassengerType.choices, default=PassengerType.ADULT)
    seat_label = models.CharField(max_length=8)
    seat_class = models.CharField(max_length=20)
    price_minor = models.BigIntegerField()
    # how price_minor came about, frozen with it: fare, then each adjustment as {"name", "amount_minor"}
    fare_minor = models.BigIntegerField()
    adjustments = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "seat_label"], name="passenger_one_per_seat"),
            models.UniqueConstraint(fields=["booking", "position"], name="passenger_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.seat_label}"


class SeatHold(models.Model):
    """The inventory: a seat taken on a stretch of a trip, held for a while or confirmed for good by a
    booking, or set aside for a POS device by an allotment (no other channel sells it meanwhile)."""

    class State(models.TextChoices):
        HELD = "held"
        CONFIRMED = "confirmed"
        ALLOTTED = "allotted"
        RELEASED = "released"
        EXPIRED = "expired"

    # the states of a booking's rows that keep the seat (an allotment's rows are live while `allotted`)
    LIVE_STATES = (State.HELD, State.CONFIRMED)
    GUARDED_STATES = ("held", "confirmed", "allotted")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="seat_holds", null=True, blank=True)
    allotment = models.ForeignKey("SeatAllotment", on_delete=models.CASCADE, related_name="seat_holds", null=True,
                                  blank=True)
    trip_id = models.UUIDField()
    seat_label = models.CharField(max_length=8)
    stretch = IntegerRangeField(help_text="[boarding sequence, alighting sequence) on the route")
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="seat_hold_no_overlap",
                expressions=[("trip_id", RangeOperators.EQUAL), ("seat_label", RangeOperators.EQUAL),
                             ("stretch", RangeOperators.OVERLAPS)],
                condition=Q(state__in=["held", "confirmed", "allotted"]),
            ),
            models.UniqueConstraint(fields=["booking", "seat_label"], name="seat_hold_once_per_booking"),
            models.CheckConstraint(condition=Q(booking__isnull=True) ^ Q(allotment__isnull=True),
                                   name="seat_hold_booking_xor_allotment"),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="seat_hold_state_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.seat_label} {self.stretch} on {self.trip_id} ({self.state})"


class Ticket(models.Model):
    class State(models.TextChoices):
        VALID = "valid"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField()
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="tickets")
    passenger = models.OneToOneField(Passenger, on_delete=models.PROTECT, related_name="ticket")
    trip_id = models.UUIDField(db_index=True)
    number = models.CharField(max_length=8, help_text="Short human-readable number, unique in the company")
    seat_label = models.CharField(max_length=8)
    # the signed code of the QR image (text, so a client can draw it offline); signed by the qr app only
    code = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.VALID)
    issued_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company_id", "number"], name="ticket_number_per_company")]

    def __str__(self) -> str:
        return f"Ticket {self.number}"


class Fare(models.Model):
    """The price of riding from one stop to another of a route in one seat class (integer minor units)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    route_id = models.UUIDField()
    from_stop_id = models.UUIDField()
    to_stop_id = models.UUIDField()
    seat_class = models.CharField(max_length=20)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["route_id", "from_stop_id", "to_stop_id", "seat_class"],
                                    name="fare_once_per_stretch_and_class"),
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="fare_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_minor} {self.currency} ({self.seat_class})"


class FareRule(models.Model):
    """A percentage on top of the fare (+ surcharge, - discount) when every condition set on it holds.

    Conditions look at the departure from the boarding stop, in that stop's local time: its weekday, its
    time of day, and how long before it the seats are held (early-booking and last-minute rules).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    route_id = models.UUIDField(null=True, blank=True, help_text="Empty: every route of the company")
    name = models.CharField(max_length=80)
    percent = models.SmallIntegerField(help_text="+10 adds 10 %, -15 takes 15 % off")
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True,
                          help_text="ISO weekdays (1 = Monday); empty: any day")
    departs_from = models.TimeField(null=True, blank=True, help_text="Local departure at or after")
    departs_until = models.TimeField(null=True, blank=True, help_text="Local departure before")
    min_hours_before = models.PositiveIntegerField(null=True, blank=True, help_text="Held at least this early")
    max_hours_before = models.PositiveIntegerField(null=True, blank=True, help_text="Held less than this early")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(percent__gte=-100, percent__lte=500),
                                              name="fare_rule_percent_range")]

    def __str__(self) -> str:
        return f"{self.name} ({self.percent:+d} %)"


class PromoCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent"
        FIXED = "fixed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    code = models.CharField(max_length=32, help_text="Stored upper-case; matched case-insensitively")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.PositiveIntegerField(help_text="Percent off, or minor units off the booking")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited")
    max_uses_per_user = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited")
    # bookings holding or holding on to a use; counted by a conditional UPDATE so it never passes max_uses
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company_id", "code"], name="promo_code_per_company"),
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(used__lte=models.F("max_uses")),
                                   name="promo_used_within_limit"),
            models.CheckConstraint(condition=~Q(kind="percent") | Q(value__lte=100), name="promo_percent_range"),
        ]

    def __str__(self) -> str:
        return self.code


class PromoRedemption(models.Model):
    """One use of a promo code by one booking; given back when the booking lapses or is cancelled unpaid."""

    promo = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="redemptions")
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="promo_redemption")
    holder = models.CharField(max_length=80)
    discount_minor = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.promo_id} for {self.booking_id}"


class SeatAllotment(models.Model):
    """A block of a trip's seats set aside for one POS device to sell, offline included.

    Its inventory rows (state `allotted`, whole route) keep every other channel off those seats; a sale by
    the device carves its stretch out of them, so selling inside the allotment never conflicts.
    """

    class State(models.TextChoices):
        ACTIVE = "active"
        RELEASED = "released"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    trip_id = models.UUIDField(db_index=True)
    device_id = models.UUIDField(db_index=True)
    seat_labels = ArrayField(models.CharField(max_length=8))
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    created_by_user_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{len(self.seat_labels)} seats of {self.trip_id} for device {self.device_id} ({self.state})"


class PosSale(models.Model):
    """A cash sale made on a POS device, keyed by the UUID the device gave it.

    The same UUID always yields the same outcome: the first upload decides and this row keeps the answer.
    """

    class Outcome(models.TextChoices):
        SOLD = "sold"  # on the seats asked for
        RESEATED = "reseated"  # the seat was taken meanwhile: another free seat of the same class
        REJECTED = "rejected"  # nothing sold; `reason` says why, the agent refunds the cash

    id = models.UUIDField(primary_key=True, help_text="Generated by the device")
    company_id = models.UUIDField(db_index=True)
    device_id = models.UUIDField(db_index=True)
    trip_id = models.UUIDField()
    made_at = models.DateTimeField(help_text="When the agent made the sale (device clock)")
    received_at = models.DateTimeField(auto_now_add=True)
    offline = models.BooleanField(default=False)
    request_digest = models.CharField(max_length=64, help_text="sha256 of the sale as first uploaded")
    requested_seats = ArrayField(models.CharField(max_length=8))
    cash_minor = models.BigIntegerField(null=True, blank=True, help_text="Cash the agent says was taken")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="pos_sale")

    def __str__(self) -> str:
        return f"POS sale {self.id} ({self.outcome})"


class Boarding(models.Model):
    """A ticket's boarding: one row per ticket, so the database lets a ticket board once.

    Offline scans uploaded later keep the earliest scan as the boarding (the first scan wins).
    """

    class Source(models.TextChoices):
        ONLINE = "online"
        OFFLINE = "offline"

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, primary_key=True, related_name="boarding")
    company_id = models.UUIDField(db_index=True)
    trip_id = models.UUIDField(db_index=True)
    device_id = models.UUIDField()
    scanned_at = models.DateTimeField(help_text="When the device scanned (its clock for offline scans)")
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=Source.choices)

    def __str__(self) -> str:
        return f"{self.ticket_id} boarded {self.scanned_at:%Y-%m-%d %H:%M}"


class BoardingScan(models.Model):
    """Every scan a driver device reported, accepted or not: the log behind boardings and refusals.

    Offline scans carry the device's UUID, so uploading the same scans again records nothing twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, help_text="The device's scan id when offline")
    company_id = models.UUIDField(db_index=True)
    trip_id = models.UUIDField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="scans")
    device_id = models.UUIDField(db_index=True)
    scanned_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=Boarding.Source.choices)
    outcome = models.CharField(max_length=30, help_text="boarded, or the reason it was refused or a duplicate")

    def __str__(self) -> str:
        return f"scan {self.id}: {self.outcome}"
