"""What payment's admin pages share: money as text, and the rows an action may touch."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest

from transport.money import to_text
from transport.scoped_admin import admin_principal


def money_text(amount_minor: int | None, currency: str) -> str:
    """10050, "KES" -> "100.50 KES"; "-" for no amount."""
    if amount_minor is None:
        return "-"
    return f"{to_text(amount_minor, currency)} {currency}"


def holds(request: HttpRequest, permission: str, company_id: UUID | None = None) -> bool:
    """Whether the signed-in user holds `permission` (in `company_id`, when given): a superuser holds all."""
    if request.user.is_superuser:
        return True
    return admin_principal(request).has(permission, company_id=company_id)


def rows_where_held(request: HttpRequest, rows: QuerySet[Any], permission: str) -> QuerySet[Any]:
    """The rows of the companies in which the user holds `permission`: an action on many rows acts on these."""
    if request.user.is_superuser:
        return rows
    companies = admin_principal(request).companies_with(permission)
    return rows if companies is None else rows.filter(company_id__in=companies)
