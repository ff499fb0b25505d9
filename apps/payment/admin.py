"""Django admin for payment: each member sees only their companies' rows (a platform admin all of them).

Everything but provider accounts is read-only here: money and states change only through the services, which
the actions call (ask the provider about a pending payment, pay a cash refund out, re-query a reconciliation
item), each for the rows of the companies where the user holds the action's permission.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from apps.payment.account_admin import ProviderAccountAdmin
from apps.payment.admin_support import holds, money_text, rows_where_held
from apps.payment.models import (
    LedgerEntry,
    Payable,
    Payment,
    PaymentAttempt,
    PaymentTransition,
    ProviderAccount,
    ProviderEvent,
    ReconciliationItem,
    ReconciliationRun,
    Refund,
)
from apps.payment.permissions import COLLECT_CASH, RECONCILE_PAYMENTS
from apps.payment.services import payments, reconciliation, refunds
from transport.errors import Conflict
from transport.scoped_admin import ReadOnlyAdmin, ReadOnlyInline

admin.site.register(ProviderAccount, ProviderAccountAdmin)


class AttemptInline(ReadOnlyInline):
    model = PaymentAttempt
    fields = readonly_fields = ("id", "outcome", "provider_ref", "error_code", "error_message", "started_at",
                                "finished_at")


class TransitionInline(ReadOnlyInline):
    model = PaymentTransition
    fields = readonly_fields = ("from_state", "to_state", "actor", "reason", "provider_ref", "evidence", "at")


class LedgerInline(ReadOnlyInline):
    model = LedgerEntry
    fields = readonly_fields = ("kind", "amount", "provider_txn", "collector", "at")

    @admin.display(description="Amount")
    def amount(self, obj: LedgerEntry) -> str:
        return money_text(obj.amount_minor, obj.currency)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = ("id", "state", "amount", "reason", "requested_by", "created_at", "settled_at")
    show_change_link = True

    @admin.display(description="Amount")
    def amount(self, obj: Refund) -> str:
        return money_text(obj.amount_minor, obj.currency)


class EventInline(ReadOnlyInline):
    model = ProviderEvent
    fk_name = "payment"
    fields = readonly_fields = ("kind", "outcome", "secret_ok", "note", "received_at", "processed_at")
    show_change_link = True


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "provider", "state", "amount", "charged", "subject", "reference", "created_at"]
    list_filter = ["state", "provider"]
    search_fields = ["id", "subject", "reference", "provider_ref", "transaction_id", "payer"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline, TransitionInline, LedgerInline, RefundInline, EventInline]
    actions = ["ask_provider_now"]

    @admin.display(description="Amount")
    def amount(self, obj: Payment) -> str:
        return money_text(obj.amount_minor, obj.currency)

    @admin.display(description="Charged")
    def charged(self, obj: Payment) -> str:
        return money_text(obj.charge_amount_minor, obj.charge_currency)

    def has_reconcile_permission(self, request: HttpRequest) -> bool:
        return holds(request, RECONCILE_PAYMENTS)

    @admin.action(description="Ask the provider now", permissions=["reconcile"])
    def ask_provider_now(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        pending = rows_where_held(request, queryset, RECONCILE_PAYMENTS).filter(state=Payment.State.PENDING)
        outcomes = Counter(payments.poll_one(payment_id) for payment_id in pending.values_list("id", flat=True))
        if not outcomes:
            self.message_user(request, "None of the chosen payments is pending with you allowed to ask about it.",
                              messages.WARNING)
            return
        told = ", ".join(f"{outcome}: {count}" for outcome, count in sorted(outcomes.items()))
        self.message_user(request, f"Asked the provider about {outcomes.total()} pending payment(s) ({told}).")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "payment", "state", "amount", "reason", "requested_by", "created_at", "settled_at"]
    list_filter = ["state"]
    list_select_related = ["payment"]
    search_fields = ["id", "key", "payment__id", "payment__subject"]
    date_hierarchy = "created_at"
    actions = ["mark_paid_out_in_cash"]

    @admin.display(description="Amount")
    def amount(self, obj: Refund) -> str:
        return money_text(obj.amount_minor, obj.currency)

    def has_pay_out_permission(self, request: HttpRequest) -> bool:
        return holds(request, COLLECT_CASH)

    @admin.action(description="Mark paid out in cash", permissions=["pay_out"])
    def mark_paid_out_in_cash(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        awaiting = rows_where_held(request, queryset, COLLECT_CASH).filter(state=Refund.State.AWAITING_CASH)
        paid = 0
        for refund_id, company_id in awaiting.values_list("id", "company_id"):
            try:
                refunds.refund_cash_paid(refund_id=refund_id, company_id=company_id,
                                         collector=f"user:{request.user.pk}")
            except Conflict:  # paid out (or settled otherwise) by someone else meanwhile
                continue
            paid += 1
        if not paid:
            self.message_user(request, "None of the chosen refunds is awaiting cash with you allowed to pay it.",
                              messages.WARNING)
            return
        self.message_user(request, f"{paid} refund(s) marked paid out in cash.")


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    """Every callback as it arrived; the body as received."""

    list_display = ["id", "provider", "kind", "outcome", "secret_ok", "payment", "refund", "received_at"]
    list_filter = ["outcome", "provider", "kind"]
    search_fields = ["event_id", "target", "payment__id", "refund__id"]
    date_hierarchy = "received_at"
    fields = ["provider", "kind", "target", "secret_ok", "event_id", "headers", "body_as_received", "payment",
              "refund", "outcome", "note", "received_at", "processed_at"]
    readonly_fields = ["body_as_received"]

    @admin.display(description="Body")
    def body_as_received(self, obj: ProviderEvent) -> str:
        return format_html("<pre>{}</pre>", obj.body)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Money in and out; above the list, the total per currency of the rows the filters select."""

    list_display = ["at", "provider", "kind", "amount", "payment", "refund", "provider_txn", "collector"]
    list_filter = ["provider", "kind", "collector"]
    search_fields = ["provider_txn", "payment__id", "payment__subject", "collector"]
    date_hierarchy = "at"

    @admin.display(description="Amount")
    def amount(self, obj: LedgerEntry) -> str:
        return money_text(obj.amount_minor, obj.currency)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if isinstance(response, TemplateResponse) and changelist is not None:
            response.context_data["totals"] = ledger_totals(changelist.queryset)  # type: ignore[index]
        return response


def ledger_totals(rows: QuerySet[LedgerEntry]) -> list[str]:
    """The sum of the rows per currency, as text ("1600.00 KES")."""
    sums = rows.order_by().values("currency").annotate(total=Sum("amount_minor")).order_by("currency")
    return [money_text(int(row["total"]), row["currency"]) for row in sums]


@admin.register(Payable)
class PayableAdmin(ReadOnlyAdmin):
    list_display = ["reference", "subject", "amount", "state", "expires_at", "created_at"]
    list_filter = ["state"]
    search_fields = ["reference", "subject"]
    date_hierarchy = "created_at"

    @admin.display(description="Amount")
    def amount(self, obj: Payable) -> str:
        return money_text(obj.amount_minor, obj.currency)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "account", "checked", "mismatches", "ledger_total_minor", "provider_total_minor",
                    "started_by", "at"]
    list_filter = ["account__provider"]
    list_select_related = ["account"]
    date_hierarchy = "day"


@admin.register(ReconciliationItem)
class ReconciliationItemAdmin(ReadOnlyAdmin):
    list_display = ["day", "account", "payment", "ledger_state", "provider_state", "ledger_amount_minor",
                    "provider_amount_minor", "status", "note", "checked_at"]
    list_filter = ["status", "account__provider"]
    list_select_related = ["account", "payment"]
    search_fields = ["payment__id", "payment__subject"]
    date_hierarchy = "day"
    actions = ["requery"]

    def has_reconcile_permission(self, request: HttpRequest) -> bool:
        return holds(request, RECONCILE_PAYMENTS)

    @admin.action(description="Re-query", permissions=["reconcile"])
    def requery(self, request: HttpRequest, queryset: QuerySet[ReconciliationItem]) -> None:
        items = rows_where_held(request, queryset, RECONCILE_PAYMENTS)
        statuses = Counter(reconciliation.item_requery(item_id=item_id).status
                           for item_id in items.order_by("id").values_list("id", flat=True))
        if not statuses:
            self.message_user(request, "You may not re-query any of the chosen items.", messages.WARNING)
            return
        self.message_user(request, f"Re-queried {statuses.total()} item(s): "
                                   f"{statuses[ReconciliationItem.Status.RESOLVED]} resolved, "
                                   f"{statuses[ReconciliationItem.Status.MISMATCH]} still mismatched.")
