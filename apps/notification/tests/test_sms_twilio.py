"""Twilio's client against its emulator: the message taken with its status callback URL, a Messaging Service as
the sender, every error code as a permanent or transient failure, refused credentials, timeouts."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from apps.notification.emulators import accounts
from apps.notification.sms.backends import SmsAccepted, SmsFailure
from apps.notification.sms.registry import backend_build, sms_backend_for
from transport.emulators.serving import EmulatorServer
from transport.testing.network import free_port

NUMBER = "+254711000002"
FROM = "+15005550006"
SERVICE = "MG" + "4a" * 16
TEXT = "Your bus to Kisumu leaves at 07:45 from bay 3."
REPORT_URL = f"http://127.0.0.1:{free_port()}/api/v1/notifications/reports/twilio"  # nobody listens


@pytest.fixture
def on_twilio(sms_platform):
    sms_platform.SMS_BACKEND = "twilio"
    sms_platform.SMS_SENDER_ID = FROM
    return sms_platform


def _send(to: str = NUMBER, sender_id: str | None = None, report_url: str = REPORT_URL) -> SmsAccepted:
    backend, default_sender = sms_backend_for(company_id=None)
    return backend.send(to=to, text=TEXT, sender_id=default_sender if sender_id is None else sender_id,
                        report_url=report_url)


def _failure(**kwargs) -> SmsFailure:
    with pytest.raises(SmsFailure) as caught:
        _send(**kwargs)
    return caught.value


def test_a_message_is_taken_queued_with_its_status_callback(on_twilio, twilio):
    accepted = _send()

    [message] = twilio.messages()
    assert accepted == SmsAccepted(message_id=message["message_id"], status="queued", cost="")
    assert accepted.message_id.startswith("SM") and len(accepted.message_id) == 34
    assert (message["account"], message["to"], message["from"], message["text"]) == (
        accounts.TWILIO_ACCOUNT_SID, NUMBER, FROM, TEXT)
    reports = [dict(parse_qsl(report["body"])) for report in twilio.reports()]
    assert [(report["MessageSid"], report["MessageStatus"]) for report in reports] == [
        (accepted.message_id, "sent"), (accepted.message_id, "delivered")]
    assert {report["url"] for report in twilio.reports()} == {REPORT_URL}


def test_a_messaging_service_sid_is_sent_as_such_and_accepted(on_twilio, twilio):
    accepted = _send(sender_id=SERVICE)

    assert accepted.status == "accepted"
    assert [message["from"] for message in twilio.messages()] == [SERVICE]


def test_without_a_report_url_no_status_callback_is_asked_for(on_twilio, twilio):
    _send(report_url="")

    assert twilio.reports() == []


@pytest.mark.parametrize("code, permanent", [
    (21211, True), (21610, True), (21212, True), (21606, True), (21408, True), (21614, True), (21612, True),
    (20429, False), (20003, False),
])
def test_every_error_code_is_a_failure_permanent_or_not(on_twilio, twilio, code, permanent):
    twilio.script(NUMBER, "code", code=code)

    failure = _failure()

    assert (failure.code, failure.permanent) == (str(code), permanent)


def test_an_invalid_number_is_permanent_with_twilios_message(on_twilio, twilio):
    twilio.script(NUMBER, "invalid")

    failure = _failure()

    assert (failure.code, failure.permanent) == ("21211", True)
    assert failure.reason == f"The 'To' number {NUMBER} is not a valid phone number."


def test_a_number_not_in_e164_is_invalid(on_twilio, twilio):
    assert _failure(to="0711000002").code == "21211"


def test_a_blacklisted_recipient_is_permanent(on_twilio, twilio):
    failure = _failure(to="+254700000406")

    assert (failure.code, failure.reason, failure.permanent) == (
        "21610", "Attempt to send to unsubscribed recipient", True)


def test_a_sender_twilio_cannot_use_is_permanent(on_twilio, twilio):
    assert (_failure(sender_id="+1-not-a-number").code, _failure(sender_id="").code) == ("21212", "21603")
    assert _failure(sender_id="+1-not-a-number").permanent


@pytest.mark.parametrize("status, code", [(429, "20429"), (500, "20500"), (503, "20503")])
def test_too_many_requests_and_server_errors_are_transient(on_twilio, twilio, status, code):
    twilio.script(NUMBER, "http_error", status=status)

    failure = _failure()

    assert (failure.code, failure.permanent) == (code, False)


def test_a_wrong_auth_token_is_refused_and_retried_later(on_twilio, twilio):
    on_twilio.TWILIO_AUTH_TOKEN = "not-the-token"

    failure = _failure()

    assert (failure.code, failure.reason, failure.permanent) == ("20003", "Authenticate", False)
    assert twilio.messages() == []


def test_a_slow_answer_is_a_timeout(on_twilio, twilio):
    on_twilio.SMS_TIMEOUT_SECONDS = 0.3
    twilio.script(NUMBER, "deliver", answer_delay=3)

    failure = _failure()

    assert (failure.code, failure.permanent) == ("timeout", False)
    assert [message["status"] for message in twilio.messages()] == ["accepted"]


def test_twilio_unreachable_is_a_transient_connection_failure(on_twilio):
    on_twilio.TWILIO_BASE_URL = f"http://127.0.0.1:{free_port()}"

    assert (_failure().code, _failure().permanent) == ("connection", False)


@pytest.mark.parametrize("body, status, code, permanent", [
    (b"not json", 201, "malformed", False),
    (b'{"status": "queued"}', 201, "malformed", False),
    (b"Bad Gateway", 502, "http_502", False),
    (b"Not Found", 404, "http_404", True),
])
def test_answers_without_twilios_shape(body, status, code, permanent):
    async def answer(request):
        return Response(body, status_code=status, media_type="application/json")

    app = Starlette(routes=[Route("/2010-04-01/Accounts/{sid}/Messages.json", answer, methods=["POST"])])
    with EmulatorServer(app) as server:
        backend = backend_build(name="twilio", values={"account_sid": "AC1", "auth_token": "t"}, company_id=None)
        backend.base_url = server.base_url
        with pytest.raises(SmsFailure) as caught:
            backend.send(to=NUMBER, text=TEXT, sender_id=FROM, report_url="")

    assert (caught.value.code, caught.value.permanent) == (code, permanent)
