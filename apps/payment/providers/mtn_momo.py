"""MTN Mobile Money (MoMo Open API): Collection's request to pay, refunds through Disbursement.

The payer approves a request to pay on their phone. We choose the request's id (`X-Reference-Id`, our
attempt id), so a repeated request is answered 409 RESOURCE_ALREADY_EXIST instead of charging twice. The
outcome is read with the status GET; a callback (PUT or POST, unsigned, duplicates seen) comes only when we
give `X-Callback-Url` and names the payment by our `externalId` only.

Not confirmed from MTN's own material, and chosen here: the body of an invalid or expired bearer token (any
401 costs the token and the call is repeated once with a new one); the status of an unknown
`X-Target-Environment`; whether the refund GET, like the payment GET, can answer 404 right after submission
(taken as PENDING); how an excessive refund is refused; statuses other than PENDING, SUCCESSFUL and FAILED
(taken as not understood). `reason` on FAILED is seen both as a code string and as `{code, message}`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx

from apps.payment.providers.base import (
    Account,
    CallbackClaim,
    ChargeRequest,
    ClaimKind,
    CredentialField,
    Declined,
    Initiated,
    MalformedCallback,
    NextAction,
    Outcome,
    OutcomeUnknown,
    PaymentProvider,
    PaymentStatus,
    ProviderError,
    RefundRequest,
    RefundStatus,
)
from apps.payment.providers.mtn_momo_wire import COLLECTION, DISBURSEMENT, MomoClient, error_code
from transport.money import from_text, to_text

REQUEST_TO_PAY = "/collection/v1_0/requesttopay"
REFUND = "/disbursement/v1_0/refund"
ALREADY_EXISTS = "RESOURCE_ALREADY_EXIST"
# 500 answers that are definite refusals (the request was checked and turned down), not server failures
REFUSING_500_CODES = frozenset({"INVALID_CALLBACK_URL_HOST", "INVALID_CURRENCY"})
OUTCOMES = {"PENDING": Outcome.PENDING, "SUCCESSFUL": Outcome.SUCCEEDED, "FAILED": Outcome.FAILED}
# readable reasons for when MoMo gives only the code
REASONS = {
    "APPROVAL_REJECTED": "The payer rejected the request.",
    "EXPIRED": "The payer did not approve the request in time.",
    "PAYER_NOT_FOUND": "No MoMo account has this number.",
    "NOT_ENOUGH_FUNDS": "Not enough funds.",
    "INTERNAL_PROCESSING_ERROR": "MoMo could not process the request.",
    "SERVICE_UNAVAILABLE": "MoMo was unavailable.",
}


@dataclass(frozen=True)
class _Transfer:
    """A request to pay or a refund as MoMo's status GET (and callbacks) describe it."""

    outcome: Outcome
    transaction_id: str
    amount_minor: int | None
    currency: str | None
    party: str
    external_id: str
    reason_code: str
    reason: str


def _transfer(body: Any, party_field: str) -> _Transfer:
    """Parse a status or callback body. ValueError when it is not one."""
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    status = body.get("status")
    outcome = OUTCOMES.get(status) if isinstance(status, str) else None
    if outcome is None:
        raise ValueError("no known status")
    currency, amount = body.get("currency"), body.get("amount")
    amount_minor = None
    if amount is not None or currency is not None:
        if not isinstance(currency, str) or not isinstance(amount, str | int):
            raise ValueError("amount or currency missing")
        amount_minor = from_text(str(amount), currency)
    party = body.get(party_field)
    party_id = party.get("partyId", "") if isinstance(party, dict) else ""
    transaction_id = body.get("financialTransactionId") or ""
    external_id = body.get("externalId") or ""
    if not isinstance(party_id, str) or not isinstance(transaction_id, str | int) \
            or not isinstance(external_id, str):
        raise ValueError("payer, financialTransactionId or externalId of the wrong type")
    reason_code, reason = "", ""
    raw_reason = body.get("reason")
    if outcome is Outcome.FAILED and isinstance(raw_reason, str):
        reason_code, reason = raw_reason, REASONS.get(raw_reason, raw_reason)
    elif outcome is Outcome.FAILED and isinstance(raw_reason, dict):
        reason_code = str(raw_reason.get("code") or "")
        reason = str(raw_reason.get("message") or REASONS.get(reason_code, reason_code))
    return _Transfer(outcome=outcome, transaction_id=str(transaction_id), amount_minor=amount_minor,
                     currency=currency if amount_minor is not None else None, party=party_id,
                     external_id=external_id, reason_code=reason_code, reason=reason)


def _refusal(response: httpx.Response, what: str) -> ProviderError:
    """What a non-2xx answer to a request to pay or a refund means."""
    status, code = response.status_code, error_code(response)
    if status < 500 or code in REFUSING_500_CODES:
        return Declined(f"MoMo refused the {what} ({status} {code}).", code=code, status=status)
    return OutcomeUnknown(f"MoMo answered the {what} {status} {code}; it may have been accepted.", code=code,
                          status=status)


def _query(response: httpx.Response, what: str, party_field: str) -> _Transfer | None:
    """The transfer a status GET answered; None for 404 (not visible yet). Raises OutcomeUnknown otherwise."""
    status = response.status_code
    if status == 404:
        return None
    if status != 200:
        raise OutcomeUnknown(f"MoMo's {what} status query answered {status}.", code=error_code(response),
                             status=status)
    try:
        return _transfer(response.json(), party_field)
    except ValueError as exc:
        raise OutcomeUnknown(f"MoMo's {what} status answer was not understood: {exc}.", status=status) from None


def _body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedCallback("The callback body is not JSON.") from None


class MtnMomo(PaymentProvider):
    identifier = "mtn_momo"
    verbose_name = "MTN Mobile Money"
    credential_fields = (
        CredentialField("api_user", "API user (UUID)", secret=False),
        CredentialField("api_key", "API key"),
        CredentialField("collection_subscription_key", "Collection subscription key"),
        CredentialField("disbursement_subscription_key", "Disbursement subscription key"),
        CredentialField("target_environment", "Target environment (sandbox, mtnuganda, ...)", secret=False),
        CredentialField("currency", "Currency collected (sandbox: EUR)", secret=False),
    )
    first_poll_after = timedelta(seconds=30)
    window = timedelta(minutes=10)
    next_action_kind = "approve_on_phone"
    ref_is_attempt_id = True  # X-Reference-Id is our attempt id: a lost answer is still queried by it
    initiate_is_idempotent = True  # the same X-Reference-Id again is a 409: the first got through

    def charge_currencies(self, account: Account) -> frozenset[str]:
        return frozenset({account.credentials["currency"]})

    def initiate(self, account: Account, charge: ChargeRequest) -> Initiated:
        headers = {"X-Reference-Id": str(charge.attempt_id)}
        if charge.callback_url:
            headers["X-Callback-Url"] = charge.callback_url
        body = {
            "amount": to_text(charge.amount_minor, charge.currency),
            "currency": charge.currency,
            "externalId": str(charge.payment_id),
            "payer": {"partyIdType": "MSISDN", "partyId": charge.payer_phone},
            "payerMessage": charge.description,
            "payeeNote": charge.reference,
        }
        response = MomoClient(account, COLLECTION).send("POST", REQUEST_TO_PAY, refusal=Declined, headers=headers,
                                                        json=body)
        code = error_code(response)
        # 409 on our own reference id: an earlier sending of this very request got through
        if response.status_code != 202 and not (response.status_code == 409 and code == ALREADY_EXISTS):
            raise _refusal(response, "request to pay")
        return Initiated(
            provider_ref=str(charge.attempt_id),
            next_action=NextAction(kind=self.next_action_kind,
                                   message="Approve the payment on your phone with your MoMo PIN."),
            raw={"status": response.status_code, "code": code},
        )

    def status(self, account: Account, *, provider_ref: str, attempt_id: UUID) -> PaymentStatus:
        response = MomoClient(account, COLLECTION).send("GET", f"{REQUEST_TO_PAY}/{provider_ref}",
                                                        refusal=OutcomeUnknown)
        transfer = _query(response, "payment", "payer")
        if transfer is None:  # not visible yet right after submission
            return PaymentStatus(outcome=Outcome.PENDING, provider_ref=provider_ref, raw={"status": 404})
        return PaymentStatus(
            outcome=transfer.outcome, provider_ref=provider_ref,
            transaction_id=transfer.transaction_id if transfer.outcome is Outcome.SUCCEEDED else "",
            amount_minor=transfer.amount_minor, currency=transfer.currency, payer=transfer.party,
            reason_code=transfer.reason_code, reason=transfer.reason, raw=response.json(),
        )

    def callback_claim(self, body: bytes) -> CallbackClaim:
        """A request-to-pay callback. It carries no reference id: the core matches it by `external_id` and by
        the secret in the callback URL it gave."""
        return self._claim(body, ClaimKind.PAYMENT, "payer")

    def refund_callback_claim(self, body: bytes) -> CallbackClaim:
        return self.refund_claim(body)

    def refund_claim(self, body: bytes) -> CallbackClaim:
        """A refund callback. Its body has the request-to-pay shape, so only the URL the core registered for
        it (`RefundRequest.result_url`) tells it apart from a payment callback: the core calls this one for
        callbacks on refund URLs. `external_id` is our refund id."""
        return self._claim(body, ClaimKind.REFUND, "payee")

    def _claim(self, body: bytes, kind: ClaimKind, party_field: str) -> CallbackClaim:
        try:
            transfer = _transfer(_body(body), party_field)
        except ValueError as exc:
            raise MalformedCallback(f"Not a MoMo callback: {exc}.") from None
        if not transfer.external_id:
            raise MalformedCallback("Not a MoMo callback: no externalId.")
        return CallbackClaim(kind=kind, provider_ref="", outcome=transfer.outcome,
                             transaction_id=transfer.transaction_id, amount_minor=transfer.amount_minor,
                             currency=transfer.currency, payer=transfer.party, external_id=transfer.external_id)

    def refund(self, account: Account, request: RefundRequest) -> RefundStatus:
        """`request.transaction_id` is the payment's X-Reference-Id (what MoMo refunds); our refund id is both
        this refund's X-Reference-Id and its externalId (what its callback echoes)."""
        headers = {"X-Reference-Id": str(request.refund_id)}
        if request.result_url:
            headers["X-Callback-Url"] = request.result_url
        body = {
            "amount": to_text(request.amount_minor, request.currency),
            "currency": request.currency,
            "externalId": str(request.refund_id),
            "payerMessage": request.remarks,
            "payeeNote": request.remarks,
            "referenceIdToRefund": request.provider_ref,
        }
        response = MomoClient(account, DISBURSEMENT).send("POST", REFUND, refusal=Declined, headers=headers,
                                                          json=body)
        code = error_code(response)
        if response.status_code != 202 and not (response.status_code == 409 and code == ALREADY_EXISTS):
            raise _refusal(response, "refund")
        return RefundStatus(outcome=Outcome.PENDING, provider_ref=str(request.refund_id),
                            raw={"status": response.status_code, "code": code})

    def refund_status(self, account: Account, *, provider_ref: str, refund_id: UUID) -> RefundStatus:
        response = MomoClient(account, DISBURSEMENT).send("GET", f"{REFUND}/{provider_ref}", refusal=OutcomeUnknown)
        transfer = _query(response, "refund", "payee")
        if transfer is None:
            return RefundStatus(outcome=Outcome.PENDING, provider_ref=provider_ref, raw={"status": 404})
        raw: Mapping[str, Any] = response.json()
        return RefundStatus(
            outcome=transfer.outcome, provider_ref=provider_ref,
            transaction_id=transfer.transaction_id if transfer.outcome is Outcome.SUCCEEDED else "",
            reason_code=transfer.reason_code, reason=transfer.reason, raw=raw,
        )
