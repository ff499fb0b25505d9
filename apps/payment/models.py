"""Payment's tables. Money moves only as ledger rows and payments change state only with a transition row:
both are append-only (a trigger refuses UPDATE and DELETE), so balances and histories are derived, never edited.

Rows of other apps are referred to by id columns. A payment belongs to a `subject`: an opaque key the caller
chose ("booking:<uuid>"); payment never looks inside it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

# initiated_by of a Paybill payment: the payer sent the money unprompted
PAYBILL_PAYER = "payer"


class Provider(models.TextChoices):
    MPESA = "mpesa", "M-Pesa"
    MTN_MOMO = "mtn_momo", "MTN MoMo"
    PAYPAL = "paypal", "PayPal"
    CASH = "cash", "Cash"


class ProviderAccount(models.Model):
    """A company's own account with a provider. Credentials are encrypted at rest (apps/payment/credentials)."""

    class Environment(models.TextChoices):
        SANDBOX = "sandbox"
        PRODUCTION = "production"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    provider = models.CharField(max_length=20, choices=[c for c in Provider.choices if c[0] != Provider.CASH])
    environment = models.CharField(max_length=10, choices=Environment.choices, default=Environment.SANDBOX)
    label = models.CharField(max_length=80, blank=True)
    credentials_encrypted = models.TextField(editable=False)
    # the company's own rates for charging a booking currency this provider cannot take:
    # {"KES": "0.0077"} means 1 KES is charged as 0.0077 of the account's conversion currency
    conversion_rates = models.JSONField(default=dict, blank=True)
    conversion_currency = models.CharField(max_length=3, blank=True,
                                           help_text="What converted amounts are charged in (PayPal: USD, ...); "
                                                     "blank: the one currency the provider charges in")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company_id", "provider"], condition=Q(active=True),
                                               name="payment_account_one_active_per_provider")]
        permissions = [("manage_accounts", "Manage the company's payment provider accounts")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} ({self.environment}) {self.label}".strip()


class Payable(models.Model):
    """What may be paid: registered by the app that sells (ticketing, when it holds seats), so that payment can
    answer a Paybill validation without knowing what a booking is."""

    class State(models.TextChoices):
        OPEN = "open"
        SETTLED = "settled"
        WITHDRAWN = "withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField()
    subject = models.CharField(max_length=80, unique=True)
    reference = models.CharField(max_length=12, help_text="What the payer quotes (the Paybill account number)")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company_id", "reference"], name="payable_reference_per_company"),
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="payable_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_minor} {self.currency} ({self.state})"


class Payment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        EXPIRED = "expired"

    LIVE_STATES = (State.PENDING,)
    PAYBILL_PAYER = PAYBILL_PAYER

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="payments")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    subject = models.CharField(max_length=80, db_index=True, blank=True,
                               help_text="The caller's key of what is paid; blank: money nobody expected")
    reference = models.CharField(max_length=12, blank=True)
    # what is owed, in the seller's currency ...
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    # ... and what the provider is asked for: the same, or converted at the company's recorded rate
    charge_amount_minor = models.BigIntegerField()
    charge_currency = models.CharField(max_length=3)
    conversion_rate = models.CharField(max_length=40, blank=True, help_text="Company-set rate applied, if any")
    payer = models.CharField(max_length=120, blank=True)
    initiated_by = models.CharField(max_length=80, help_text='"user:<id>", "device:<id>" or "payer" (Paybill)')
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    provider_ref = models.CharField(max_length=80, blank=True)
    transaction_id = models.CharField(max_length=80, blank=True)
    next_action = models.JSONField(default=dict, blank=True, help_text="What the payer is asked to do")
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    polls = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # never two live payments (and so never two live pushes) for one subject; a Paybill payment is money
            # the payer already sent, checked with the provider while pending: it never waits on a push
            models.UniqueConstraint(fields=["subject"],
                                    condition=Q(state="pending") & ~Q(subject="") & ~Q(initiated_by=PAYBILL_PAYER),
                                    name="payment_one_pending_per_subject"),
            models.UniqueConstraint(fields=["provider", "provider_ref"], condition=~Q(provider_ref=""),
                                    name="payment_provider_ref_once"),
            models.UniqueConstraint(fields=["provider", "transaction_id"], condition=~Q(transaction_id=""),
                                    name="payment_provider_transaction_once"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0) & Q(charge_amount_minor__gt=0),
                                   name="payment_amounts_positive"),
        ]
        indexes = [models.Index(fields=["state", "next_poll_at"], name="payment_poll_idx")]
        permissions = [("view_payments", "See the company's payments, refunds and ledger"),
                       ("reconcile_payments", "Run reconciliation and re-query payments with the provider"),
                       ("collect_cash", "Record cash taken at a counter or by a POS device"),
                       ("request_refunds", "Ask for a paid amount to be given back")]

    def __str__(self) -> str:
        return f"{self.provider} {self.charge_amount_minor} {self.charge_currency} ({self.state})"


class PaymentAttempt(models.Model):
    """One request to the provider to collect a payment (an STK push, a request to pay, an order)."""

    class Outcome(models.TextChoices):
        SENT = "sent"  # written before the request: a crash leaves this, and the payment is resolved by query
        INITIATED = "initiated"
        DECLINED = "declined"
        UNKNOWN = "unknown"  # no answer: it may have got through
        UNREACHABLE = "unreachable"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Our idempotency key")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="attempts")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.SENT)
    provider_ref = models.CharField(max_length=80, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"attempt {self.id} ({self.outcome})"


class PaymentTransition(models.Model):
    """Append-only: every change of a payment's state, with who or what caused it."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    actor = models.CharField(max_length=80)
    reason = models.CharField(max_length=255, blank=True)
    provider_ref = models.CharField(max_length=80, blank=True)
    evidence = models.ForeignKey("ProviderEvent", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} -> {self.to_state}"


class Refund(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested"  # written; the provider not asked yet
        PENDING = "pending"  # the provider accepted it; its result comes by callback or query
        AWAITING_CASH = "awaiting_cash"  # a cash payment: paid back at the counter, then marked paid
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Our idempotency key")
    company_id = models.UUIDField(db_index=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(max_length=120, unique=True, help_text="The requester's key: one refund per key")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    charge_amount_minor = models.BigIntegerField(help_text="In the payment's charge currency, at its rate")
    reason = models.CharField(max_length=120)
    state = models.CharField(max_length=14, choices=State.choices, default=State.REQUESTED)
    provider_ref = models.CharField(max_length=80, blank=True)
    transaction_id = models.CharField(max_length=80, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0) & Q(charge_amount_minor__gt=0),
                                              name="refund_amounts_positive")]
        indexes = [models.Index(fields=["state", "next_poll_at"], name="refund_poll_idx")]

    def __str__(self) -> str:
        return f"refund {self.charge_amount_minor} ({self.state})"


class LedgerEntry(models.Model):
    """Append-only: money in (+) and out (-), in the currency that moved. A provider's transaction is applied
    once: (provider, kind, provider_txn) is unique, and a payment is credited once."""

    class Kind(models.TextChoices):
        CHARGE = "charge"
        REFUND = "refund"

    company_id = models.UUIDField(db_index=True)
    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="ledger_entries")
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="ledger_entry")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    provider_txn = models.CharField(max_length=80)
    collector = models.CharField(max_length=80, blank=True, help_text='Cash: "user:<id>" or "device:<id>"')
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind", "provider_txn"], name="ledger_provider_txn_once"),
            models.UniqueConstraint(fields=["payment"], condition=Q(kind="charge"), name="ledger_one_charge"),
            models.CheckConstraint(condition=(Q(kind="charge") & Q(amount_minor__gt=0))
                                   | (Q(kind="refund") & Q(amount_minor__lt=0)), name="ledger_sign_by_kind"),
        ]
        indexes = [models.Index(fields=["company_id", "at"], name="ledger_company_time_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor} {self.currency}"


class ProviderEvent(models.Model):
    """Every callback as it arrived, stored before it is processed, with what processing made of it."""

    class Outcome(models.TextChoices):
        RECEIVED = "received"  # stored, not processed yet
        APPLIED = "applied"
        DUPLICATE = "duplicate"
        SPOOFED = "spoofed"  # wrong secret or failed signature verification
        UNKNOWN = "unknown"  # names nothing we know
        MISMATCH = "mismatch"  # amount, currency, payer or reference differ from ours
        UNCONFIRMED = "unconfirmed"  # the provider's query does not confirm what it claims
        MALFORMED = "malformed"
        ACCEPTED = "accepted"  # a Paybill validation we accepted
        REJECTED = "rejected"  # a Paybill validation we refused

    provider = models.CharField(max_length=20, choices=Provider.choices)
    kind = models.CharField(max_length=30)
    target = models.CharField(max_length=80, blank=True, help_text="The payment, refund or account in the path")
    secret_ok = models.BooleanField(default=False)
    event_id = models.CharField(max_length=120, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField()
    company_id = models.UUIDField(null=True, blank=True, db_index=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RECEIVED)
    note = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], condition=~Q(event_id=""),
                                               name="provider_event_id_once")]
        indexes = [models.Index(fields=["outcome", "received_at"], name="provider_event_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} ({self.outcome})"


class ReconciliationItem(models.Model):
    """One payment or refund of an account's day where the ledger and the provider's answer disagree."""

    class Status(models.TextChoices):
        MISMATCH = "mismatch"
        RESOLVED = "resolved"

    company_id = models.UUIDField(db_index=True)
    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")
    ledger_state = models.CharField(max_length=40)
    provider_state = models.CharField(max_length=40)
    ledger_amount_minor = models.BigIntegerField()
    provider_amount_minor = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISMATCH)
    note = models.CharField(max_length=255, blank=True)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day", "payment"], name="reconciliation_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.payment_id}: {self.ledger_state} vs {self.provider_state}"


class ReconciliationRun(models.Model):
    company_id = models.UUIDField(db_index=True)
    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    checked = models.PositiveIntegerField(default=0)
    mismatches = models.PositiveIntegerField(default=0)
    ledger_total_minor = models.BigIntegerField(default=0)
    provider_total_minor = models.BigIntegerField(default=0)
    started_by = models.CharField(max_length=80)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.day}: {self.checked} checked, {self.mismatches} mismatched"
