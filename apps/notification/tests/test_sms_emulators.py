"""The SMS gateway emulators' wire formats and control: what the real gateways answer (content types, error
bodies, reports) and the scripts, inbox and resets tests and the demo rely on."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest

from apps.notification.emulators import accounts
from apps.notification.emulators.twilio import signature
from apps.notification.sms.twilio_signature import twilio_signature_ok
from transport.testing.network import free_port

NUMBER = "+254711000003"
AT_HEADERS = {"apiKey": accounts.AFRICASTALKING_API_KEY, "Accept": "application/json"}
TWILIO_AUTH = (accounts.TWILIO_ACCOUNT_SID, accounts.TWILIO_AUTH_TOKEN)
TWILIO_MESSAGES = f"/2010-04-01/Accounts/{accounts.TWILIO_ACCOUNT_SID}/Messages.json"


def _at_send(emulator, to: str = NUMBER, headers: dict[str, str] | None = None, **form: str) -> httpx.Response:
    return httpx.post(f"{emulator.base_url}/version1/messaging", headers=AT_HEADERS if headers is None else headers,
                      data={"username": accounts.AFRICASTALKING_USERNAME, "to": to, "message": "Hello", **form})


def _twilio_send(emulator, to: str = NUMBER, auth=TWILIO_AUTH, **form: str) -> httpx.Response:
    return httpx.post(emulator.base_url + TWILIO_MESSAGES, auth=auth,
                      data={"To": to, "From": "+15005550006", "Body": "Hello", **form})


def _forms(emulator) -> list[dict[str, str]]:
    return [dict(parse_qsl(report["body"])) for report in emulator.reports()]


def test_africastalking_answers_201_json_with_exactly_its_content_type(africastalking):
    response = _at_send(africastalking)

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    data = response.json()["SMSMessageData"]
    assert data["Message"] == "Sent to 1/1 Total Cost: KES 0.8000"
    [recipient] = data["Recipients"]
    assert {name: recipient[name] for name in ("statusCode", "number", "status", "cost")} == {
        "statusCode": 101, "number": NUMBER, "status": "Success", "cost": "KES 0.8000"}


def test_africastalking_answers_xml_unless_json_is_accepted(africastalking):
    response = _at_send(africastalking, headers={"apiKey": accounts.AFRICASTALKING_API_KEY})

    assert (response.status_code, response.headers["content-type"]) == (201, "application/xml")
    assert "<statusCode>101</statusCode>" in response.text


def test_africastalking_refuses_a_wrong_key_in_plain_text(africastalking):
    response = _at_send(africastalking, headers={"apiKey": "wrong", "Accept": "application/json"})

    assert (response.status_code, response.text) == (401, "The supplied authentication is invalid")
    assert response.headers["content-type"].startswith("text/plain")


def test_africastalking_answers_each_of_several_numbers(africastalking):
    africastalking.script("+254711000004", "blacklisted")

    response = _at_send(africastalking, to=f"{NUMBER},+254711000004")

    data = response.json()["SMSMessageData"]
    assert data["Message"] == "Sent to 1/2 Total Cost: KES 0.8000"
    assert [(row["number"], row["statusCode"], row["messageId"] == "None") for row in data["Recipients"]] == [
        (NUMBER, 101, False), ("+254711000004", 406, True)]


def test_africastalking_reports_sent_then_the_final_word_as_unsigned_forms(africastalking):
    africastalking.script("+254711000005", "fail")
    delivered = _at_send(africastalking).json()["SMSMessageData"]["Recipients"][0]["messageId"]
    failed = _at_send(africastalking, to="+254711000005").json()["SMSMessageData"]["Recipients"][0]["messageId"]

    reports = sorted(_forms(africastalking), key=lambda form: (form["id"] != delivered, form["status"] != "Sent"))

    assert reports == [
        {"id": delivered, "status": "Sent", "phoneNumber": NUMBER, "networkCode": "63902", "retryCount": "0"},
        {"id": delivered, "status": "Success", "phoneNumber": NUMBER, "networkCode": "63902", "retryCount": "0"},
        {"id": failed, "status": "Sent", "phoneNumber": "+254711000005", "networkCode": "63902", "retryCount": "0"},
        {"id": failed, "status": "Failed", "phoneNumber": "+254711000005", "networkCode": "63902",
         "retryCount": "0", "failureReason": "DeliveryFailure"}]
    assert {report["headers"]["content-type"] for report in africastalking.reports()} == {
        "application/x-www-form-urlencoded"}


def test_africastalking_posts_reports_to_the_url_set_for_the_account(africastalking):
    url = f"http://127.0.0.1:{free_port()}/reports"  # nobody listens: the attempt is recorded
    africastalking.set_report_url(url)

    _at_send(africastalking)

    assert {report["url"] for report in africastalking.reports()} == {url}


def test_twilio_errors_are_its_json(twilio):
    response = _twilio_send(twilio, to="+254700000403")

    assert response.status_code == 400
    assert response.json() == {"code": 21211, "message": "The 'To' number +254700000403 is not a valid phone number.",
                               "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}


def test_twilio_refuses_wrong_credentials_and_another_accounts_path(twilio):
    wrong = _twilio_send(twilio, auth=(accounts.TWILIO_ACCOUNT_SID, "wrong"))
    twilio.add_account("AC" + "1f" * 16, "other-token")
    other = _twilio_send(twilio, auth=("AC" + "1f" * 16, "other-token"))

    assert (wrong.status_code, wrong.json()["code"]) == (401, 20003)
    assert (other.status_code, other.json()["code"]) == (404, 20404)


def test_twilio_status_callbacks_are_signed_as_twilio_signs_them(twilio):
    url = f"http://127.0.0.1:{free_port()}/api/v1/notifications/reports/twilio?x=1"
    sid = _twilio_send(twilio, StatusCallback=url).json()["sid"]

    reports = twilio.reports()

    assert [form["MessageStatus"] for form in _forms(twilio)] == ["sent", "delivered"]
    for report, form in zip(reports, _forms(twilio), strict=True):
        assert form["MessageSid"] == form["SmsSid"] == sid
        assert (form["AccountSid"], form["To"], form["ApiVersion"]) == (accounts.TWILIO_ACCOUNT_SID, NUMBER,
                                                                       "2010-04-01")
        # the platform's verifier, written apart from the emulator's signer, accepts it
        assert twilio_signature_ok(auth_tokens=[accounts.TWILIO_AUTH_TOKEN], urls=[url],
                                   params={name: [value] for name, value in form.items()},
                                   signature=report["headers"]["x-twilio-signature"])


def test_twilio_undelivered_callbacks_carry_the_error_code(twilio):
    twilio.script(NUMBER, "fail")

    _twilio_send(twilio, StatusCallback=f"http://127.0.0.1:{free_port()}/r")

    assert [(form["MessageStatus"], form.get("ErrorCode")) for form in _forms(twilio)] == [
        ("sent", None), ("undelivered", "30003")]


def test_the_emulators_signer_matches_twilios_documented_example():
    # twilio-python's test vector: auth token "12345", this URL and these parameters
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234", "From": "+14158675309",
              "To": "+18005551212"}

    assert signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_script_applies_to_its_number_so_many_times_then_the_number_is_delivered(africastalking):
    africastalking.script(NUMBER, "http_error", status=503, times=2)

    statuses = [_at_send(africastalking).status_code for _ in range(3)]

    assert statuses == [503, 503, 201]
    assert [message["status"] for message in africastalking.messages(to=NUMBER)] == [
        "http_error", "http_error", "accepted"]


def test_a_script_of_every_time_stays(twilio):
    twilio.script(NUMBER, "invalid", times=0)

    assert [_twilio_send(twilio).status_code for _ in range(3)] == [400, 400, 400]


def test_the_sandbox_gateway_error_number_fails_once_after_each_reset(africastalking):
    first, second = (_at_send(africastalking, to="+254700000500").status_code for _ in range(2))
    africastalking.reset()
    again = _at_send(africastalking, to="+254700000500").status_code

    assert (first, second, again) == (500, 201, 500)


def test_the_inbox_is_filtered_by_number_and_emptied_by_a_reset(africastalking):
    _at_send(africastalking)
    _at_send(africastalking, to="+254711000009")

    assert [message["to"] for message in africastalking.messages(to=NUMBER)] == [NUMBER]
    africastalking.reset()
    assert africastalking.messages() == []


@pytest.mark.parametrize("body", [{"number": NUMBER, "outcome": "explode"}, {"outcome": "deliver"},
                                  {"number": NUMBER, "outcome": "code"}])
def test_a_bad_script_is_refused(africastalking, body):
    response = httpx.post(f"{africastalking.base_url}/_emu/script", json=body)

    assert response.status_code == 400
