"""Django admin for tracking: holders of tracking.manage_trackers register their companies' tracker devices; staff
read the dispatch messages sent to their drivers (sent through the API, never edited here)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.tracking import trackers
from apps.tracking.models import DispatchMessage, TrackerDevice
from apps.tracking.permissions import MANAGE_TRACKERS
from transport.scoped_admin import CompanyScopedAdmin, NoWrites, admin_principal


class TrackerDeviceForm(forms.ModelForm):
    """A tracker only for a bus of its own company, with an identifier a tracker app can send."""

    class Meta:
        model = TrackerDevice
        fields = ["company_id", "bus_id", "identifier", "name", "active"]

    def clean(self) -> dict[str, Any]:
        values: dict[str, Any] = super().clean() or {}
        problems = trackers.tracker_problems(company_id=values.get("company_id"), bus_id=values.get("bus_id"),
                                             identifier=values.get("identifier"))
        if problems:
            raise forms.ValidationError(problems)
        return values


@admin.register(TrackerDevice)
class TrackerDeviceAdmin(CompanyScopedAdmin):
    form = TrackerDeviceForm
    list_display = ["identifier", "name", "bus_id", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["identifier", "name", "bus_id"]

    def _may_manage(self, request: HttpRequest, obj: TrackerDevice | None = None) -> bool:
        principal = admin_principal(request)
        if obj is None:
            return principal.has(MANAGE_TRACKERS)
        return principal.has(MANAGE_TRACKERS, company_id=obj.company_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def save_model(self, request: HttpRequest, obj: TrackerDevice, form: Any, change: bool) -> None:
        if not admin_principal(request).has(MANAGE_TRACKERS, company_id=obj.company_id):
            raise PermissionDenied("You may not register trackers for this company.")
        super().save_model(request, obj, form, change)


@admin.register(DispatchMessage)
class DispatchMessageAdmin(NoWrites, CompanyScopedAdmin):
    list_display = ["created_at", "kind", "text", "driver_id", "trip_id", "delivery_count", "acknowledged_at"]
    list_filter = ["kind", ("acknowledged_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "driver_id", "trip_id"]
