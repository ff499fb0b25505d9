"""End to end: a message sent through the real client to a gateway emulator, whose delivery reports reach our
server over HTTP (Africa's Talking to the URL set in its dashboard, Twilio to the StatusCallback given and
signed) and move the delivery the send recorded."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from apps.notification.models import Delivery
from apps.notification.sms.registry import report_url, sms_backend_for
from transport.testing.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+254711000030"


def _send_and_record(*, company_id: uuid.UUID | None = None) -> Delivery:
    """What the platform's send task does: send, then record the gateway's id on the delivery."""
    backend, sender_id = sms_backend_for(company_id=company_id)
    accepted = backend.send(to=NUMBER, text="Ticket T-9 seat 7", sender_id=sender_id,
                            report_url=report_url(backend=backend, company_id=company_id))
    return Delivery.objects.create(
        event_id=uuid.uuid4(), event_type="ticket_confirmed", channel="sms", recipient=NUMBER, language="en",
        body="Ticket T-9 seat 7", status=Delivery.Status.SENT, backend=backend.name, company_id=company_id,
        provider_message_id=accepted.message_id, cost=accepted.cost, sent_at=timezone.now())


def _reported(delivery: Delivery, count: int) -> bool:
    return delivery.log.count() >= count


@pytest.fixture
def served(sms_platform, live_server):
    sms_platform.NOTIFICATION_REPORT_BASE_URL = live_server.url
    return sms_platform


def test_africastalking_reports_reach_us_and_deliver_the_message(served, africastalking):
    backend, _ = sms_backend_for(company_id=None)
    africastalking.set_report_url(report_url(backend=backend, company_id=None))
    africastalking.hold_reports()  # until the send is recorded, as the gateway's reports come after it
    delivery = _send_and_record()

    assert africastalking.release_reports() == 2
    wait_for(lambda: _reported(delivery, 2), what="two reports applied")

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert list(delivery.log.values_list("status", flat=True)) == ["Sent", "Success"]
    assert [report["delivered_status"] for report in africastalking.reports()] == [200, 200]


def test_a_failed_delivery_report_fails_the_message(served, africastalking):
    africastalking.set_report_url(report_url(backend=sms_backend_for(company_id=None)[0], company_id=None))
    africastalking.script(NUMBER, "fail")
    africastalking.hold_reports()
    delivery = _send_and_record()

    africastalking.release_reports()
    wait_for(lambda: _reported(delivery, 2), what="two reports applied")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_reason) == (Delivery.Status.FAILED, "DeliveryFailure")


def test_twilio_signed_callbacks_reach_us_and_deliver_the_message(served, twilio):
    served.SMS_BACKEND = "twilio"
    served.SMS_SENDER_ID = "+15005550006"
    twilio.hold_reports()
    delivery = _send_and_record()

    twilio.release_reports()
    wait_for(lambda: _reported(delivery, 2), what="two callbacks applied")

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert list(delivery.log.values_list("status", flat=True)) == ["sent", "delivered"]
    assert [report["delivered_status"] for report in twilio.reports()] == [200, 200]


def test_twilio_callbacks_signed_with_another_token_are_refused_over_http(served, twilio):
    served.SMS_BACKEND = "twilio"
    served.SMS_SENDER_ID = "+15005550006"
    twilio.hold_reports()
    delivery = _send_and_record()
    served.TWILIO_AUTH_TOKEN = "rotated-since"  # the emulator signs with the token the message was sent with

    twilio.release_reports()
    twilio.wait_for_reports(2)

    assert [report["delivered_status"] for report in twilio.reports()] == [403, 403]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.log.count()) == (Delivery.Status.SENT, 0)
