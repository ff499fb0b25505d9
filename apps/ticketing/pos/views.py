"""HTTP endpoints of POS devices and seat allotments under /api/v1/: thin adapters to services and selectors."""

from __future__ import annotations

import uuid
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ticketing import access
from apps.ticketing.pos import selectors as pos_selectors
from apps.ticketing.pos.serializers import (
    AllotmentIn,
    AllotmentOut,
    DeviceAllotmentOut,
    OfflineSaleIn,
    PosSaleIn,
    PosSaleOut,
    SyncBatchIn,
    SyncIn,
    SyncOut,
)
from apps.ticketing.pos.services import allotments
from apps.ticketing.pos.services import sales as pos
from apps.ticketing.sales import selectors
from apps.ticketing.sales.serializers import passengers_in
from transport.http.idempotency import idempotent
from transport.http.principal import principal_of
from transport.http.problems import field_errors
from transport.http.serializers import validated


def _allotment_response(request: Request, trip_id: UUID, allotment_id: UUID, *, status_code: int) -> Response:
    [found] = pos_selectors.trip_allotments(principal=principal_of(request), trip_id=trip_id, allotment_id=allotment_id)
    return Response(AllotmentOut(found).data, status=status_code)


class TripAllotments(APIView):
    @extend_schema(responses=AllotmentOut(many=True), summary="A trip's seat allotments to POS devices (staff)")
    def get(self, request: Request, trip_id: UUID) -> Response:
        found = pos_selectors.trip_allotments(principal=principal_of(request), trip_id=trip_id)
        return Response(AllotmentOut(found, many=True).data)

    @extend_schema(request=AllotmentIn, responses={201: AllotmentOut},
                   summary="Allot seats of a trip to a POS device for offline selling")
    @idempotent(atomic=True)
    def post(self, request: Request, trip_id: UUID) -> Response:
        values = validated(AllotmentIn, request.data)
        allotment = allotments.allotment_create(principal=principal_of(request), trip_id=trip_id,
                                                device_id=values["device_id"],
                                                seat_labels=values["seats"])
        return _allotment_response(request, trip_id, allotment.id, status_code=status.HTTP_201_CREATED)


class AllotmentRelease(APIView):
    @extend_schema(request=None, responses=AllotmentOut,
                   summary="Release what is left of an allotment (the device's sales stay)")
    @idempotent(required=False)
    def post(self, request: Request, allotment_id: UUID) -> Response:
        allotment = allotments.allotment_release(principal=principal_of(request), allotment_id=allotment_id)
        return _allotment_response(request, allotment.trip_id, allotment.id, status_code=status.HTTP_200_OK)


class DeviceAllotments(APIView):
    @extend_schema(responses=DeviceAllotmentOut(many=True),
                   summary="The calling POS device's allotments: what it may sell offline, with fares")
    def get(self, request: Request) -> Response:
        found = pos_selectors.device_allotments(principal=principal_of(request))
        return Response(DeviceAllotmentOut(found, many=True).data)


class PosSales(APIView):
    @extend_schema(request=PosSaleIn, responses={201: PosSaleOut},
                   summary="Sell and confirm for cash from a POS device, in one step")
    @idempotent(atomic=True)
    def post(self, request: Request) -> Response:
        values = validated(PosSaleIn, request.data)
        sale = pos.SaleIn(id=values.get("sale_id") or uuid.uuid4(), trip_id=values["trip_id"],
                          from_stop_id=values["from_stop_id"], to_stop_id=values["to_stop_id"],
                          passengers=passengers_in(values["passengers"]), cash_minor=values["cash_minor"])
        booking = pos.pos_sale_sell(principal=principal_of(request), sale=sale)
        found = selectors.booking_detail(principal=principal_of(request), booking_id=booking.id)
        return Response(PosSaleOut(found).data, status=status.HTTP_201_CREATED)


class PosSync(APIView):
    """Not behind an Idempotency-Key: each sale's own UUID makes any upload of it safe to repeat."""

    @extend_schema(request=SyncIn, responses=SyncOut,
                   summary="Upload sales a POS device made offline; one outcome per sale, in order")
    def post(self, request: Request) -> Response:
        access.require_seller(principal_of(request))
        sales = request.data.get("sales") if isinstance(request.data, dict) else None
        if isinstance(sales, list):  # refuse an oversize batch before validating every sale in it
            pos.sync_batch_check(count=len(sales))
        ids = [sale["id"] for sale in validated(SyncBatchIn, request.data)["sales"]]
        pos.sync_batch_check(count=len(ids), ids=ids)
        assert isinstance(sales, list)  # SyncBatchIn validated it
        readings = [OfflineSaleIn(data=raw) for raw in sales]
        readable = [reading.is_valid() for reading in readings]
        sellable = [_sale_in(reading.validated_data) for reading, ok in zip(readings, readable, strict=True) if ok]
        decided = iter(pos.pos_sync(principal=principal_of(request), sales=sellable) if sellable else [])
        results = [next(decided) if ok else
                   pos.sale_unreadable(sale_id=sale_id, detail=_errors_in_words(reading.errors))
                   for sale_id, reading, ok in zip(ids, readings, readable, strict=True)]
        return Response(SyncOut({"results": results}).data)


def _sale_in(s: dict) -> pos.SaleIn:
    return pos.SaleIn(id=s["id"], made_at=s["made_at"], trip_id=s["trip_id"], from_stop_id=s["from_stop_id"],
                      to_stop_id=s["to_stop_id"], passengers=passengers_in(s["passengers"]), cash_minor=s["cash_minor"])


def _errors_in_words(errors: dict) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in field_errors(errors).items())
