"""Payment's endpoints: a payment for whoever started it or the company's payment staff (404 for anyone else,
another company's staff included), and the callback endpoint at its extremes."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from apps.payment import api
from apps.payment.models import ProviderEvent
from apps.payment.tests.flows import KES_RATE_TO_EUR, account_on, payable
from tests.worlds.ticketing import build_sales_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def started(mtn_momo_emulator, settings):
    world = build_sales_world()
    account = account_on(mtn_momo_emulator, settings, provider="mtn_momo", company_id=world.company_id,
                         rates={"KES": KES_RATE_TO_EUR})
    subject = payable(account.company_id)
    payment = api.payment_start(principal=world.principal("passenger"), company_id=world.company_id,
                                subject=subject, provider="mtn_momo", payer_phone="46733123999")
    return world, payment


@pytest.mark.parametrize("who, status", [("passenger", 200), ("company_admin", 200), ("dispatcher", 200),
                                         ("other_passenger", 404), ("agent", 404), ("driver", 404), (None, 401)])
def test_a_payment_is_seen_by_its_payer_and_the_company_payment_staff_only(started, who, status):
    world, payment = started

    answer = world.client(who).get(f"/api/v1/payments/{payment.id}")

    assert answer.status_code == status
    if status == 200:
        body = answer.json()
        assert (body["id"], body["state"], body["charge_amount_minor"], body["charge_currency"]) == (
            str(payment.id), "pending", 1050, "EUR")
        assert body["next_action"]["kind"] == "approve_on_phone"
        assert "credentials" not in answer.content.decode()
    else:
        assert answer["content-type"] == "application/problem+json"


def test_another_company_staff_gets_404(started):
    _world, payment = started
    other = build_sales_world()

    assert other.client("company_admin").get(f"/api/v1/payments/{payment.id}").status_code == 404


def test_check_asks_the_provider_and_settles_the_payment(started, mtn_momo_emulator):
    world, payment = started
    mtn_momo_emulator.wait_until(lambda: mtn_momo_emulator.transactions()[0]["status"] == "SUCCESSFUL")

    answer = world.client("passenger").post(f"/api/v1/payments/{payment.id}/check")

    assert answer.status_code == 200
    assert (answer.json()["state"], answer.json()["next_action"]["kind"]) == ("succeeded", "none")
    assert world.client("other_passenger").post(f"/api/v1/payments/{payment.id}/check").status_code == 404


def test_unknown_and_malformed_payment_ids_are_404(started):
    world, _payment = started
    client = world.client("passenger")

    assert client.get(f"/api/v1/payments/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/payments/not-a-uuid").status_code == 404
    assert client.get(f"/api/v1/payments/{2**63}").status_code == 404


@pytest.mark.parametrize("body", [b"", b"\x00\x00\x00", "{\"a\": \"\u0000\"}".encode(), b"\xff\xfe not utf-8",
                                  b"[" * 10_000, b"{}"])
def test_any_callback_body_is_stored_as_it_came_and_changes_nothing(started, body):
    _world, payment = started
    path = f"/api/v1/payments/callbacks/payment/{payment.id}/{'f' * 40}"

    answer = Client().post(path, data=body, content_type="application/json")

    assert answer.status_code == 404
    event = ProviderEvent.objects.get()
    assert (event.outcome, event.secret_ok, event.payment_id) == ("spoofed", False, None)
    assert "\x00" not in event.body


def test_a_callback_too_large_is_refused_and_not_stored(started, settings):
    _world, payment = started
    path = f"/api/v1/payments/callbacks/payment/{payment.id}/{'f' * 40}"

    answer = Client().post(path, data=b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
                           content_type="application/json")

    assert answer.status_code in (400, 413)
    assert ProviderEvent.objects.count() == 0


def test_a_callback_to_an_unknown_purpose_or_with_get_is_refused(started):
    _world, payment = started
    client = Client()

    assert client.post(f"/api/v1/payments/callbacks/other/{payment.id}/x").status_code == 404
    assert client.get(f"/api/v1/payments/callbacks/payment/{payment.id}/x").status_code == 405
    assert ProviderEvent.objects.count() == 0


@pytest.mark.parametrize("who, seen", [("passenger", 1), ("dispatcher", 1), ("company_admin", 1),
                                       ("other_passenger", 0), ("agent", 0)])
def test_a_subjects_payments_are_listed_for_their_payer_and_the_payment_staff(started, who, seen):
    world, payment = started

    listed = api.payments_of(principal=world.principal(who), subject=payment.subject, company_id=world.company_id)

    assert [p.id for p in listed] == [payment.id] * seen
