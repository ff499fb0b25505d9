"""Delivery reports: Africa's Talking's (a secret in the URL) and Twilio's (a signature) move a sent message to
delivered or failed, never back; spoofed, unknown and malformed reports change nothing."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.notification.emulators.twilio import signature
from apps.notification.models import Delivery, DeliveryLogEntry
from apps.notification.sms import report_urls
from apps.notification.sms.accounts import sms_account_save
from apps.notification.sms.reports import sms_report_apply

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
NUMBER = "+254711000020"
PUBLIC = "https://buses.example.org"
TWILIO_PATH = "/api/v1/notifications/reports/twilio"
PLATFORM_TOKEN = "platform-twilio-token-0001"
COMPANY_TOKEN = "company-twilio-token-0002"
SENT, DELIVERED, FAILED = Delivery.Status.SENT, Delivery.Status.DELIVERED, Delivery.Status.FAILED


@pytest.fixture(autouse=True)
def _public_origin(settings):
    settings.NOTIFICATION_REPORT_BASE_URL = PUBLIC
    settings.TWILIO_AUTH_TOKEN = PLATFORM_TOKEN


def _delivery(*, backend: str = "africastalking", status: str = SENT, company_id: uuid.UUID | None = None,
              message_id: str = "") -> Delivery:
    return Delivery.objects.create(
        event_id=uuid.uuid4(), event_type="ticket_confirmed", channel="sms", recipient=NUMBER, company_id=company_id,
        language="en", body="Ticket T-1 seat 3", status=status, backend=backend, sent_at=timezone.now(),
        provider_message_id=message_id or (f"ATXid_{uuid.uuid4().hex}" if backend == "africastalking"
                                           else f"SM{uuid.uuid4().hex}"))


def _state(delivery: Delivery) -> tuple[str, str, list[tuple[str, str, str]]]:
    delivery.refresh_from_db()
    return delivery.status, delivery.status_reason, list(delivery.log.values_list("kind", "status", "code"))


def _at_path(company_id: uuid.UUID | None = None, secret: str | None = None) -> str:
    secret = report_urls.africastalking_secret(company_id=company_id) if secret is None else secret
    if company_id is None:
        return reverse("v1:notification-report-africastalking", kwargs={"secret": secret})
    return reverse("v1:notification-report-africastalking-company", kwargs={"company_id": company_id,
                                                                            "secret": secret})


def _at_report(client, delivery: Delivery, status: str, *, path: str | None = None, **extra: str):
    form = {"id": delivery.provider_message_id, "status": status, "phoneNumber": NUMBER, "networkCode": "63902",
            "retryCount": "0", **extra}
    return client.post(path or _at_path(), urlencode(form), content_type=FORM)


def _twilio_form(delivery: Delivery, status: str, **extra: str) -> dict[str, str]:
    return {"AccountSid": "AC" + "0e" * 16, "ApiVersion": "2010-04-01", "From": "+15005550006",
            "MessageSid": delivery.provider_message_id, "MessageStatus": status, "SmsSid": delivery.provider_message_id,
            "SmsStatus": status, "To": NUMBER, **extra}


def _twilio_report(client, form: dict[str, str], *, token: str = PLATFORM_TOKEN, url: str = PUBLIC + TWILIO_PATH,
                   signed: dict[str, str] | None = None, header: str | None = None):
    headers = {} if header == "" else {
        "HTTP_X_TWILIO_SIGNATURE": header or signature(token, url, form if signed is None else signed)}
    return client.post(TWILIO_PATH, urlencode(form), content_type=FORM, **headers)


# --- Africa's Talking ------------------------------------------------------------------------------------------


def test_success_moves_a_sent_message_to_delivered_and_logs_the_report(client):
    delivery = _delivery()

    response = _at_report(client, delivery, "Success")

    assert (response.status_code, response.content) == (200, b"")
    assert _state(delivery) == (DELIVERED, "", [("report", "Success", "")])
    assert delivery.delivered_at is not None
    detail = json.loads(delivery.log.get().detail)
    assert (detail["id"], detail["networkCode"]) == (delivery.provider_message_id, "63902")


@pytest.mark.parametrize("status", ["Failed", "Rejected"])
def test_failed_or_rejected_moves_it_to_failed_with_the_reason(client, status):
    delivery = _delivery()

    _at_report(client, delivery, status, failureReason="UserInBlacklist")

    assert _state(delivery) == (FAILED, "UserInBlacklist", [("report", status, "UserInBlacklist")])
    assert delivery.delivered_at is None


@pytest.mark.parametrize("status", ["Sent", "Submitted", "Buffered", "SomethingNew"])
def test_a_report_on_the_way_changes_nothing_but_the_log(client, status):
    delivery = _delivery()

    response = _at_report(client, delivery, status)

    assert response.status_code == 200
    assert _state(delivery) == (SENT, "", [("report", status, "")])


@pytest.mark.parametrize("first, late, final", [("Success", "Sent", DELIVERED), ("Success", "Failed", DELIVERED),
                                                ("Failed", "Success", FAILED), ("Success", "Buffered", DELIVERED)])
def test_a_late_report_never_moves_a_final_status(client, first, late, final):
    delivery = _delivery()
    _at_report(client, delivery, first)
    delivered_at = Delivery.objects.get(pk=delivery.pk).delivered_at

    _at_report(client, delivery, late)

    status, _, log = _state(delivery)
    assert (status, delivery.delivered_at) == (final, delivered_at)
    assert [entry[1] for entry in log] == [first, late]


@pytest.mark.parametrize("path", [_at_path(secret="0" * 40), _at_path(secret="wrong"), _at_path(secret="é\u00a8"),
                                  _at_path(uuid.uuid4(), secret="\U00081059"),
                                  "/api/v1/notifications/reports/africastalking/"])
def test_a_wrong_secret_is_404_and_changes_nothing(client, path):
    delivery = _delivery()

    response = _at_report(client, delivery, "Failed", path=path)

    assert response.status_code == 404
    assert _state(delivery) == (SENT, "", [])


def test_a_wrong_secret_is_404_even_with_a_malformed_body(client):
    response = client.post(_at_path(secret="wrong"), "status=", content_type=FORM)

    assert (response.status_code, response["content-type"], response.json()["code"]) == (
        404, "application/problem+json", "not_found")


def test_another_accounts_secret_under_a_companys_path_is_404(client):
    company, other = uuid.uuid4(), uuid.uuid4()
    delivery = _delivery(company_id=company)

    responses = [_at_report(client, delivery, "Success", path=_at_path(company, secret=secret)).status_code
                 for secret in (report_urls.africastalking_secret(company_id=None),
                                report_urls.africastalking_secret(company_id=other))]

    assert responses == [404, 404]
    assert _state(delivery) == (SENT, "", [])


def test_a_companys_url_reports_on_its_own_messages_only(client):
    company, other = uuid.uuid4(), uuid.uuid4()
    own, foreign, platforms = _delivery(company_id=company), _delivery(company_id=other), _delivery()

    answers = [_at_report(client, delivery, "Success", path=_at_path(company)).status_code
               for delivery in (own, foreign, platforms)]

    assert answers == [200, 200, 200]
    assert [_state(delivery)[0] for delivery in (own, foreign, platforms)] == [DELIVERED, SENT, SENT]
    assert DeliveryLogEntry.objects.filter(delivery__in=[foreign, platforms]).count() == 0


def test_a_report_on_an_unknown_message_is_answered_and_changes_nothing(client):
    delivery = _delivery()

    response = client.post(_at_path(), urlencode({"id": "ATXid_unknown", "status": "Failed"}), content_type=FORM)

    assert response.status_code == 200
    assert _state(delivery) == (SENT, "", [])
    assert DeliveryLogEntry.objects.count() == 0


def test_a_report_names_a_message_of_its_own_gateway_only(client):
    delivery = _delivery(backend="twilio")

    _at_report(client, delivery, "Failed")

    assert _state(delivery) == (SENT, "", [])


@pytest.mark.parametrize("body, content_type", [("status=Success", FORM), ("id=ATXid_1", FORM),
                                                (f"id={'x' * 121}&status=Success", FORM),
                                                ('{"id": "ATXid_1", "status": "Success"}', "application/json")])
def test_a_malformed_report_is_refused_as_a_problem_and_changes_nothing(client, body, content_type):
    delivery = _delivery(message_id="ATXid_1")

    response = client.post(_at_path(), body, content_type=content_type)

    assert response.status_code in (400, 415)
    assert response["content-type"] == "application/problem+json"
    assert _state(delivery) == (SENT, "", [])


# --- Twilio ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status, final, reason", [("delivered", DELIVERED, ""), ("undelivered", FAILED, "30003"),
                                                   ("failed", FAILED, "30008")])
def test_a_signed_status_callback_moves_the_message(client, status, final, reason):
    delivery = _delivery(backend="twilio")
    form = _twilio_form(delivery, status, **({"ErrorCode": reason} if reason else {}))

    response = _twilio_report(client, form)

    assert (response.status_code, _state(delivery)) == (200, (final, reason, [("report", status, reason)]))


@pytest.mark.parametrize("status", ["queued", "sending", "sent"])
def test_a_callback_on_the_way_changes_nothing_but_the_log(client, status):
    delivery = _delivery(backend="twilio")

    _twilio_report(client, _twilio_form(delivery, status))

    assert _state(delivery) == (SENT, "", [("report", status, "")])


def test_the_signed_url_is_the_public_one_behind_a_proxy_or_else_the_requests_own(client):
    behind_proxy, direct = _delivery(backend="twilio"), _delivery(backend="twilio")

    _twilio_report(client, _twilio_form(behind_proxy, "delivered"), url=PUBLIC + TWILIO_PATH)
    _twilio_report(client, _twilio_form(direct, "delivered"), url="http://testserver" + TWILIO_PATH)

    assert (_state(behind_proxy)[0], _state(direct)[0]) == (DELIVERED, DELIVERED)


def test_a_late_callback_never_moves_a_delivered_message_back(client):
    delivery = _delivery(backend="twilio")
    _twilio_report(client, _twilio_form(delivery, "delivered"))

    _twilio_report(client, _twilio_form(delivery, "sent"))
    _twilio_report(client, _twilio_form(delivery, "undelivered", ErrorCode="30003"))

    assert _state(delivery) == (DELIVERED, "", [("report", "delivered", ""), ("report", "sent", ""),
                                                ("report", "undelivered", "30003")])


@pytest.mark.parametrize("spoof", ["missing", "garbage", "other_params", "other_url", "other_token"])
def test_a_spoofed_callback_is_403_and_changes_nothing(client, spoof):
    delivery = _delivery(backend="twilio")
    form = _twilio_form(delivery, "undelivered", ErrorCode="30003")
    options = {
        "missing": {"header": ""},
        "garbage": {"header": "bm90IGEgc2lnbmF0dXJl"},
        # a real signature, of another callback of the same message
        "other_params": {"signed": _twilio_form(delivery, "delivered")},
        "other_url": {"url": "https://attacker.example" + TWILIO_PATH},
        "other_token": {"token": "someone-elses-token"},
    }[spoof]

    response = _twilio_report(client, form, **options)

    assert (response.status_code, response["content-type"], response.json()["code"]) == (
        403, "application/problem+json", "bad_signature")
    assert _state(delivery) == (SENT, "", [])


def test_a_callback_naming_a_message_with_a_nul_is_refused_like_any_unsigned_one(client):
    response = client.post(TWILIO_PATH, urlencode({"MessageSid": "SM\x00", "MessageStatus": "delivered"}),
                           content_type=FORM, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl")

    assert response.status_code == 403


def test_a_companys_message_is_verified_with_its_own_accounts_token(client, sms_platform):
    company, other = uuid.uuid4(), uuid.uuid4()
    for company_id, token in ((company, COMPANY_TOKEN), (other, "other-company-token")):
        sms_account_save(company_id=company_id, backend="twilio", sender_id="+15005550006",
                         values={"account_sid": "AC" + "5d" * 16, "auth_token": token})
    sms_platform.TWILIO_AUTH_TOKEN = PLATFORM_TOKEN
    own = _delivery(backend="twilio", company_id=company)
    spoofed = _delivery(backend="twilio", company_id=company)

    accepted = _twilio_report(client, _twilio_form(own, "delivered"), token=COMPANY_TOKEN)
    refused = _twilio_report(client, _twilio_form(spoofed, "delivered"), token="other-company-token")

    assert (accepted.status_code, refused.status_code) == (200, 403)
    assert (_state(own)[0], _state(spoofed)[0]) == (DELIVERED, SENT)


def test_a_signed_callback_on_an_unknown_message_changes_nothing(client):
    delivery = _delivery(backend="twilio")
    form = {**_twilio_form(delivery, "failed"), "MessageSid": "SMunknown", "SmsSid": "SMunknown"}

    response = _twilio_report(client, form)

    assert response.status_code == 200
    assert DeliveryLogEntry.objects.count() == 0


def test_without_any_token_configured_every_callback_is_refused(client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    delivery = _delivery(backend="twilio")

    response = _twilio_report(client, _twilio_form(delivery, "delivered"), token="")

    assert response.status_code == 403
    assert _state(delivery) == (SENT, "", [])


def test_a_signed_callback_without_its_status_is_refused_as_malformed(client):
    delivery = _delivery(backend="twilio")
    form = _twilio_form(delivery, "delivered")
    del form["MessageStatus"]

    response = _twilio_report(client, form)

    assert (response.status_code, response.json()["code"]) == (400, "validation_failed")
    assert _state(delivery) == (SENT, "", [])


# --- the service -----------------------------------------------------------------------------------------------


def test_applying_says_whether_the_report_named_a_message_of_ours():
    delivery = _delivery()

    assert sms_report_apply(backend_name="africastalking", message_id=delivery.provider_message_id,
                            gateway_status="Success", reason="", raw={"id": delivery.provider_message_id}) is True
    assert sms_report_apply(backend_name="africastalking", message_id="ATXid_nobody", gateway_status="Success",
                            reason="", raw={}) is False
    assert sms_report_apply(backend_name="africastalking", message_id="", gateway_status="Success", reason="",
                            raw={}) is False
    assert _state(delivery)[0] == DELIVERED


def test_the_report_endpoints_are_documented_as_form_posts(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    documented = {path: operation["post"] for path, operation in paths.items() if "/notifications/reports/" in path}
    assert sorted(documented) == ["/api/v1/notifications/reports/africastalking/{company_id}/{secret}",
                                  "/api/v1/notifications/reports/africastalking/{secret}",
                                  "/api/v1/notifications/reports/twilio"]
    assert {operation["operationId"] for operation in documented.values()} == {
        "notifications_reports_africastalking_platform", "notifications_reports_africastalking_company",
        "notifications_reports_twilio_create"}
    for operation in documented.values():
        assert list(operation["requestBody"]["content"]) == [FORM]
        assert {"200", "400", "404"} <= set(operation["responses"])
    assert "403" in documented["/api/v1/notifications/reports/twilio"]["responses"]
