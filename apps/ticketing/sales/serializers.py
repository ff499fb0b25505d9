"""The shapes of ticketing's HTTP bodies: strict input (unknown fields refused), plain output."""

from __future__ import annotations

from typing import Any

from django.core.validators import URLValidator
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


# ---- paying a held booking ----

PAYMENT_PROVIDERS = [("mpesa", "M-Pesa"), ("mtn_momo", "MTN MoMo"), ("paypal", "PayPal")]
PHONE_PROVIDERS = ("mpesa", "mtn_momo")
PAYER_PHONE = r"^\+?[0-9]{9,15}$"  # E.164: the country code and number, digits only after an optional "+"
MAX_URL_LENGTH = 2000


def _page_url(purpose: str) -> serializers.URLField:
    return serializers.URLField(
        max_length=MAX_URL_LENGTH, required=False, validators=[URLValidator(schemes=["http", "https"])],
        help_text=f"PayPal only, and required there: where the payer's browser goes {purpose} (http or https, "
                  f"at most {MAX_URL_LENGTH} characters)")


class BookingPayIn(StrictSerializer):
    provider = serializers.ChoiceField(choices=PAYMENT_PROVIDERS, help_text="Who collects the payment")
    phone = serializers.RegexField(
        PAYER_PHONE, required=False,
        help_text='M-Pesa and MTN MoMo only, and required there: the payer\'s number in E.164, "+254708374149" '
                  "(9 to 15 digits with the country code, an optional leading +)")
    return_url = _page_url("after approving the payment")
    cancel_url = _page_url("when the payer gives up")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        provider = attrs["provider"]
        needed = ["phone"] if provider in PHONE_PROVIDERS else ["return_url", "cancel_url"]
        missing = {name: [f"Required to pay with {dict(PAYMENT_PROVIDERS)[provider]}."] for name in needed
                   if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        # what the provider is given: digits only, and nothing another provider's way of paying needs
        return {"provider": provider, "phone": attrs.get("phone", "").removeprefix("+"),
                "return_url": attrs.get("return_url", ""), "cancel_url": attrs.get("cancel_url", "")}


class NextActionOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["approve_on_phone", "redirect", "none"],
                                   help_text='"approve_on_phone", "redirect" (open `url`), or "none" once settled')
    message = serializers.CharField(help_text="What to tell the payer")
    url = serializers.CharField(allow_blank=True, help_text="Where to send the payer's browser (PayPal)")


class BookingPaymentOut(serializers.Serializer):
    id = serializers.UUIDField()
    provider = serializers.CharField()
    state = serializers.ChoiceField(choices=["pending", "succeeded", "failed", "expired"])
    amount_minor = serializers.IntegerField(help_text="What is owed, in minor units of `currency`")
    currency = serializers.CharField()
    charge_amount_minor = serializers.IntegerField(help_text="What the provider charges, in `charge_currency`")
    charge_currency = serializers.CharField()
    conversion_rate = serializers.CharField(allow_blank=True,
                                            help_text="The company's rate from `currency` to `charge_currency`, "
                                                      "if one was applied")
    reference = serializers.CharField(allow_blank=True, help_text="The booking's payment reference")
    next_action = NextActionOut()
    failure_code = serializers.CharField(allow_blank=True)
    failure_reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)


class BookingPayOut(serializers.Serializer):
    payment = BookingPaymentOut()
    booking_expires_at = serializers.DateTimeField(
        help_text="The hold's expiry, lengthened to cover the payment (at least the company's payment hold minutes)")
