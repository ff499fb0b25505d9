"""Africa's Talking's client against its emulator: what is accepted, every statusCode as a permanent or transient
failure, refused credentials, timeouts, an unreachable or garbled gateway."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from apps.notification.emulators import accounts
from apps.notification.sms.backends import SmsAccepted, SmsFailure
from apps.notification.sms.registry import backend_build, sms_backend_for
from transport.emulators.serving import EmulatorServer
from transport.testing.network import free_port

NUMBER = "+254711000001"
TICKET = "Ticket T-4821 seat 12A Nairobi-Mombasa Fri 08:30. Show the QR at boarding: https://t.example/a1"


def _send(to: str = NUMBER, text: str = TICKET, sender_id: str | None = None) -> SmsAccepted:
    backend, default_sender = sms_backend_for(company_id=None)
    return backend.send(to=to, text=text, sender_id=default_sender if sender_id is None else sender_id,
                        report_url="")


def _failure(**kwargs) -> SmsFailure:
    with pytest.raises(SmsFailure) as caught:
        _send(**kwargs)
    return caught.value


def test_a_message_is_taken_with_its_id_status_and_cost(sms_platform, africastalking):
    accepted = _send()

    [message] = africastalking.messages()
    assert accepted == SmsAccepted(message_id=message["message_id"], status="Success", cost="KES 0.8000")
    assert accepted.message_id.startswith("ATXid_")
    assert (message["account"], message["to"], message["from"], message["text"], message["status"]) == (
        accounts.AFRICASTALKING_USERNAME, NUMBER, "BUSCO", TICKET, "accepted")


def test_a_blank_sender_id_sends_without_one(sms_platform, africastalking):
    _send(sender_id="")

    assert [message["from"] for message in africastalking.messages()] == [""]


def test_a_two_segment_message_costs_two_segments(sms_platform, africastalking):
    accepted = _send(text="x" * 161)

    assert accepted.cost == "KES 1.6000"
    assert [message["segments"] for message in africastalking.messages()] == [2]


@pytest.mark.parametrize("code", [100, 102])
def test_processed_and_queued_are_taken(sms_platform, africastalking, code):
    africastalking.script(NUMBER, "code", code=code)

    accepted = _send()

    assert accepted.status == {100: "Processed", 102: "Queued"}[code]
    assert accepted.message_id.startswith("ATXid_")


@pytest.mark.parametrize("code, status, permanent", [
    (401, "RiskHold", False),
    (402, "InvalidSenderId", True),
    (403, "InvalidPhoneNumber", True),
    (404, "UnsupportedNumberType", True),
    (405, "InsufficientBalance", False),
    (406, "UserInBlacklist", True),
    (407, "CouldNotRoute", False),
    (409, "DoNotDisturbRejection", True),
    (500, "InternalServerError", False),
    (501, "GatewayError", False),
    (502, "RejectedByGateway", False),
])
def test_every_refusal_code_is_a_failure_permanent_or_not(sms_platform, africastalking, code, status, permanent):
    africastalking.script(NUMBER, "code", code=code)

    failure = _failure()

    assert (failure.code, failure.reason, failure.permanent) == (str(code), status, permanent)
    assert [(message["status"], message["code"]) for message in africastalking.messages()] == [
        ("refused", str(code))]


def test_an_unknown_refusal_code_is_retried(sms_platform, africastalking):
    africastalking.script(NUMBER, "code", code=499)

    failure = _failure()

    assert (failure.code, failure.permanent) == ("499", False)


def test_an_invalid_number_is_permanent(sms_platform, africastalking):
    africastalking.script(NUMBER, "invalid")

    failure = _failure()

    assert (failure.code, failure.reason, failure.permanent) == ("403", "InvalidPhoneNumber", True)


def test_a_number_not_in_e164_is_refused_as_invalid(sms_platform, africastalking):
    failure = _failure(to="0711000001")

    assert (failure.code, failure.permanent) == ("403", True)


def test_a_blacklisted_number_is_permanent(sms_platform, africastalking):
    failure = _failure(to="+254700000406")  # the sandbox's blacklisted number

    assert (failure.code, failure.reason, failure.permanent) == ("406", "UserInBlacklist", True)


def test_a_sender_id_the_account_cannot_use_is_permanent(sms_platform, africastalking):
    failure = _failure(sender_id="Far-Too-Long-Sender")

    assert (failure.code, failure.reason, failure.permanent) == ("402", "InvalidSenderId", True)
    assert africastalking.messages() == []


def test_a_wrong_api_key_is_refused_and_retried_later(sms_platform, africastalking):
    sms_platform.AFRICASTALKING_API_KEY = "not-the-key"

    failure = _failure()

    assert (failure.code, failure.permanent) == ("http_401", False)
    assert "username or API key" in failure.reason
    assert africastalking.messages() == []


def test_an_unknown_username_is_refused_like_a_wrong_key(sms_platform, africastalking):
    sms_platform.AFRICASTALKING_USERNAME = "someone-else"

    assert _failure().code == "http_401"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_http_error_is_transient(sms_platform, africastalking, status):
    africastalking.script(NUMBER, "http_error", status=status)

    failure = _failure()

    assert (failure.code, failure.permanent) == (f"http_{status}", False)


def test_a_gateway_error_once_then_the_same_message_is_taken(sms_platform, africastalking):
    africastalking.script(NUMBER, "http_error", status=500, times=1)

    assert _failure().permanent is False
    accepted = _send()

    assert [message["status"] for message in africastalking.messages()] == ["http_error", "accepted"]
    assert accepted.message_id == africastalking.messages()[1]["message_id"]


def test_a_slow_answer_is_a_timeout_though_the_gateway_took_the_message(sms_platform, africastalking):
    sms_platform.SMS_TIMEOUT_SECONDS = 0.3
    africastalking.script(NUMBER, "deliver", answer_delay=3)

    failure = _failure()

    assert (failure.code, failure.permanent) == ("timeout", False)
    assert "may have been sent" in failure.reason
    assert [message["status"] for message in africastalking.messages()] == ["accepted"]


def test_a_gateway_nobody_answers_at_is_a_transient_connection_failure(sms_platform):
    sms_platform.AFRICASTALKING_BASE_URL = f"http://127.0.0.1:{free_port()}"

    failure = _failure()

    assert (failure.code, failure.permanent) == ("connection", False)


@pytest.mark.parametrize("body, status", [(b"<html>oops</html>", 201), (b'{"SMSMessageData": {}}', 201),
                                          (b'{"SMSMessageData": {"Recipients": [{"number": "+1"}]}}', 201)])
def test_an_answer_we_cannot_read_is_transient(body, status):
    async def garbled(request):
        return Response(body, status_code=status, media_type="application/json")

    app = Starlette(routes=[Route("/version1/messaging", garbled, methods=["POST"])])
    with EmulatorServer(app) as server:
        backend = backend_build(name="africastalking", values={"username": "u", "api_key": "k"}, company_id=None)
        backend.base_url = server.base_url
        with pytest.raises(SmsFailure) as caught:
            backend.send(to=NUMBER, text=TICKET, sender_id="", report_url="")

    assert (caught.value.code, caught.value.permanent) == ("malformed", False)


def test_another_client_error_is_permanent():
    async def refusing(request):
        return Response("Invalid request", status_code=400, media_type="text/plain")

    app = Starlette(routes=[Route("/version1/messaging", refusing, methods=["POST"])])
    with EmulatorServer(app) as server:
        backend = backend_build(name="africastalking", values={"username": "u", "api_key": "k"}, company_id=None)
        backend.base_url = server.base_url
        with pytest.raises(SmsFailure) as caught:
            backend.send(to=NUMBER, text=TICKET, sender_id="", report_url="")

    assert (caught.value.code, caught.value.reason, caught.value.permanent) == ("http_400", "Invalid request", True)
