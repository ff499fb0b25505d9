"""Parsing what Daraja sends, from its documented samples and from bodies that are not Daraja's at all."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from apps.payment.providers.base import CallbackClaim, ClaimKind, MalformedCallback, Outcome
from apps.payment.providers.mpesa_wire import NAIROBI, PaybillClaim
from apps.payment.tests.mpesa.helpers import mpesa

SUCCESS = {"Body": {"stkCallback": {
    "MerchantRequestID": "29115-34620561-1", "CheckoutRequestID": "ws_CO_191220191020363925", "ResultCode": 0,
    "ResultDesc": "The service request is processed successfully.",
    "CallbackMetadata": {"Item": [
        {"Name": "Amount", "Value": 1.0}, {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
        {"Name": "Balance"}, {"Name": "TransactionDate", "Value": 20191219102115},
        {"Name": "PhoneNumber", "Value": 254708374149}]}}}}

REVERSAL_RESULT = {"Result": {
    "ResultType": 0, "ResultCode": 0, "ResultDesc": "The service request is processed successfully.",
    "OriginatorConversationID": "10819-695089-1", "ConversationID": "AG_20170727_00004efadacd98a01d15",
    "TransactionID": "LGR019G3J2",
    "ResultParameters": {"ResultParameter": {"Key": "Amount", "Value": "1500.00"}}}}

CONFIRMATION = {
    "TransactionType": "Pay Bill", "TransID": "RKTQDM7W6S", "TransTime": "20191122063845", "TransAmount": "10.00",
    "BusinessShortCode": "600638", "BillRefNumber": "invoice008", "InvoiceNumber": "", "OrgAccountBalance": "",
    "ThirdPartyTransID": "", "MSISDN": "254708374149", "FirstName": "John", "MiddleName": "K", "LastName": "Doe"}


def encoded(body: object) -> bytes:
    return json.dumps(body).encode()


def test_the_documented_success_callback():
    assert mpesa.callback_claim(encoded(SUCCESS)) == CallbackClaim(
        kind=ClaimKind.PAYMENT, provider_ref="ws_CO_191220191020363925", outcome=Outcome.SUCCEEDED,
        transaction_id="NLJ7RT61SV", amount_minor=100, currency="KES", payer="254708374149")


def test_items_are_found_by_name_in_any_order_and_amounts_kept_exact():
    body = json.loads(json.dumps(SUCCESS))
    items = body["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
    items.reverse()
    items[-1]["Value"] = 1500.00

    assert mpesa.callback_claim(encoded(body)).amount_minor == 150000


def test_a_reversal_result_with_one_parameter_as_an_object():
    assert mpesa.callback_claim(encoded(REVERSAL_RESULT)) == CallbackClaim(
        kind=ClaimKind.REFUND, provider_ref="10819-695089-1", outcome=Outcome.SUCCEEDED, transaction_id="LGR019G3J2",
        amount_minor=150000, currency="KES")


def test_a_paybill_confirmation_with_cents_written_out():
    assert mpesa.paybill_claim(encoded(CONFIRMATION)) == PaybillClaim(
        transaction_id="RKTQDM7W6S", amount_minor=1000, shortcode="600638", account_reference="invoice008",
        msisdn="254708374149", payer_name="John K Doe", transacted_at=datetime(2019, 11, 22, 6, 38, 45,
                                                                               tzinfo=NAIROBI))


def _stk(**callback: object) -> dict:
    return {"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": 1032, **callback}}}


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[]", b'"text"', encoded({}), encoded({"Body": {}}), encoded({"Body": {"stkCallback": []}}),
    encoded(_stk(CheckoutRequestID="")), encoded(_stk(CheckoutRequestID=None)), encoded(_stk(ResultCode="1032")),
    encoded(_stk(ResultCode=True)), encoded(_stk(ResultCode=0)),
    encoded(_stk(ResultCode=0, CallbackMetadata={"Item": [{"Name": "Amount", "Value": 1.5}]})),
    encoded(_stk(ResultCode=0, CallbackMetadata={"Item": [{"Name": "Amount", "Value": 1.005},
                                                          {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"}]})),
    encoded(_stk(ResultCode=0, CallbackMetadata={"Item": [{"Value": 1}]})),
    encoded({"Result": "x"}), encoded({"Result": {"ResultCode": 0}}),
    encoded({"Result": {"OriginatorConversationID": "1-2-3"}}),
    encoded({"Result": {"OriginatorConversationID": "1-2-3", "ResultCode": 0,
                        "ResultParameters": {"ResultParameter": "Amount"}}}),
    encoded({"Result": {"OriginatorConversationID": "1-2-3", "ResultCode": 0,
                        "ResultParameters": {"ResultParameter": [{"Key": "TransactionStatus",
                                                                  "Value": "Completed"}]}}}),
])
def test_bodies_that_are_no_claim_are_malformed(body):
    with pytest.raises(MalformedCallback):
        mpesa.callback_claim(body)


@pytest.mark.parametrize("changes", [
    {"TransID": ""}, {"TransAmount": "ten"}, {"TransAmount": "10.001"}, {"TransTime": "22/11/2019"},
    {"BusinessShortCode": None}, {"TransAmount": None},
])
def test_paybill_bodies_without_what_a_payment_needs_are_malformed(changes):
    with pytest.raises(MalformedCallback):
        mpesa.paybill_claim(encoded({**CONFIRMATION, **changes}))


def test_a_transaction_status_result_that_is_no_result_is_malformed():
    with pytest.raises(MalformedCallback):
        mpesa.transaction_status_claim(encoded(SUCCESS))
