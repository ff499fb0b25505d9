"""HTTP endpoints of tickets under /api/v1/: a ticket with its code, and its QR image, for its owner (the
booking's holder) or the company's staff."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.qr import api as qr_api
from apps.ticketing.tickets import selectors as ticket_selectors
from apps.ticketing.tickets.serializers import TicketDetailOut
from transport.http.principal import principal_of


class TicketDetail(APIView):
    @extend_schema(responses=TicketDetailOut, summary="A ticket with its code, stretch and boarding")
    def get(self, request: Request, ticket_id: UUID) -> Response:
        detail = ticket_selectors.ticket_detail(principal=principal_of(request), ticket_id=ticket_id)
        return Response(TicketDetailOut(detail).data)


class TicketQrImage(APIView):
    """The ticket's QR code as an image. A cancelled ticket has none (409 ticket_cancelled).

    The image is the only answer that is not JSON; errors are problem+json whatever the Accept header says.
    """

    render: ClassVar = staticmethod(qr_api.ticket_code_png)
    content_type: ClassVar[str] = "image/png"

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # an image client asks for image/*; the JSON renderer still answers its errors instead of a 406
        return super().perform_content_negotiation(request, force=True)

    def image(self, request: Request, ticket_id: UUID) -> HttpResponse:
        code = ticket_selectors.ticket_code_to_draw(principal=principal_of(request), ticket_id=ticket_id)
        response = HttpResponse(self.render(code=code), content_type=self.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class TicketQrPng(TicketQrImage):
    @extend_schema(responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY)},
                   summary="A ticket's QR code as a PNG image")
    def get(self, request: Request, ticket_id: UUID) -> HttpResponse:
        return self.image(request, ticket_id)


class TicketQrSvg(TicketQrImage):
    render: ClassVar = staticmethod(qr_api.ticket_code_svg)
    content_type: ClassVar[str] = "image/svg+xml"

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.BINARY)},
                   summary="A ticket's QR code as an SVG image")
    def get(self, request: Request, ticket_id: UUID) -> HttpResponse:
        return self.image(request, ticket_id)
