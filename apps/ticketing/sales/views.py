"""HTTP endpoints of ticketing under /api/v1/: thin adapters from requests to services and selectors."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ticketing.fares import quotes
from apps.ticketing.sales import selectors
from apps.ticketing.sales.serializers import (
    BookingIn,
    BookingOut,
    BookingPayIn,
    BookingPaymentOut,
    BookingPayOut,
    ConfirmIn,
    QuoteIn,
    QuoteOut,
    passengers_in,
)
from apps.ticketing.sales.services import bookings, cancellation, confirmation, payments
from transport.http.idempotency import idempotent
from transport.http.principal import principal_of
from transport.http.serializers import validated


def _booking_response(request: Request, booking_id: UUID, *, status_code: int = status.HTTP_200_OK) -> Response:
    booking = selectors.booking_detail(principal=principal_of(request), booking_id=booking_id)
    return Response(BookingOut(booking).data, status=status_code)


class BookingList(APIView):
    @extend_schema(request=BookingIn, responses={201: BookingOut}, summary="Hold seats for a new booking")
    @idempotent(atomic=True)
    def post(self, request: Request) -> Response:
        values = validated(BookingIn, request.data)
        booking = bookings.booking_hold(
            principal=principal_of(request), trip_id=values["trip_id"], from_stop_id=values["from_stop_id"],
            to_stop_id=values["to_stop_id"],
            passengers=list(passengers_in(values["passengers"])),
            promo_code=values.get("promo_code"),
        )
        # a new hold: the booking comes with the passengers it was written with, and has no tickets yet
        body = BookingOut(booking, context={"passengers": list(booking.passengers.all()), "tickets": []}).data
        return Response(body, status=status.HTTP_201_CREATED)


class QuoteView(APIView):
    """Public: anyone may ask what seats would cost; nothing is held."""

    permission_classes = [AllowAny]

    @extend_schema(request=QuoteIn, responses=QuoteOut, summary="Price seats on a stretch, with a breakdown")
    def post(self, request: Request) -> Response:
        values = validated(QuoteIn, request.data)
        quote = quotes.trip_quote(trip_id=values["trip_id"], from_stop_id=values["from_stop_id"],
                                  to_stop_id=values["to_stop_id"], promo_code=values.get("promo_code"),
                                  passengers=[(p["seat"], p["type"]) for p in values["passengers"]])
        return Response(QuoteOut(quote).data)


class BookingDetail(APIView):
    @extend_schema(responses=BookingOut, summary="Get a booking")
    def get(self, request: Request, booking_id: UUID) -> Response:
        return _booking_response(request, booking_id)


class BookingCancel(APIView):
    @extend_schema(request=None, responses=BookingOut, summary="Cancel a booking (refund per company policy)")
    @idempotent(required=False)
    def post(self, request: Request, booking_id: UUID) -> Response:
        booking = cancellation.booking_cancel(principal=principal_of(request), booking_id=booking_id)
        return _booking_response(request, booking.id)


class BookingExtend(APIView):
    @extend_schema(request=None, responses=BookingOut, summary="Extend a hold while its payment is pending")
    @idempotent(required=False)
    def post(self, request: Request, booking_id: UUID) -> Response:
        booking = bookings.booking_extend(principal=principal_of(request), booking_id=booking_id)
        return _booking_response(request, booking.id)


class BookingConfirm(APIView):
    @extend_schema(request=ConfirmIn, responses=BookingOut, summary="Confirm a booking paid at the counter")
    @idempotent(required=False)
    def post(self, request: Request, booking_id: UUID) -> Response:
        values = validated(ConfirmIn, request.data)
        booking = confirmation.booking_confirm(booking_id=booking_id, principal=principal_of(request),
                                               payment_ref=values["payment_ref"] or None)
        return _booking_response(request, booking.id)


class BookingPayments(APIView):
    @extend_schema(responses=BookingPaymentOut(many=True), summary="A booking's payments, newest first")
    def get(self, request: Request, booking_id: UUID) -> Response:
        found = selectors.booking_payments(principal=principal_of(request), booking_id=booking_id)
        return Response(BookingPaymentOut(found, many=True).data)

    @extend_schema(request=BookingPayIn, responses={201: BookingPayOut},
                   summary="Pay a held booking with M-Pesa, MTN MoMo or PayPal (its hold lengthened to cover it)")
    @idempotent()  # not atomic: the provider is called after the hold's transaction, outside any
    def post(self, request: Request, booking_id: UUID) -> Response:
        values = validated(BookingPayIn, request.data)
        paid = payments.booking_pay(principal=principal_of(request), booking_id=booking_id, **values)
        return Response(BookingPayOut(paid).data, status=status.HTTP_201_CREATED)
