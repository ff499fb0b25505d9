"""M-Pesa Daraja's wire format: credentials, the STK password, result codes, and the parsing of what Daraja
sends us (STK callbacks, `{"Result": ...}` results, C2B validation and confirmation bodies).

Pure functions and dataclasses: no HTTP here (see mpesa_http), so the emulator can share the constants.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from apps.payment.providers.base import Account, CallbackClaim, ClaimKind, Declined, MalformedCallback, Outcome
from transport import money

CURRENCY = "KES"
# Daraja's timestamps (the STK Timestamp, TransactionDate, TransTime) are Nairobi wall-clock time
NAIROBI = ZoneInfo("Africa/Nairobi")
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"

PAYBILL = "CustomerPayBillOnline"
BUY_GOODS = "CustomerBuyGoodsOnline"
TRANSACTION_TYPES = (PAYBILL, BUY_GOODS)

INVALID_ACCESS_CODE = "404.001.03"  # "Invalid Access Token": fetch a new token once and try again
BEING_PROCESSED = "500.001.1001"  # on the STK query: the payer has not answered yet (pending, not failed)
WRONG_CREDENTIALS_MESSAGE = "Wrong credentials"  # the same code when the Password does not match

# STK ResultCodes named in Daraja's material; any code not 0 is a failure whatever it is
RESULT_DESCRIPTIONS: dict[int, str] = {
    0: "The service request is processed successfully.",
    1: "The balance is insufficient for the transaction.",
    1001: "Unable to lock subscriber, a transaction is already in process for the current subscriber",
    1019: "Transaction has expired",
    1032: "Request cancelled by user",
    1037: "DS timeout user cannot be reached",
    2001: "The initiator information is invalid.",
}

# the C2B validation answer's rejection codes, as Daraja documents them
C2B_INVALID_MSISDN = "C2B00011"
C2B_INVALID_ACCOUNT_NUMBER = "C2B00012"
C2B_INVALID_AMOUNT = "C2B00013"
C2B_INVALID_KYC = "C2B00014"
C2B_INVALID_SHORTCODE = "C2B00015"
C2B_OTHER_ERROR = "C2B00016"
C2B_REJECTION_CODES = frozenset({C2B_INVALID_MSISDN, C2B_INVALID_ACCOUNT_NUMBER, C2B_INVALID_AMOUNT,
                                 C2B_INVALID_KYC, C2B_INVALID_SHORTCODE, C2B_OTHER_ERROR})


@dataclass(frozen=True)
class Credentials:
    """An account's M-Pesa credentials with the defaults filled in. Never logged: repr shows the shortcode."""

    consumer_key: str
    consumer_secret: str
    shortcode: str
    passkey: str
    transaction_type: str
    party_b: str
    initiator_name: str
    security_credential: str

    def __repr__(self) -> str:
        return f"Credentials(shortcode={self.shortcode!r}, transaction_type={self.transaction_type!r})"

    __str__ = __repr__


def credentials(account: Account) -> Credentials:
    given = account.credentials
    shortcode = given.get("shortcode", "").strip()
    transaction_type = given.get("transaction_type", "").strip() or PAYBILL
    if transaction_type not in TRANSACTION_TYPES:
        raise Declined(f"M-Pesa transaction type {transaction_type!r} is neither {PAYBILL} nor {BUY_GOODS}.",
                       code="not_configured")
    return Credentials(
        consumer_key=given.get("consumer_key", ""), consumer_secret=given.get("consumer_secret", ""),
        shortcode=shortcode, passkey=given.get("passkey", ""), transaction_type=transaction_type,
        party_b=given.get("party_b", "").strip() or shortcode, initiator_name=given.get("initiator_name", ""),
        security_credential=given.get("security_credential", ""),
    )


def timestamp(at: datetime) -> str:
    return at.astimezone(NAIROBI).strftime(TIMESTAMP_FORMAT)


def stk_password(shortcode: str, passkey: str, stamp: str) -> str:
    return base64.b64encode(f"{shortcode}{passkey}{stamp}".encode()).decode()


def parse_timestamp(text: str) -> datetime:
    """"20191219102115" (Nairobi) -> an aware datetime. ValueError when it is not one."""
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=NAIROBI)


def whole_shillings(amount_minor: int) -> int:
    if amount_minor % 100:
        raise ValueError("M-Pesa takes whole shillings only.")
    return amount_minor // 100


def shillings_text(amount_minor: int) -> str:
    """15000000 -> "150,000" (whole shillings, as the payer reads them)."""
    return f"{amount_minor // 100:,}"


def outcome_of(result_code: int | str) -> Outcome:
    return Outcome.SUCCEEDED if str(result_code).strip() == "0" else Outcome.FAILED


# --- parsing what Daraja sends: trust nothing, raise MalformedCallback on anything unexpected ---

def load(body: bytes) -> dict[str, Any]:
    """JSON with decimals kept exact (Daraja writes amounts as 1.0)."""
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise MalformedCallback("The body is not JSON.") from None
    if not isinstance(data, dict):
        raise MalformedCallback("The body is not a JSON object.")
    return data


def text_of(container: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = container.get(key)
    if value is None or isinstance(value, bool | dict | list):
        if required or value is not None:
            raise MalformedCallback(f"{key} is missing or not a value.")
        return ""
    text = str(value).strip()
    if required and not text:
        raise MalformedCallback(f"{key} is empty.")
    return text


def amount_of(value: Any, what: str) -> int:
    if value is None or isinstance(value, bool | dict | list):
        raise MalformedCallback(f"{what} is not an amount.")
    try:
        return money.from_text(str(value), CURRENCY)
    except ValueError:
        raise MalformedCallback(f"{what} is not an amount in {CURRENCY}.") from None


def result_code_of(container: Mapping[str, Any]) -> str:
    code = container.get("ResultCode")
    if code is None or isinstance(code, bool | dict | list | Decimal) or str(code).strip() == "":
        raise MalformedCallback("ResultCode is missing or not a code.")
    return str(code).strip()


def stk_callback_claim(body: Mapping[str, Any]) -> CallbackClaim:
    callback = body.get("Body")
    callback = callback.get("stkCallback") if isinstance(callback, dict) else None
    if not isinstance(callback, dict):
        raise MalformedCallback("Body.stkCallback is missing.")
    checkout = text_of(callback, "CheckoutRequestID")
    code = callback.get("ResultCode")
    if not isinstance(code, int) or isinstance(code, bool):
        raise MalformedCallback("stkCallback.ResultCode is not an integer.")
    if code != 0:
        return CallbackClaim(kind=ClaimKind.PAYMENT, provider_ref=checkout, outcome=Outcome.FAILED)
    items = _named_items(callback)
    phone = items.get("PhoneNumber")
    return CallbackClaim(
        kind=ClaimKind.PAYMENT, provider_ref=checkout, outcome=Outcome.SUCCEEDED,
        transaction_id=text_of(items, "MpesaReceiptNumber"), amount_minor=amount_of(items.get("Amount"), "Amount"),
        currency=CURRENCY, payer="" if phone is None else text_of(items, "PhoneNumber"),
    )


def _named_items(callback: Mapping[str, Any]) -> dict[str, Any]:
    """CallbackMetadata.Item as {Name: Value}; an item without a Value (Balance) maps to None."""
    metadata = callback.get("CallbackMetadata")
    items = metadata.get("Item") if isinstance(metadata, dict) else None
    if not isinstance(items, list):
        raise MalformedCallback("A successful stkCallback carries no CallbackMetadata.Item list.")
    named: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            raise MalformedCallback("A CallbackMetadata item has no Name.")
        named[item["Name"]] = item.get("Value")
    return named


def result_of(body: Mapping[str, Any]) -> dict[str, Any]:
    result = body.get("Result")
    if not isinstance(result, dict):
        raise MalformedCallback("Result is missing.")
    return result


def result_parameters(result: Mapping[str, Any]) -> dict[str, Any]:
    """ResultParameters.ResultParameter as {Key: Value}; Daraja sends one parameter as an object, not a list."""
    holder = result.get("ResultParameters")
    if holder is None:
        return {}
    parameters = holder.get("ResultParameter") if isinstance(holder, dict) else None
    if isinstance(parameters, dict):
        parameters = [parameters]
    if not isinstance(parameters, list):
        raise MalformedCallback("ResultParameters.ResultParameter is not a list.")
    named: dict[str, Any] = {}
    for parameter in parameters:
        if not isinstance(parameter, dict) or not isinstance(parameter.get("Key"), str):
            raise MalformedCallback("A ResultParameter has no Key.")
        named[parameter["Key"]] = parameter.get("Value")
    return named


# the parameters only a transaction status result carries (a reversal's result has none of them)
STATUS_RESULT_KEYS = frozenset({"TransactionStatus", "ReceiptNo", "DebitPartyName"})


def is_status_result(result: Mapping[str, Any]) -> bool:
    return bool(STATUS_RESULT_KEYS & result_parameters(result).keys())


def reversal_claim(result: Mapping[str, Any]) -> CallbackClaim:
    parameters = result_parameters(result)
    amount = parameters.get("Amount")
    return CallbackClaim(
        kind=ClaimKind.REFUND, provider_ref=text_of(result, "OriginatorConversationID"),
        outcome=outcome_of(result_code_of(result)), transaction_id=text_of(result, "TransactionID", required=False),
        amount_minor=None if amount is None else amount_of(amount, "Amount"),
        currency=None if amount is None else CURRENCY,
    )


@dataclass(frozen=True)
class TransactionStatusClaim:
    """What a transaction status result says of one M-Pesa transaction. Unsigned like every Daraja result."""

    originator_conversation_id: str  # what transaction_status_request() returned
    result_code: str  # "0" when the query was answered; the transaction's own state is `status`
    result_desc: str
    transaction_id: str  # the receipt asked about ("" when the query failed)
    status: str  # "Completed", "Failed", "Pending", ... as Daraja words it; "" when the query failed
    amount_minor: int | None
    debit_party: str  # the payer's MSISDN of a C2B payment ("254708374149" of "254708374149 - John Doe")


def transaction_status_claim(body: bytes) -> TransactionStatusClaim:
    result = result_of(load(body))
    parameters = result_parameters(result)
    amount = parameters.get("Amount")
    debit = parameters.get("DebitPartyName")
    return TransactionStatusClaim(
        originator_conversation_id=text_of(result, "OriginatorConversationID"),
        result_code=result_code_of(result), result_desc=text_of(result, "ResultDesc", required=False),
        transaction_id=text_of(parameters, "ReceiptNo", required=False),
        status=text_of(parameters, "TransactionStatus", required=False),
        amount_minor=None if amount is None else amount_of(amount, "Amount"),
        debit_party="" if debit is None else text_of(parameters, "DebitPartyName").split(" - ")[0].strip(),
    )


@dataclass(frozen=True)
class PaybillClaim:
    """A customer's paybill (C2B) payment as Daraja's validation or confirmation body states it. Unsigned:
    check it with transaction_status_request() before fulfilling anything."""

    transaction_id: str  # TransID, the M-Pesa receipt
    amount_minor: int  # KES
    shortcode: str
    account_reference: str  # BillRefNumber, what the customer typed as the account number
    msisdn: str  # as Daraja sends it (production may mask or hash it)
    payer_name: str
    transacted_at: datetime


def paybill_claim(body: bytes) -> PaybillClaim:
    data = load(body)
    names = (text_of(data, key, required=False) for key in ("FirstName", "MiddleName", "LastName"))
    try:
        transacted_at = parse_timestamp(text_of(data, "TransTime"))
    except ValueError:
        raise MalformedCallback("TransTime is not a YYYYMMDDHHmmss time.") from None
    return PaybillClaim(
        transaction_id=text_of(data, "TransID"), amount_minor=amount_of(data.get("TransAmount"), "TransAmount"),
        shortcode=text_of(data, "BusinessShortCode"), account_reference=text_of(data, "BillRefNumber", required=False),
        msisdn=text_of(data, "MSISDN", required=False), payer_name=" ".join(name for name in names if name),
        transacted_at=transacted_at,
    )
