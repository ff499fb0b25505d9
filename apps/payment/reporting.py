"""What payment publishes for operators' questions: its reporting views, column by column (the migration
0003_reporting_views creates them). The model reads these descriptions, so they say what a value means."""

from __future__ import annotations

from transport.reporting import ReportingColumn, ReportingView

_COMPANY_ID = ReportingColumn("company_id", "uuid", "The operator (always the asking company)")
_PROVIDER = ReportingColumn("provider", "text", "mpesa, mtn_momo, paypal or cash")

PAYMENTS = ReportingView(
    name="reporting_payments",
    description="One row per payment asked of a payer or recorded in cash; only state 'succeeded' is money in.",
    columns=(
        ReportingColumn("payment_id", "uuid", "The payment"),
        _COMPANY_ID,
        _PROVIDER,
        ReportingColumn("subject", "text", "What was paid: 'booking:' then reporting_sales.booking_id"),
        ReportingColumn("amount_minor", "integer", "Amount owed, in minor units of currency (cents)"),
        ReportingColumn("currency", "text", "ISO 4217 currency of amount_minor, e.g. KES"),
        ReportingColumn("state", "text", "pending, succeeded, failed or expired"),
        ReportingColumn("created_at", "timestamptz", "When the payment was asked for"),
        ReportingColumn("succeeded_at", "timestamptz", "When it succeeded (null unless state is succeeded)"),
    ),
)

REFUNDS = ReportingView(
    name="reporting_refunds",
    description="One row per refund of a payment; only state 'succeeded' is money given back.",
    columns=(
        ReportingColumn("refund_id", "uuid", "The refund"),
        _COMPANY_ID,
        ReportingColumn("payment_id", "uuid", "The payment refunded (reporting_payments.payment_id)"),
        _PROVIDER,
        ReportingColumn("amount_minor", "integer", "Amount given back, in minor units of currency (cents)"),
        ReportingColumn("currency", "text", "ISO 4217 currency of amount_minor"),
        ReportingColumn("reason", "text", "Why it was refunded"),
        ReportingColumn("state", "text", "requested, pending, awaiting_cash, succeeded or failed"),
        ReportingColumn("created_at", "timestamptz", "When it was asked for"),
        ReportingColumn("settled_at", "timestamptz", "When it succeeded or failed (null while open)"),
    ),
)


def reporting_views() -> list[ReportingView]:
    return [PAYMENTS, REFUNDS]
