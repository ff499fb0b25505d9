"""HTTP endpoints of ticketing under /api/v1/: thin adapters from requests to services and selectors."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ticketing.fares import quotes
from apps.ticketing.inventory import selectors as availability
from apps.ticketing.reports import selectors as reports
from apps.ticketing.sales import selectors
from apps.ticketing.sales.serializers import (
    BookingIn,
    BookingOut,
    ConfirmIn,
    QuoteIn,
    QuoteOut,
    SalesIn,
    SalesRowOut,
    SeatMapIn,
    SeatMapOut,
    TripFoundOut,
    TripSearchIn,
    passengers_in,
)
from apps.ticketing.sales.services import bookings, cancellation, confirmation
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


def _places(request: Request) -> dict:
    """The query's from/to under serializer-friendly names ("from" is a Python keyword)."""
    names = {"from": "origin", "to": "destination"}
    return {names.get(key, key): value for key, value in request.query_params.items()}


def _place(value: str) -> tuple[list[UUID], str | None]:
    try:
        return [UUID(value)], None
    except ValueError:
        return [], value


class TripSearch(APIView):
    """Public: trips across companies between two stops or towns on a date."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("from", str, required=True), OpenApiParameter("to", str, required=True),
                               OpenApiParameter("date", OpenApiTypes.DATE, required=True)],
                   responses=TripFoundOut(many=True), summary="Search trips with seats left and the lowest fare")
    def get(self, request: Request) -> Response:
        values = validated(TripSearchIn, _places(request))
        from_ids, from_town = _place(values["origin"])
        to_ids, to_town = _place(values["destination"])
        found = availability.trips_search(on=values["date"], from_stop_ids=from_ids, to_stop_ids=to_ids,
                                          from_town=from_town, to_town=to_town)
        return Response(TripFoundOut(found, many=True).data)


class SeatMapView(APIView):
    """Public: a trip's seats and their state on a stretch."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("from", OpenApiTypes.UUID), OpenApiParameter("to", OpenApiTypes.UUID)],
                   responses=SeatMapOut, summary="A trip's seat map for a stretch")
    def get(self, request: Request, trip_id: UUID) -> Response:
        values = validated(SeatMapIn, _places(request))
        found = availability.seat_map(trip_id=trip_id, from_stop_id=values.get("origin"),
                                      to_stop_id=values.get("destination"))
        return Response(SeatMapOut(found).data)


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


class SalesReport(APIView):
    @extend_schema(parameters=[SalesIn], responses=SalesRowOut(many=True),
                   summary="Sales by trip, day, agent or channel")
    def get(self, request: Request) -> Response:
        values = validated(SalesIn, request.query_params.dict())
        rows = reports.sales_report(principal=principal_of(request), **values)
        return Response(SalesRowOut(rows, many=True).data)
