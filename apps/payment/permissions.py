"""Payment's permissions and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

VIEW_PAYMENTS = "payment.view_payments"
RECONCILE_PAYMENTS = "payment.reconcile_payments"
MANAGE_ACCOUNTS = "payment.manage_accounts"
COLLECT_CASH = "payment.collect_cash"
REQUEST_REFUNDS = "payment.request_refunds"

_ADMIN_VIEW = [f"payment.view_{model}" for model in (
    "payment", "paymentattempt", "paymenttransition", "refund", "ledgerentry", "providerevent",
    "reconciliationitem", "reconciliationrun", "provideraccount", "payable")]
_ADMIN_ACCOUNTS = ["payment.add_provideraccount", "payment.change_provideraccount"]

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [VIEW_PAYMENTS, RECONCILE_PAYMENTS, MANAGE_ACCOUNTS, COLLECT_CASH, REQUEST_REFUNDS,
                       *_ADMIN_VIEW, *_ADMIN_ACCOUNTS],
    "company_admin": [VIEW_PAYMENTS, RECONCILE_PAYMENTS, MANAGE_ACCOUNTS, COLLECT_CASH, REQUEST_REFUNDS,
                      *_ADMIN_VIEW, *_ADMIN_ACCOUNTS],
    "dispatcher": [VIEW_PAYMENTS, "payment.view_payment", "payment.view_refund"],
    "agent": [COLLECT_CASH],
}


def grant_role_permissions(**_kwargs: object) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
