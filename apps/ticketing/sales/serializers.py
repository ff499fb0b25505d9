"""The shapes of ticketing's HTTP bodies: strict input (unknown fields refused), plain output."""

from __future__ import annotations

from rest_framework import serializers

from apps.ticketing.models import Booking, Passenger, PassengerType
from apps.ticketing.sales.services import bookings
from apps.ticketing.tickets.serializers import TicketOut
from transport.http.serializers import StrictSerializer

MAX_PASSENGERS = 20  # a shape limit; the sales limit (seats per booking) is the service's


SEAT_LABEL = r"^[A-Za-z0-9-]{1,8}$"


class QuotePassengerIn(StrictSerializer):
    type = serializers.ChoiceField(choices=PassengerType.choices, default=PassengerType.ADULT)
    seat = serializers.RegexField(SEAT_LABEL)


class BookingPassengerIn(QuotePassengerIn):
    name = serializers.CharField(max_length=120)
    phone = serializers.RegexField(r"^\+?[0-9]{6,15}$", required=False, default="", allow_blank=True)


def passengers_in(values: list[dict]) -> tuple[bookings.PassengerIn, ...]:
    """Validated BookingPassengerIn bodies as the hold service takes them."""
    return tuple(bookings.PassengerIn(name=p["name"], phone=p["phone"], passenger_type=p["type"],
                                      seat_label=p["seat"]) for p in values)


class QuoteIn(StrictSerializer):
    trip_id = serializers.UUIDField()
    from_stop_id = serializers.UUIDField()
    to_stop_id = serializers.UUIDField()
    passengers = QuotePassengerIn(many=True, allow_empty=False, max_length=MAX_PASSENGERS)  # type: ignore[call-arg]  # ListSerializer takes max_length
    promo_code = serializers.RegexField(r"^[A-Za-z0-9_-]{1,32}$", required=False)


class BookingIn(QuoteIn):
    passengers = BookingPassengerIn(many=True, allow_empty=False, max_length=MAX_PASSENGERS)  # type: ignore[call-arg]  # ListSerializer takes max_length


class AdjustmentOut(serializers.Serializer):
    name = serializers.CharField()
    amount_minor = serializers.IntegerField()


class QuoteLineOut(serializers.Serializer):
    seat = serializers.CharField(source="seat_label")
    seat_class = serializers.CharField()
    type = serializers.CharField(source="passenger_type")
    fare_minor = serializers.IntegerField()
    adjustments = AdjustmentOut(many=True)
    price_minor = serializers.IntegerField()


class QuoteOut(serializers.Serializer):
    lines = QuoteLineOut(many=True)
    total_minor = serializers.IntegerField()
    currency = serializers.CharField()
    promo_code = serializers.CharField(source="promo.code", allow_null=True, default=None)


class ConfirmIn(StrictSerializer):
    payment_ref = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)


class PassengerOut(serializers.ModelSerializer):
    type = serializers.CharField(source="passenger_type")
    seat = serializers.CharField(source="seat_label")

    class Meta:
        model = Passenger
        fields = ["name", "phone", "type", "seat", "seat_class", "fare_minor", "adjustments", "price_minor"]


class BookingOut(serializers.ModelSerializer):
    payment_reference = serializers.CharField(
        source="pay_reference", read_only=True,
        help_text="What a payer quotes to pay the hold (a Paybill account number); blank when nothing is payable")
    passengers = serializers.SerializerMethodField()
    tickets = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = ["id", "company_id", "trip_id", "from_stop_id", "to_stop_id", "state", "channel", "total_minor",
                  "currency", "expires_at", "extensions", "refundable_minor", "payment_reference", "created_at",
                  "confirmed_at", "cancelled_at", "passengers", "tickets"]

    # a caller that already has the rows passes them in the context ("passengers", "tickets"), sparing a read

    def get_passengers(self, booking: Booking) -> list[dict]:
        passengers = self.context.get("passengers") or booking.passengers.all()
        return PassengerOut(sorted(passengers, key=lambda p: p.position), many=True).data  # type: ignore[return-value]  # many=True: a ReturnList, typed ReturnDict by the stubs

    def get_tickets(self, booking: Booking) -> list[dict]:
        tickets = self.context["tickets"] if "tickets" in self.context else booking.tickets.all()
        return TicketOut(sorted(tickets, key=lambda t: t.seat_label), many=True).data  # type: ignore[return-value]  # many=True: a ReturnList, typed ReturnDict by the stubs
