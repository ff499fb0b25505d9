"""HTTP endpoints of payment under /api/v1/payments/: a payment for whoever started it or the company's staff,
and the providers' callbacks (no authentication: a secret in the path, then the provider's own word)."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.payment import api, tasks
from apps.payment.models import ProviderEvent
from apps.payment.serializers import PaymentOut
from apps.payment.services import callbacks, paybill, payments
from transport.http.principal import principal_of
from transport.http.problems import problem_response

# the answer Daraja expects for every callback it delivers; the others only look at the status
MPESA_ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}
PAYBILL_VALIDATION = "paybill-validation"


class PaymentDetail(APIView):
    @extend_schema(responses=PaymentOut, summary="A payment: its state and what the payer is asked to do")
    def get(self, request: Request, payment_id: UUID) -> Response:
        return Response(PaymentOut(api.payment_get(principal=principal_of(request), payment_id=payment_id)).data)


class PaymentCheck(APIView):
    @extend_schema(request=None, responses=PaymentOut,
                   summary="Ask the provider now (after a PayPal approval, or a prompt approved on the phone)")
    def post(self, request: Request, payment_id: UUID) -> Response:
        principal = principal_of(request)
        api.payment_get(principal=principal, payment_id=payment_id)  # who may see it may ask for it
        payments.check_now(payment_id)
        return Response(PaymentOut(api.payment_get(principal=principal, payment_id=payment_id)).data)


@csrf_exempt
@require_http_methods(["POST", "PUT"])
def provider_callback(request: HttpRequest, purpose: str, target: UUID, secret: str) -> HttpResponse:
    """Store the callback first, whatever it is; process it in a worker after commit (the sweep makes up for a
    lost task). A wrong secret or an unknown target is stored and answered 404: nothing else happens."""
    if purpose not in callbacks.PURPOSES:
        return problem_response(status=404, code="not_found", detail="No such callback.")
    headers = {name.lower(): value for name, value in request.headers.items()}
    event = callbacks.event_store(purpose=purpose, target=target, secret=secret, body=request.body,
                                  headers=headers)
    if event.outcome != ProviderEvent.Outcome.RECEIVED:
        return problem_response(status=404, code="not_found", detail="No such callback.")
    if purpose == PAYBILL_VALIDATION:
        return JsonResponse(paybill.validation_answer(event))  # Daraja waits for this answer
    transaction.on_commit(lambda: tasks.send_quietly(tasks.process_event, event.pk))
    return JsonResponse(MPESA_ACCEPTED if event.provider == "mpesa" else {"status": "received"})

