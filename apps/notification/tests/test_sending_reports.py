"""Delivery reports of messages the send task sent, over HTTP from the gateway emulator to our server: the status
moves to delivered; and a report that overtakes the commit of its send (the gateway reports before it answers)
is parked, then applied once the send is recorded: never lost."""

from __future__ import annotations

import pytest

from apps.notification.models import Delivery, ParkedReport
from apps.notification.services.sending import delivery_send
from apps.notification.sms.registry import report_url, sms_backend_for
from apps.notification.sms.reports import parked_reports_apply, sms_report_apply
from tests.worlds import notification as cast
from tests.worlds.boarding import ticket
from transport.testing.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+254700000001"


@pytest.fixture
def served(sms_platform, live_server, africastalking):
    sms_platform.NOTIFICATION_REPORT_BASE_URL = live_server.url
    africastalking.set_report_url(report_url(backend=sms_backend_for(company_id=None)[0], company_id=None))
    return sms_platform


def _sms(world) -> Delivery:
    ticket(world, "1A")
    cast.deliver_all("ticketing.ticket_confirmed")
    return Delivery.objects.get(channel="sms")


def test_a_sent_message_is_delivered_when_the_gateway_reports_it(world, served, africastalking):
    sms = _sms(world)

    assert delivery_send(sms.pk) == "sent"

    wait_for(lambda: Delivery.objects.get(pk=sms.pk).status == "delivered", what="the delivery report")
    assert list(Delivery.objects.get(pk=sms.pk).log.values_list("kind", "status")) == [
        ("attempt", "sent"), ("report", "Sent"), ("report", "Success")]


def test_a_report_that_overtakes_its_sends_commit_is_parked_and_then_applied(world, served, africastalking):
    africastalking.script(PHONE, "deliver", answer_delay=1.0, report_delay=0.05)  # reports, then the answer
    sms = _sms(world)

    assert delivery_send(sms.pk) == "sent"

    delivered = Delivery.objects.get(pk=sms.pk)
    assert delivered.status == "delivered"
    assert [status for kind, status in delivered.log.values_list("kind", "status") if kind == "report"] == [
        "Sent", "Success"]
    assert not ParkedReport.objects.exists()


def test_a_parked_report_waits_for_its_delivery_and_the_sweep_applies_it(world, sms_platform):
    sms = _sms(world)

    known = sms_report_apply(backend_name="africastalking", message_id="ATXid_early", gateway_status="Success",
                             reason="", raw={"id": "ATXid_early"})
    before = parked_reports_apply()
    Delivery.objects.filter(pk=sms.pk).update(status="sent", backend="africastalking",
                                              provider_message_id="ATXid_early")
    after = parked_reports_apply()

    assert (known, before, after) == (False, 0, 1)
    assert Delivery.objects.get(pk=sms.pk).status == "delivered"
    assert not ParkedReport.objects.exists()


def test_a_parked_report_under_a_company_url_never_applies_to_another_companys_message(world, other_world,
                                                                                     sms_platform):
    sms = _sms(world)
    sms_report_apply(backend_name="africastalking", message_id="ATXid_other", gateway_status="Failed", reason="x",
                     raw={}, company_id=other_world.company_id)
    Delivery.objects.filter(pk=sms.pk).update(status="sent", backend="africastalking",
                                              provider_message_id="ATXid_other")

    assert parked_reports_apply() == 0
    assert Delivery.objects.get(pk=sms.pk).status == "sent"
