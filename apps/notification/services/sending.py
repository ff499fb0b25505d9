"""Sending one delivery, at most once per attempt: the row is locked for the attempt (a second worker handed the
same id skips it) and the outcome is written with the attempt in the log.

- Accepted by the gateway (or the mail server): `sent`, with the gateway's message id, segments and cost.
- Refused for good (an invalid or blacklisted number, a refused address): `failed`, never tried again.
- Anything that may pass (a gateway 5xx, a timeout, a connection error, an SMTP server's temporary refusal):
  tried again after NOTIFICATION_RETRY_SECONDS * 2^(attempts - 1), until NOTIFICATION_MAX_ATTEMPTS; then `dead`,
  a dead letter that staff can replay from the admin."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from apps.notification.eticket import eticket_pdf
from apps.notification.models import Channel, Delivery, DeliveryLogEntry
from apps.notification.plans import READER
from apps.notification.queueing import send_soon
from apps.notification.sms.backends import SmsFailure
from apps.notification.sms.registry import report_url, sms_backend_for
from apps.notification.sms.reports import parked_reports_apply
from apps.ticketing import api as ticketing_api

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str
    code: str = ""
    detail: str = ""
    retry_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed try a delivery is tried again."""
    return timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (attempts - 1))


def _send_sms(delivery: Delivery) -> None:
    backend, sender_id = sms_backend_for(company_id=delivery.company_id)
    accepted = backend.send(to=delivery.recipient, text=delivery.body, sender_id=sender_id,
                            report_url=report_url(backend=backend, company_id=delivery.company_id))
    delivery.backend, delivery.provider_message_id, delivery.cost = backend.name, accepted.message_id, accepted.cost


def _attachments(delivery: Delivery) -> list[tuple[str, bytes, str]]:
    """A confirmed ticket's email carries its e-ticket."""
    if delivery.event_type != "ticket_confirmed" or delivery.ticket_id is None:
        return []
    notices = ticketing_api.ticket_notices(principal=READER, ticket_ids=[delivery.ticket_id])
    if not notices:
        return []
    return [(f"ticket-{notices[0].number}.pdf", eticket_pdf(notices=notices, language=delivery.language),
             "application/pdf")]


def _send_email(delivery: Delivery) -> None:
    email = EmailMultiAlternatives(subject=delivery.subject, body=delivery.body, to=[delivery.recipient],
                                   from_email=settings.DEFAULT_FROM_EMAIL)
    if delivery.html_body:
        email.attach_alternative(delivery.html_body, "text/html")
    for name, content, mimetype in _attachments(delivery):
        email.attach(name, content, mimetype)
    email.send(fail_silently=False)
    delivery.backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]


def _attempt(delivery: Delivery, now: datetime) -> Outcome:
    try:
        if delivery.channel == Channel.SMS:
            _send_sms(delivery)
        else:
            _send_email(delivery)
    except SmsFailure as failure:
        return _failed(delivery, now, permanent=failure.permanent, code=failure.code, detail=failure.reason)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as refused:
        return _failed(delivery, now, permanent=True, code="smtp_refused", detail=str(refused))
    except (smtplib.SMTPException, OSError) as error:
        return _failed(delivery, now, permanent=False, code=type(error).__name__, detail=str(error))
    return Outcome(status=Delivery.Status.SENT)


def _failed(delivery: Delivery, now: datetime, *, permanent: bool, code: str, detail: str) -> Outcome:
    if permanent:
        return Outcome(status=Delivery.Status.FAILED, code=code, detail=detail)
    if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        return Outcome(status=Delivery.Status.DEAD, code=code,
                       detail=f"{detail} (gave up after {delivery.attempts} attempts)")
    return Outcome(status=Delivery.Status.QUEUED, code=code, detail=detail,
                   retry_at=now + retry_delay(delivery.attempts))


def delivery_send(delivery_id: UUID) -> str:
    """Try to send a queued delivery that is due; what became of it ("sent", "queued" for a retry, "failed",
    "dead"), or "not due" when there was nothing to do (already sent, locked by another worker, not yet)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True)
                    .filter(pk=delivery_id, status=Delivery.Status.QUEUED).first())
        if delivery is None or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now):
            return "not due"
        delivery.attempts += 1
        outcome = _attempt(delivery, now)
        delivery.status, delivery.next_attempt_at = outcome.status, outcome.retry_at
        delivery.status_reason = outcome.detail[:300]
        if outcome.status == Delivery.Status.SENT:
            delivery.sent_at = now
        delivery.save()
        DeliveryLogEntry.objects.create(delivery=delivery, kind=DeliveryLogEntry.Kind.ATTEMPT,
                                        status=outcome.status, code=outcome.code[:40], detail=outcome.detail)
    if outcome.retry_at is not None:
        send_soon(delivery.pk, countdown=(outcome.retry_at - now).total_seconds())
    if outcome.status == Delivery.Status.SENT and delivery.provider_message_id:
        # a report that overtook this commit was parked: it applies now
        parked_reports_apply(backend_name=delivery.backend, message_id=delivery.provider_message_id)
    logger.info("notification.attempt", extra={"delivery_id": str(delivery.pk), "status": outcome.status,
                                               "code": outcome.code, "attempt": delivery.attempts})
    return outcome.status


def deliveries_due(*, now: datetime, limit: int = 500) -> list[UUID]:
    """Queued deliveries whose time has come and that nobody seems to be sending: a retry whose time passed, or
    a first try whose task was lost (older than a grace period)."""
    grace = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    due = Delivery.objects.filter(status=Delivery.Status.QUEUED)
    retries = due.filter(next_attempt_at__lte=now)
    firsts = due.filter(next_attempt_at__isnull=True, created_at__lte=grace)
    ids = list(retries.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    ids += list(firsts.order_by("created_at").values_list("pk", flat=True)[:limit - len(ids)])
    return ids
