"""The emulator speaks Daraja's documented wire format: checked with plain HTTP, without our client."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest

from apps.payment.emulators import mpesa_state
from apps.payment.tests.mpesa.helpers import TEST_PHONE, charge, mpesa

STAMP = "20260101120000"
PASSWORD = base64.b64encode(f"174379{mpesa_state.SANDBOX_PASSKEY}{STAMP}".encode()).decode()


def token(base_url: str) -> str:
    response = httpx.get(f"{base_url}/oauth/v1/generate?grant_type=client_credentials",
                         auth=(mpesa_state.SANDBOX_CONSUMER_KEY, mpesa_state.SANDBOX_CONSUMER_SECRET))
    return str(response.json()["access_token"])


def push_body(**changes: object) -> dict:
    return {"BusinessShortCode": "174379", "Password": PASSWORD, "Timestamp": STAMP,
            "TransactionType": "CustomerPayBillOnline", "Amount": 1, "PartyA": TEST_PHONE, "PartyB": "174379",
            "PhoneNumber": TEST_PHONE, "CallBackURL": "https://example.com/cb", "AccountReference": "BK-1",
            "TransactionDesc": "Ticket", **changes}


def test_the_token_answer_has_its_expiry_as_a_string(mpesa_emulator):
    response = httpx.get(f"{mpesa_emulator.base_url}/oauth/v1/generate?grant_type=client_credentials",
                         auth=(mpesa_state.SANDBOX_CONSUMER_KEY, mpesa_state.SANDBOX_CONSUMER_SECRET))

    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "expires_in"}
    assert response.json()["expires_in"] == "3599"


@pytest.mark.parametrize("auth", [("someone", mpesa_state.SANDBOX_CONSUMER_SECRET), None])
def test_bad_consumer_credentials_get_400_with_an_empty_body(mpesa_emulator, auth):
    response = httpx.get(f"{mpesa_emulator.base_url}/oauth/v1/generate?grant_type=client_credentials", auth=auth)

    assert (response.status_code, response.content) == (400, b"")


def test_an_expired_token_gets_the_invalid_access_token_body(mpesa_emulator):
    bearer = token(mpesa_emulator.base_url)
    mpesa_emulator.expire_tokens()

    response = httpx.post(f"{mpesa_emulator.base_url}/mpesa/stkpush/v1/processrequest", json=push_body(),
                          headers={"Authorization": f"Bearer {bearer}"})

    assert response.status_code == 404
    body = response.json()
    assert (set(body), body["errorCode"], body["errorMessage"]) == (
        {"requestId", "errorCode", "errorMessage"}, "404.001.03", "Invalid Access Token")
    assert mpesa_emulator.transactions() == []


def test_an_accepted_push_answers_as_documented(mpesa_emulator):
    response = httpx.post(f"{mpesa_emulator.base_url}/mpesa/stkpush/v1/processrequest", json=push_body(),
                          headers={"Authorization": f"Bearer {token(mpesa_emulator.base_url)}"})

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"MerchantRequestID", "CheckoutRequestID", "ResponseCode", "ResponseDescription",
                         "CustomerMessage"}
    assert body["ResponseCode"] == "0"


@pytest.mark.parametrize(("changes", "status", "code", "message"), [
    ({"PhoneNumber": "254808374149"}, 400, "400.002.02", "Bad Request - Invalid PhoneNumber"),
    ({"Amount": 1.5}, 400, "400.002.02", "Bad Request - Invalid Amount"),
    ({"Amount": 0}, 400, "400.002.02", "Bad Request - Invalid Amount"),
    ({"Timestamp": "2026-01-01"}, 400, "400.002.02", "Bad Request - Invalid Timestamp"),
    ({"TransactionType": "Other"}, 400, "400.002.02", "Bad Request - Invalid TransactionType"),
    ({"BusinessShortCode": "600000"}, 400, "400.002.02", "Bad Request - Invalid BusinessShortCode"),
    ({"Timestamp": "20260101120001"}, 500, "500.001.1001", "Wrong credentials"),
])
def test_a_push_with_a_bad_field_gets_daraja_s_error_body(mpesa_emulator, changes, status, code, message):
    response = httpx.post(f"{mpesa_emulator.base_url}/mpesa/stkpush/v1/processrequest", json=push_body(**changes),
                          headers={"Authorization": f"Bearer {token(mpesa_emulator.base_url)}"})

    assert response.status_code == status
    assert (response.json()["errorCode"], response.json()["errorMessage"]) == (code, message)
    assert mpesa_emulator.transactions() == []


def test_receipts_are_ten_upper_case_alphanumerics_and_never_repeat(mpesa_emulator, receiver):
    mpesa_emulator.script(TEST_PHONE, "success", delay=0, times=20)
    account = mpesa_emulator.account()
    for _ in range(20):
        mpesa.initiate(account, charge(receiver.url("cb/many"), payment_id=uuid.uuid4()))

    receipts = mpesa_emulator.wait_until(
        lambda: len(r := [t["receipt"] for t in mpesa_emulator.transactions() if t["receipt"]]) == 20 and r)

    assert len(set(receipts)) == 20
    assert all(len(r) == 10 and r.isalnum() and r == r.upper() for r in receipts)
