"""The sales report under /api/v1/sales, for company staff."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ticketing.reports import selectors as reports
from apps.ticketing.reports.serializers import SalesIn, SalesRowOut
from transport.http.principal import principal_of
from transport.http.serializers import validated


class SalesReport(APIView):
    @extend_schema(parameters=[SalesIn], responses=SalesRowOut(many=True),
                   summary="Sales by trip, day, agent or channel")
    def get(self, request: Request) -> Response:
        values = validated(SalesIn, request.query_params.dict())
        rows = reports.sales_report(principal=principal_of(request), **values)
        return Response(SalesRowOut(rows, many=True).data)
