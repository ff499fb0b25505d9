"""Delivery reports: what the gateways say became of a message they took, applied to its Delivery.

A report moves a delivery forward only: sent (or still queued) -> delivered | failed, both final. A report the
gateway sends on the way ("Sent", "Buffered", "sending") changes nothing, nor does one that arrives late, after a
final one (delivered stays delivered); each is still appended to the delivery's log. A report naming a message
we do not know changes nothing and is not logged: the caller answers as if it were applied, revealing nothing.

Authenticity is checked before anything is read: Africa's Talking's reports are unsigned, so the secret in their
URL must be the platform account's or, under a company's path, that company's (which then only reports on that
company's messages); Twilio's must carry X-Twilio-Signature made with the auth token of the account that sent
the message (the company's own Twilio account, or the platform's).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.notification.models import Delivery, DeliveryLogEntry, ParkedReport, SmsGateway
from apps.notification.sms import credentials, report_urls, selectors
from apps.notification.sms.africastalking import AfricasTalking
from apps.notification.sms.twilio import Twilio
from apps.notification.sms.twilio_signature import twilio_signature_ok
from transport.errors import NotFound, PermissionDenied

logger = logging.getLogger(__name__)

# the gateway's final words; any other status (Sent, Submitted, Buffered; queued, sending, sent) moves nothing
FINAL_STATUSES: dict[str, dict[str, str]] = {
    AfricasTalking.name: {"Success": Delivery.Status.DELIVERED, "Failed": Delivery.Status.FAILED,
                          "Rejected": Delivery.Status.FAILED},
    Twilio.name: {"delivered": Delivery.Status.DELIVERED, "undelivered": Delivery.Status.FAILED,
                  "failed": Delivery.Status.FAILED},
}
MOVABLE = (Delivery.Status.QUEUED, Delivery.Status.SENT)


@transaction.atomic
def sms_report_apply(*, backend_name: str, message_id: str, gateway_status: str, reason: str,
                     raw: Mapping[str, Any], company_id: UUID | None = None) -> bool:
    """Append the report to the log of the delivery `backend_name` sent as `message_id`, and move its status if
    the report is final and the delivery not yet. False (and nothing written) for a message we do not know."""
    if not message_id:
        return False
    delivery = Delivery.objects.select_for_update().filter(backend=backend_name,
                                                           provider_message_id=message_id).first()
    if delivery is None:
        _park(backend_name=backend_name, message_id=message_id, company_id=company_id, status=gateway_status,
              reason=reason, raw=raw)
        return False
    if company_id is not None and delivery.company_id != company_id:
        return False  # under a company's URL, only that company's messages
    target = FINAL_STATUSES.get(backend_name, {}).get(gateway_status)
    if target is not None and delivery.status in MOVABLE:
        delivery.status = target
        if target == Delivery.Status.DELIVERED:
            delivery.delivered_at = timezone.now()
        else:
            delivery.status_reason = (reason or gateway_status)[:300]
        delivery.save(update_fields=["status", "delivered_at", "status_reason", "updated_at"])
    DeliveryLogEntry.objects.create(delivery=delivery, kind=DeliveryLogEntry.Kind.REPORT, status=gateway_status[:20],
                                    code=reason[:40], detail=json.dumps(dict(raw), sort_keys=True))
    return True


def africastalking_report_authenticate(*, company_id: UUID | None, secret: str) -> None:
    """NotFound unless `secret` is the one of the platform's report URL (company_id None) or of the company's."""
    if not report_urls.africastalking_secret_ok(company_id=company_id, given=secret):
        raise NotFound("No such report URL.")


def africastalking_report_apply(*, company_id: UUID | None, values: Mapping[str, str],
                                raw: Mapping[str, Any]) -> bool:
    """An authenticated Africa's Talking report (africastalking_report_authenticate first). Under a company's URL
    it reports on that company's messages only."""
    message_id = values["id"]
    return sms_report_apply(backend_name=AfricasTalking.name, message_id=message_id, gateway_status=values["status"],
                            reason=values.get("failureReason", ""), raw=raw, company_id=company_id)


def twilio_report_verify(*, urls: Iterable[str], signature: str, params: Mapping[str, Sequence[str]]) -> None:
    """PermissionDenied unless `signature` is Twilio's over one of `urls` (as Twilio may have requested it) and
    `params`, with the token of the account that sent the message the report names."""
    message_id = next(iter(params.get("MessageSid", [])), "")
    if not twilio_signature_ok(auth_tokens=_twilio_tokens(message_id), urls=urls, params=params, signature=signature):
        logger.warning("A Twilio status callback with a missing or wrong signature was refused.")
        raise PermissionDenied("The X-Twilio-Signature header is missing or wrong.", code="bad_signature")


def twilio_report_apply(*, values: Mapping[str, str], raw: Mapping[str, Any]) -> bool:
    """A verified Twilio status callback (twilio_report_verify first)."""
    return sms_report_apply(backend_name=Twilio.name, message_id=values["MessageSid"],
                            gateway_status=values["MessageStatus"], reason=values.get("ErrorCode", ""), raw=raw)


def _twilio_tokens(message_id: str) -> list[str]:
    """The auth tokens that may have signed a report of `message_id`: the platform's, and that of the company's
    own Twilio account when the message is a company's."""
    tokens = [settings.TWILIO_AUTH_TOKEN]
    known, company_id = selectors.delivery_company(backend=Twilio.name, message_id=message_id)
    account = selectors.sms_account_of(company_id=company_id) if known and company_id else None
    if account is not None and account.backend == SmsGateway.TWILIO:
        tokens.append(credentials.decrypt(account.credentials_encrypted).get("auth_token", ""))
    return [token for token in tokens if token]


def _park(*, backend_name: str, message_id: str, company_id: UUID | None, status: str, reason: str,
          raw: Mapping[str, Any]) -> None:
    ParkedReport.objects.create(backend=backend_name, message_id=message_id[:120], company_id=company_id,
                                gateway_status=status[:40], reason=reason[:200], raw=dict(raw))


def parked_reports_apply(*, backend_name: str | None = None, message_id: str | None = None) -> int:
    """Apply the parked reports whose delivery is now recorded (those of one message, or all), in the order they
    came; drop those older than NOTIFICATION_PARKED_REPORT_HOURS. How many were applied."""
    parked = ParkedReport.objects.order_by("received_at", "id")
    if backend_name is not None and message_id is not None:
        parked = parked.filter(backend=backend_name, message_id=message_id)
    applied = 0
    for report in list(parked[:1000]):
        with transaction.atomic():
            known = Delivery.objects.filter(backend=report.backend, provider_message_id=report.message_id).exists()
            if not known:
                continue
            ParkedReport.objects.filter(pk=report.pk).delete()
            applied += sms_report_apply(backend_name=report.backend, message_id=report.message_id,
                                        gateway_status=report.gateway_status, reason=report.reason, raw=report.raw,
                                        company_id=report.company_id)
    if message_id is None:
        stale = timezone.now() - timedelta(hours=settings.NOTIFICATION_PARKED_REPORT_HOURS)
        ParkedReport.objects.filter(received_at__lt=stale).delete()
    return applied
