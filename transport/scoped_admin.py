"""Django admin for tenant-owned rows, with the one scoping rule every app's admin follows.

A member sees the rows of the companies in which they may view the model (`<app>.view_<model>`); a
permission held globally (a platform admin) or a superuser sees every row. The admin's own model
permissions (from identity's role backend) still decide whether the page opens at all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string

from transport.principal import Principal


def admin_principal(request: HttpRequest) -> Principal:
    """The signed-in user's Principal, read once per request. The kernel imports no app, so identity's
    published function is named by settings.TRANSPORT_PRINCIPAL_FOR_USER."""
    principal = getattr(request, "_transport_principal", None)
    if not isinstance(principal, Principal):
        principal = import_string(settings.TRANSPORT_PRINCIPAL_FOR_USER)(user_id=request.user.pk)
        assert isinstance(principal, Principal)  # the setting names identity's principal_for_user
        setattr(request, "_transport_principal", principal)  # noqa: B010  (HttpRequest declares no such attribute)
    return principal


class CompanyScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # ModelAdmin[Model] fails at run time in Django 5.2
    company_field = "company_id"  # the lookup from a row to its company's id

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The rows of the companies in which the member may view this model (a member elsewhere sees none)."""
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        opts = self.model._meta
        companies = admin_principal(request).companies_with(f"{opts.app_label}.view_{opts.model_name}")
        return rows if companies is None else rows.filter(**{f"{self.company_field}__in": companies})


class NoWrites:
    """Nothing is added, changed or deleted through this admin page or inline."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, CompanyScopedAdmin):
    """Rows whose writes carry business rules: they change through services (or admin actions calling them)."""


class ReadOnlyInline(NoWrites, admin.TabularInline):  # type: ignore[type-arg]  # as CompanyScopedAdmin above
    """Rows shown beside their parent, never added, changed or deleted there."""

    extra = 0
    can_delete = False
    show_change_link = False
