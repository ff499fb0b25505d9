"""The one shape every payment provider has (pretix's BasePaymentProvider is the model).

A provider is a stateless adapter between our payment core and one provider's HTTP API. It turns our
requests into the provider's wire format through a real httpx client and the provider's answers back into
the dataclasses below. What a provider may and may not do:

- It never touches the database, publishes nothing and decides nothing about fulfilment: the core
  (apps/payment/services) keeps the state machine and the ledger and decides what an answer means.
- It never logs or returns a credential; `Account.credentials` lives in memory for one call.
- It raises `Declined` only when the provider definitely refused (nothing was or will be charged),
  `OutcomeUnknown` when the request may have got through (timeout, lost answer, 5xx): the core then keeps the
  payment pending and asks `status()` later. `Unreachable` means nothing was sent (connection refused).
- Callbacks are parsed, never trusted: `callback_claim()` says what a body claims; the core confirms it with
  `status()` (or, for PayPal webhooks, `webhook_verified()`) before anything is fulfilled.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from transport.credentials import CredentialField as CredentialField  # the fields a backend declares


class Outcome(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Environment(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Account:
    """A company's account with one provider, as a call needs it: decrypted credentials, in memory only."""

    id: UUID
    provider: str
    environment: Environment
    base_url: str  # no trailing slash; every path of the provider's API is appended to it
    credentials: Mapping[str, str] = field(repr=False)  # keys: the provider's credential_fields names


@dataclass(frozen=True)
class ChargeRequest:
    payment_id: UUID
    attempt_id: UUID  # our idempotency key of this push: MoMo's X-Reference-Id, PayPal's PayPal-Request-Id
    reference: str  # what the payer sees as the account reference (M-Pesa AccountReference, at most 12 chars)
    description: str  # at most 13 chars (M-Pesa TransactionDesc)
    amount_minor: int  # in `currency`, already checked chargeable by this provider
    currency: str
    payer_phone: str  # digits with country code, no "+" ("254708374149"); "" for PayPal
    callback_url: str  # ours, the per-payment secret in its path
    return_url: str = ""  # PayPal: where the payer comes back after approving
    cancel_url: str = ""


@dataclass(frozen=True)
class NextAction:
    kind: str  # "approve_on_phone" or "redirect"
    message: str
    url: str = ""


@dataclass(frozen=True)
class Initiated:
    provider_ref: str  # M-Pesa CheckoutRequestID, MoMo X-Reference-Id, PayPal order id
    next_action: NextAction
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class PaymentStatus:
    """A payment as the provider's status/query API answers it: the truth the core acts on."""

    outcome: Outcome
    provider_ref: str
    transaction_id: str = ""  # M-Pesa receipt, MoMo financialTransactionId, PayPal capture id; "" unless paid
    amount_minor: int | None = None  # what the provider says was paid, in `currency`
    currency: str | None = None
    payer: str = ""  # phone digits, or the PayPal payer id
    reason_code: str = ""  # the provider's own code: "1032", "APPROVAL_REJECTED", "INSTRUMENT_DECLINED"
    reason: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundRequest:
    refund_id: UUID  # our idempotency key: MoMo's X-Reference-Id, PayPal's PayPal-Request-Id
    provider_ref: str  # the payment's provider_ref
    transaction_id: str  # what is given back: M-Pesa receipt, MoMo reference id, PayPal capture id
    amount_minor: int
    currency: str
    payer: str
    result_url: str  # ours, the per-refund secret in its path (M-Pesa ResultURL and QueueTimeOutURL)
    remarks: str = "Refund"


@dataclass(frozen=True)
class RefundStatus:
    outcome: Outcome
    provider_ref: str  # M-Pesa OriginatorConversationID, MoMo X-Reference-Id, PayPal refund id
    transaction_id: str = ""
    reason_code: str = ""
    reason: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


class ClaimKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


@dataclass(frozen=True)
class CallbackClaim:
    """What an unsigned callback (or a webhook before verification) says. Evidence to look up, never to act on."""

    kind: ClaimKind
    provider_ref: str  # the payment or refund it names, as the provider refers to it
    outcome: Outcome | None = None
    transaction_id: str = ""
    amount_minor: int | None = None
    currency: str | None = None
    payer: str = ""
    external_id: str = ""  # our id echoed back (MoMo externalId)
    event_id: str = ""  # the provider's id of this delivery (PayPal webhook id), for deduplication
    event_type: str = ""


class ProviderError(Exception):
    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class Declined(ProviderError):
    """The provider definitely refused the request: nothing was or will be charged or refunded."""


class OutcomeUnknown(ProviderError):
    """The request may have got through (timeout, lost answer, 5xx): ask status() later, never retry blind."""


class Unreachable(ProviderError):
    """Nothing was sent (connection refused, DNS): safe to try again."""


class MalformedCallback(ProviderError):
    """A body that is not this provider's callback at all."""


class PaymentProvider(ABC):
    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    credential_fields: ClassVar[tuple[CredentialField, ...]]
    # when the core first asks status() of a payment no callback settled, and when it gives up on it
    first_poll_after: ClassVar[timedelta]
    window: ClassVar[timedelta]
    next_action_kind: ClassVar[str]
    # the provider_ref is our own attempt id (MoMo's X-Reference-Id): a lost answer can still be queried
    ref_is_attempt_id: ClassVar[bool] = False
    # initiate() again with the same attempt is safe (MoMo: 409 for a repeat; PayPal: PayPal-Request-Id), so a
    # lost answer is recovered by asking again; M-Pesa has no idempotency key: never pushed twice
    initiate_is_idempotent: ClassVar[bool] = False
    # refund_status() answers a refund's outcome; False (M-Pesa reversals): only the result callback does
    refunds_confirmed_by_query: ClassVar[bool] = True

    @abstractmethod
    def charge_currencies(self, account: Account) -> frozenset[str]:
        """The currencies this account can be charged in (M-Pesa: KES; PayPal: not KES nor UGX)."""

    def unchargeable_reason(self, *, amount_minor: int, currency: str) -> str:
        """Why this amount cannot be charged as it is ("" when it can): M-Pesa takes whole shillings only.
        Never rounds: the core refuses the charge with this reason."""
        return "" if amount_minor > 0 else "The amount must be positive."

    @abstractmethod
    def initiate(self, account: Account, charge: ChargeRequest) -> Initiated:
        """Ask the payer to pay (STK push, request to pay, PayPal order). Raises Declined, OutcomeUnknown,
        Unreachable. Must not be called twice for one live attempt: M-Pesa has no idempotency key."""

    @abstractmethod
    def status(self, account: Account, *, provider_ref: str, attempt_id: UUID) -> PaymentStatus:
        """Where the payment stands, from the provider's query API. PENDING while the provider says so (also
        M-Pesa's "being processed" error and MoMo's 404 right after submission). PayPal: captures an approved
        order (idempotent on attempt_id) and answers the capture's outcome. Raises OutcomeUnknown, Unreachable."""

    @abstractmethod
    def callback_claim(self, body: bytes) -> CallbackClaim:
        """Parse a callback body (JSON). Raises MalformedCallback. Trusts nothing."""

    def refund_callback_claim(self, body: bytes) -> CallbackClaim:
        """Parse a callback that arrived at a refund's URL (MoMo's look like its payment callbacks)."""
        return self.callback_claim(body)

    @abstractmethod
    def refund(self, account: Account, request: RefundRequest) -> RefundStatus:
        """Give money back (reversal, disbursement refund, capture refund); idempotent on refund_id where the
        provider allows. Usually PENDING: the result comes by callback or refund_status(). Raises Declined,
        OutcomeUnknown, Unreachable."""

    @abstractmethod
    def refund_status(self, account: Account, *, provider_ref: str, refund_id: UUID) -> RefundStatus:
        """Where a refund stands. M-Pesa has no query for reversals: PENDING until its result callback."""

    def webhook_verified(self, account: Account, *, headers: Mapping[str, str], body: bytes) -> bool:
        """Signed webhooks (PayPal) are verified with the provider; unsigned callbacks never are (False)."""
        return False
