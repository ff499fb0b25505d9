"""Safaricom M-Pesa through the Daraja API: STK push (Lipa na M-Pesa Online), its query, reversals as
refunds, and the paybill (C2B) side: URL registration, validation/confirmation bodies, transaction status.

Daraja signs nothing it sends: every callback, result and C2B confirmation is a claim to confirm (the STK
query for pushes, transaction_status_request() for paybill payments) before anything is fulfilled.

Not confirmed from Safaricom's own material, and so written as observed in its samples and community
reports: the HTTP status of the "Invalid Access Token" answer (404 as its code suggests; the client goes by
the code), the "Wrong credentials" body of a bad STK Password (500.001.1001, taken as a definite refusal on
the push), ResultCodes 1001 and 1019, the reversal's RecieverIdentifierType "11", and the transaction status
result's parameter names (TransactionStatus, ReceiptNo, DebitPartyName "<msisdn> - <name>"). The STK query
carries no receipt number and no amount: those come from the callback the core confirms with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from apps.payment.providers import mpesa_http, mpesa_wire
from apps.payment.providers.base import (
    Account,
    CallbackClaim,
    ChargeRequest,
    CredentialField,
    Declined,
    Initiated,
    MalformedCallback,
    NextAction,
    Outcome,
    OutcomeUnknown,
    PaymentProvider,
    PaymentStatus,
    RefundRequest,
    RefundStatus,
)
from apps.payment.providers.mpesa_wire import (
    BEING_PROCESSED,
    C2B_INVALID_ACCOUNT_NUMBER,
    C2B_REJECTION_CODES,
    CURRENCY,
    WRONG_CREDENTIALS_MESSAGE,
    PaybillClaim,
    TransactionStatusClaim,
)

STK_PUSH_PATH = "/mpesa/stkpush/v1/processrequest"
STK_QUERY_PATH = "/mpesa/stkpushquery/v1/query"
REVERSAL_PATH = "/mpesa/reversal/v1/request"
C2B_REGISTER_PATH = "/mpesa/c2b/v1/registerurl"
TRANSACTION_STATUS_PATH = "/mpesa/transactionstatus/v1/query"

SHORTCODE_IDENTIFIER = "4"  # IdentifierType of an organisation shortcode (transaction status)
REVERSAL_RECEIVER_IDENTIFIER = "11"  # RecieverIdentifierType of the reversal, as Daraja's reversal page has it


class MpesaProvider(PaymentProvider):
    identifier = "mpesa"
    verbose_name = "M-Pesa (Safaricom Daraja)"
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("consumer_key", "Consumer key"),
        CredentialField("consumer_secret", "Consumer secret"),
        CredentialField("shortcode", "Business shortcode (paybill or store number)", secret=False),
        CredentialField("passkey", "Lipa na M-Pesa Online passkey"),
        CredentialField("transaction_type", "Transaction type: CustomerPayBillOnline (default) or "
                                            "CustomerBuyGoodsOnline", secret=False),
        CredentialField("party_b", "Receiving party: the till for buy goods (default: the shortcode)", secret=False),
        CredentialField("initiator_name", "Initiator name (reversals, transaction status)", secret=False),
        CredentialField("security_credential", "Security credential (the encrypted initiator password)"),
    )
    first_poll_after = timedelta(seconds=60)
    window = timedelta(minutes=3)
    next_action_kind = "approve_on_phone"
    refunds_confirmed_by_query = False  # Daraja has no query for a reversal: its result callback is all there is

    def charge_currencies(self, account: Account) -> frozenset[str]:
        return frozenset({CURRENCY})

    def unchargeable_reason(self, *, amount_minor: int, currency: str) -> str:
        if currency != CURRENCY:
            return f"M-Pesa charges {CURRENCY} only, not {currency}."
        if amount_minor <= 0:
            return "The amount must be positive."
        if amount_minor % 100:
            return "M-Pesa takes whole shillings only: the amount has cents."
        return ""

    # --- STK push ---

    def initiate(self, account: Account, charge: ChargeRequest) -> Initiated:
        reason = self.unchargeable_reason(amount_minor=charge.amount_minor, currency=charge.currency)
        if reason:
            raise Declined(reason, code="unchargeable")
        creds = mpesa_wire.credentials(account)
        stamp = mpesa_wire.timestamp(datetime.now(UTC))
        answer = mpesa_http.post(account, creds, STK_PUSH_PATH, {
            "BusinessShortCode": creds.shortcode,
            "Password": mpesa_wire.stk_password(creds.shortcode, creds.passkey, stamp),
            "Timestamp": stamp,
            "TransactionType": creds.transaction_type,
            "Amount": mpesa_wire.whole_shillings(charge.amount_minor),
            "PartyA": charge.payer_phone,
            "PartyB": creds.party_b,
            "PhoneNumber": charge.payer_phone,
            "CallBackURL": charge.callback_url,
            "AccountReference": charge.reference,
            "TransactionDesc": charge.description,
        })
        # a bad Password is a definite refusal although Daraja words it as a 500: no push was created
        if answer.error_code == BEING_PROCESSED and answer.error_message == WRONG_CREDENTIALS_MESSAGE:
            raise Declined("M-Pesa refused the shortcode and passkey (wrong credentials).",
                           code=answer.error_code, status=answer.status)
        body = _accepted(answer, "STK push")
        checkout = str(body.get("CheckoutRequestID", "")).strip()
        if not checkout:
            raise OutcomeUnknown("M-Pesa accepted the STK push without a CheckoutRequestID.", status=answer.status)
        shillings = mpesa_wire.shillings_text(charge.amount_minor)
        message = f"Enter your M-Pesa PIN on {charge.payer_phone} to pay {CURRENCY} {shillings}."
        return Initiated(provider_ref=checkout, next_action=NextAction(kind=self.next_action_kind, message=message),
                         raw=body)

    def status(self, account: Account, *, provider_ref: str, attempt_id: UUID) -> PaymentStatus:
        """The STK query. Its answer has no receipt, amount or phone: a success names none of them."""
        creds = mpesa_wire.credentials(account)
        stamp = mpesa_wire.timestamp(datetime.now(UTC))
        try:
            answer = mpesa_http.post(account, creds, STK_QUERY_PATH, {
                "BusinessShortCode": creds.shortcode,
                "Password": mpesa_wire.stk_password(creds.shortcode, creds.passkey, stamp),
                "Timestamp": stamp,
                "CheckoutRequestID": provider_ref,
            })
        except Declined as exc:  # refused credentials say nothing of the payment
            raise OutcomeUnknown(str(exc), code=exc.code, status=exc.status) from None
        if answer.error_code == BEING_PROCESSED and answer.error_message != WRONG_CREDENTIALS_MESSAGE:
            return PaymentStatus(outcome=Outcome.PENDING, provider_ref=provider_ref, reason_code=answer.error_code,
                                 reason=answer.error_message, raw=answer.body)
        if answer.status != 200 or str(answer.body.get("ResponseCode", "")).strip() != "0":
            raise OutcomeUnknown(f"M-Pesa did not answer the STK query: {_described(answer)}.",
                                 code=answer.error_code or str(answer.body.get("ResponseCode", "")),
                                 status=answer.status)
        code = str(answer.body.get("ResultCode", "")).strip()
        if not code:
            raise OutcomeUnknown("M-Pesa's STK query answer has no ResultCode.", status=answer.status)
        outcome = mpesa_wire.outcome_of(code)
        return PaymentStatus(
            outcome=outcome, provider_ref=provider_ref, reason_code="" if outcome is Outcome.SUCCEEDED else code,
            reason=str(answer.body.get("ResultDesc", "")), raw=answer.body,
        )

    def callback_claim(self, body: bytes) -> CallbackClaim:
        """An STK callback (PAYMENT, provider_ref the CheckoutRequestID) or a reversal's result (REFUND,
        provider_ref the OriginatorConversationID). A transaction status result is not a claim on a payment
        or refund of ours: MalformedCallback; read it with transaction_status_claim()."""
        data = mpesa_wire.load(body)
        if "Body" in data:
            return mpesa_wire.stk_callback_claim(data)
        if "Result" in data:
            result = mpesa_wire.result_of(data)
            if mpesa_wire.is_status_result(result):
                raise MalformedCallback("A transaction status result: read it with transaction_status_claim().")
            return mpesa_wire.reversal_claim(result)
        raise MalformedCallback("Neither an STK callback nor a result.")

    # --- reversal as refund ---

    def refund(self, account: Account, request: RefundRequest) -> RefundStatus:
        """A reversal of the whole M-Pesa transaction `request.transaction_id` (the receipt). Always PENDING:
        the result comes to request.result_url (also the queue time-out URL)."""
        reason = self.unchargeable_reason(amount_minor=request.amount_minor, currency=request.currency)
        if reason:
            raise Declined(reason, code="unchargeable")
        creds = mpesa_wire.credentials(account)
        _require_initiator(creds)
        answer = mpesa_http.post(account, creds, REVERSAL_PATH, {
            "Initiator": creds.initiator_name,
            "SecurityCredential": creds.security_credential,
            "CommandID": "TransactionReversal",
            "TransactionID": request.transaction_id,
            "Amount": mpesa_wire.whole_shillings(request.amount_minor),
            "ReceiverParty": creds.shortcode,
            "RecieverIdentifierType": REVERSAL_RECEIVER_IDENTIFIER,  # sic, as Daraja spells it
            "ResultURL": request.result_url,
            "QueueTimeOutURL": request.result_url,
            "Remarks": request.remarks[:100],
            "Occasion": str(request.refund_id),
        })
        body = _accepted(answer, "reversal")
        return RefundStatus(outcome=Outcome.PENDING, provider_ref=_originator_id(body, answer), raw=body)

    def refund_status(self, account: Account, *, provider_ref: str, refund_id: UUID) -> RefundStatus:
        """Daraja has no query for a reversal: PENDING until its result arrives at the result URL."""
        return RefundStatus(outcome=Outcome.PENDING, provider_ref=provider_ref)

    # --- paybill (C2B) ---

    def c2b_register(self, account: Account, *, validation_url: str, confirmation_url: str) -> None:
        """Register where Daraja sends a paybill payment's validation and confirmation. ResponseType
        "Cancelled": a payment is refused when our validation URL does not answer."""
        creds = mpesa_wire.credentials(account)
        answer = mpesa_http.post(account, creds, C2B_REGISTER_PATH, {
            "ShortCode": creds.shortcode, "ResponseType": "Cancelled",
            "ConfirmationURL": confirmation_url, "ValidationURL": validation_url,
        })
        _accepted(answer, "C2B URL registration")

    def paybill_claim(self, body: bytes) -> PaybillClaim:
        """Parse a validation or confirmation body. Raises MalformedCallback."""
        return mpesa_wire.paybill_claim(body)

    def paybill_validation_answer(self, *, accepted: bool, result_code: str = C2B_INVALID_ACCOUNT_NUMBER
                                  ) -> dict[str, str]:
        """Our answer to a validation request. Rejection codes: C2B00011 invalid MSISDN, C2B00012 invalid
        account number, C2B00013 invalid amount, C2B00014 invalid KYC details, C2B00015 invalid shortcode,
        C2B00016 other error."""
        if accepted:
            return {"ResultCode": "0", "ResultDesc": "Accepted"}
        if result_code not in C2B_REJECTION_CODES:
            raise ValueError(f"{result_code!r} is not a C2B rejection code.")
        return {"ResultCode": result_code, "ResultDesc": "Rejected"}

    def paybill_confirmation_answer(self) -> dict[str, str]:
        """Our answer to a confirmation: received (the payment is already complete at M-Pesa)."""
        return {"ResultCode": "0", "ResultDesc": "Accepted"}

    def transaction_status_request(self, account: Account, *, transaction_id: str, result_url: str) -> str:
        """Ask M-Pesa about a transaction by its receipt (how an unsigned C2B confirmation is checked). The
        answer comes to `result_url`; returns the OriginatorConversationID it will carry."""
        creds = mpesa_wire.credentials(account)
        _require_initiator(creds)
        answer = mpesa_http.post(account, creds, TRANSACTION_STATUS_PATH, {
            "Initiator": creds.initiator_name,
            "SecurityCredential": creds.security_credential,
            "CommandID": "TransactionStatusQuery",
            "TransactionID": transaction_id,
            "PartyA": creds.shortcode,
            "IdentifierType": SHORTCODE_IDENTIFIER,
            "ResultURL": result_url,
            "QueueTimeOutURL": result_url,
            "Remarks": "Payment check",
            "Occasion": transaction_id,
        })
        return _originator_id(_accepted(answer, "transaction status query"), answer)

    def transaction_status_claim(self, body: bytes) -> TransactionStatusClaim:
        """Parse a transaction status result. Raises MalformedCallback."""
        return mpesa_wire.transaction_status_claim(body)


def _accepted(answer: mpesa_http.Answer, what: str) -> dict[str, Any]:
    """The body of an accepted request (ResponseCode "0"); else Declined (4xx, or a refusing ResponseCode) or
    OutcomeUnknown (5xx)."""
    code = answer.error_code or str(answer.body.get("ResponseCode", "")).strip()
    if answer.status >= 500:
        raise OutcomeUnknown(f"M-Pesa failed on the {what}: {_described(answer)}.", code=code, status=answer.status)
    if answer.status < 400 and not code:
        raise OutcomeUnknown(f"M-Pesa answered the {what} without a ResponseCode.", status=answer.status)
    if answer.status >= 400 or code != "0":
        raise Declined(f"M-Pesa refused the {what}: {_described(answer)}.", code=code, status=answer.status)
    return answer.body


def _described(answer: mpesa_http.Answer) -> str:
    text = answer.error_message or str(answer.body.get("ResponseDescription", "")).strip()
    return f"{answer.status} {text}".strip()


def _originator_id(body: dict[str, Any], answer: mpesa_http.Answer) -> str:
    originator = str(body.get("OriginatorConversationID", "")).strip()
    if not originator:
        raise OutcomeUnknown("M-Pesa accepted the request without an OriginatorConversationID.", status=answer.status)
    return originator


def _require_initiator(creds: mpesa_wire.Credentials) -> None:
    if not creds.initiator_name or not creds.security_credential:
        raise Declined("The M-Pesa account has no initiator name and security credential.", code="not_configured")
