"""The e-ticket's downloads: /api/v1/tickets/{id}/ticket.pdf for the ticket's holder and the company's staff, and
/t/{code}, the short link an SMS carries, for whoever holds the link.

A link is a capability URL: its random code is the only credential, as the QR code on the PDF is the boarding
credential; it is kept out of the API schema, and the gateway's per-address rate limit makes guessing codes
hopeless (codes.py). Both answer the PDF whatever the Accept header says, and problem+json for their errors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.notification.eticket import selectors
from apps.notification.eticket.pdf import eticket_pdf
from apps.notification.eticket.serializers import ETicketQueryIn
from apps.ticketing import api as ticketing_api
from transport.errors import NotFound
from transport.http.principal import principal_of
from transport.http.serializers import validated
from transport.principal import Principal

PDF = "application/pdf"
# reads the ticket a link leads to: the link's code stands for the holder's credential
LINK_READER = Principal.system("notification.ticket-links", {ticketing_api.VIEW_BOOKINGS})


class _PdfView(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # a PDF reader asks for application/pdf; the JSON renderer still answers its errors instead of a 406
        return super().perform_content_negotiation(request, force=True)

    def pdf(self, request: Request, notice: ticketing_api.TicketNotice, *, as_attachment: bool) -> HttpResponse:
        language = validated(ETicketQueryIn, request.query_params.dict()).get("language")
        body = eticket_pdf(notices=[notice], language=language or selectors.ticket_language(notice))
        response = HttpResponse(body, content_type=PDF)
        disposition = content_disposition_header(as_attachment, f"ticket-{notice.number}.pdf")
        if disposition:  # always, for a file name is given
            response["Content-Disposition"] = disposition
        response["Cache-Control"] = "private, no-store"  # it shows the boarding code, and changes on cancellation
        return response


class TicketPdf(_PdfView):
    @extend_schema(parameters=[ETicketQueryIn],
                   responses={(200, PDF): OpenApiResponse(OpenApiTypes.BINARY,
                                                          description="The e-ticket, one A5 page")},
                   summary="A ticket's e-ticket as a PDF (marked cancelled, without a QR code, once cancelled)")
    def get(self, request: Request, ticket_id: UUID) -> HttpResponse:
        notice = ticketing_api.ticket_notice(principal=principal_of(request), ticket_id=ticket_id)
        return self.pdf(request, notice, as_attachment=True)


class TicketLinkPdf(_PdfView):
    authentication_classes: list[Any] = []  # the link is the credential
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)  # a link for people, outside the versioned API
    def get(self, request: Request, code: str) -> HttpResponse:
        ticket_id = selectors.linked_ticket_id(code=code)
        if ticket_id is None:
            raise NotFound("No ticket at this link.")
        notice = ticketing_api.ticket_notice(principal=LINK_READER, ticket_id=ticket_id)
        response = self.pdf(request, notice, as_attachment=False)
        response["X-Robots-Tag"] = "noindex"
        return response
