"""The SMS gateways' delivery reports, under /api/v1/notifications/reports/: no authentication and no CSRF (a
gateway posts them), authenticated instead by a secret in the path (Africa's Talking) or a signature (Twilio),
before the body is even validated. Answered 200 as soon as applied; 200 too for a message we do not know
(nothing changes, nothing is revealed)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse, QueryDict
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.notification.sms import reports
from apps.notification.sms.serializers import AfricasTalkingReportIn, TwilioReportIn
from transport.http.schema import ProblemAutoSchema
from transport.http.serializers import validated

FORM = "application/x-www-form-urlencoded"
SIGNATURE_HEADER = "X-Twilio-Signature"
RECEIVED = OpenApiResponse(description="Received: applied, or about a message we do not know (nothing changes)")


class SignedCallbackSchema(ProblemAutoSchema):
    """A callback anyone may post that refuses a missing or wrong signature (403)."""

    def error_statuses(self, operation: dict[str, Any]) -> list[int]:
        return sorted({*super().error_statuses(operation), 403})


class GatewayReport(APIView):
    authentication_classes: list[Any] = []  # the gateway's secret or signature is the credential
    permission_classes = [AllowAny]
    parser_classes = [FormParser]


class AfricasTalkingReport(GatewayReport):
    """An Africa's Talking delivery report, to the URL pasted into the account's dashboard (the platform's, or
    a company's own account's). A wrong secret is a 404 and changes nothing."""

    def receive(self, request: Request, company_id: UUID | None, secret: str) -> HttpResponse:
        reports.africastalking_report_authenticate(company_id=company_id, secret=secret)
        form = _form(request)
        values = validated(AfricasTalkingReportIn, form)
        reports.africastalking_report_apply(company_id=company_id, values=_strings(values), raw=form.dict())
        return HttpResponse(status=200)

    @extend_schema(request={FORM: AfricasTalkingReportIn}, responses={200: RECEIVED},
                   operation_id="notifications_reports_africastalking_platform",
                   summary="Africa's Talking delivery report (the platform's account)")
    def post(self, request: Request, secret: str) -> HttpResponse:
        return self.receive(request, None, secret)


class AfricasTalkingCompanyReport(AfricasTalkingReport):
    @extend_schema(request={FORM: AfricasTalkingReportIn}, responses={200: RECEIVED},
                   operation_id="notifications_reports_africastalking_company",
                   summary="Africa's Talking delivery report (a company's own account)")
    def post(self, request: Request, company_id: UUID, secret: str) -> HttpResponse:  # type: ignore[override]
        return self.receive(request, company_id, secret)


class TwilioReport(GatewayReport):
    """A Twilio status callback, signed with the auth token of the account that sent the message; a missing or
    wrong signature is a 403 and changes nothing. The signed URL is the one Twilio was given (our public
    origin and this path), else the one this request names."""

    schema = SignedCallbackSchema()

    @extend_schema(request={FORM: TwilioReportIn}, responses={200: RECEIVED},
                   parameters=[OpenApiParameter(SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True,
                                                description="Base64 HMAC-SHA1 of the URL and the sorted "
                                                            "parameters, keyed with the account's auth token")],
                   summary="Twilio status callback")
    def post(self, request: Request) -> HttpResponse:
        form = _form(request)
        urls = [settings.NOTIFICATION_REPORT_BASE_URL + request.get_full_path(), request.build_absolute_uri()]
        reports.twilio_report_verify(urls=urls, signature=request.headers.get(SIGNATURE_HEADER, ""),
                                     params={name: form.getlist(name) for name in form})
        values = validated(TwilioReportIn, form)
        reports.twilio_report_apply(values=_strings(values), raw=form.dict())
        return HttpResponse(status=200)


def _form(request: Request) -> QueryDict:
    """The posted form; an empty one for an empty body (DRF then has a plain dict)."""
    data = request.data
    return data if isinstance(data, QueryDict) else QueryDict()


def _strings(values: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}
