"""Dispatch messages over HTTP: staff send and list them; a driver may acknowledge one here too (a driver app
that is between websockets)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tracking import reporting
from apps.tracking.dispatch import selectors, services
from apps.tracking.serializers import DispatchIn, DispatchListIn, DispatchOut
from transport.http.pagination import CappedPageNumberPagination, page_of
from transport.http.principal import principal_of
from transport.http.serializers import validated


class DispatchMessageList(APIView):
    @extend_schema(request=DispatchIn, responses={201: DispatchOut}, summary="Send a driver a dispatch message")
    def post(self, request: Request) -> Response:
        values = validated(DispatchIn, request.data)
        principal = principal_of(request)
        company_id = reporting.staff_company(principal=principal, company_id=values.get("company_id"))
        message = services.dispatch_message_send(principal=principal, company_id=company_id,
                                                 driver_id=values["driver_id"], kind=values["kind"],
                                                 text=values["text"], trip_id=values.get("trip_id"))
        return Response(DispatchOut(message).data, status=201)

    @extend_schema(parameters=[DispatchListIn], responses=page_of(DispatchOut),
                   summary="The company's dispatch messages, newest first")
    def get(self, request: Request) -> Response:
        values = validated(DispatchListIn, request.query_params.dict())
        principal = principal_of(request)
        company_id = reporting.staff_company(principal=principal, company_id=values.get("company_id"))
        messages = selectors.dispatch_messages_of_company(
            principal=principal, company_id=company_id, driver_id=values.get("driver_id"),
            trip_id=values.get("trip_id"), unacknowledged=values["unacknowledged"])
        paginator = CappedPageNumberPagination()
        page: list[Any] | None = paginator.paginate_queryset(messages, request, view=self)
        return paginator.get_paginated_response(DispatchOut(page, many=True).data)


class DispatchMessageAck(APIView):
    @extend_schema(request=None, responses=DispatchOut, summary="Acknowledge one of my dispatch messages")
    def post(self, request: Request, message_id: UUID) -> Response:
        message = services.dispatch_message_acknowledge(principal=principal_of(request), message_id=message_id)
        return Response(DispatchOut(message).data)
