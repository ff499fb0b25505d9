"""Django admin for ticketing: each member sees only their companies' rows (a platform admin all of them).

Bookings and tickets are read-only here: their writes carry the inventory guard and events, so they go
through the API. Fares, fare rules and promo codes are edited here by holders of ticketing.manage_fares,
only for their own companies.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from apps.company import api as company_api
from apps.ticketing.models import (
    Boarding,
    BoardingScan,
    Booking,
    Fare,
    FareRule,
    Passenger,
    PosSale,
    PromoCode,
    SeatAllotment,
    SeatHold,
    Ticket,
)
from apps.ticketing.permissions import MANAGE_FARES
from apps.ticketing.reports import admin_views as admin_sales
from transport.errors import NotFound
from transport.scoped_admin import CompanyScopedAdmin, ReadOnlyAdmin, ReadOnlyInline, admin_principal


class PassengerInline(ReadOnlyInline):
    model = Passenger
    fields = readonly_fields = (
        "position", "name", "phone", "passenger_type", "seat_label", "seat_class", "fare_minor", "price_minor")


class TicketInline(ReadOnlyInline):
    model = Ticket
    fields = readonly_fields = ("number", "seat_label", "state", "issued_at", "cancelled_at")


class SeatHoldInline(ReadOnlyInline):
    model = SeatHold
    fields = readonly_fields = ("seat_label", "stretch", "state", "expires_at")


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["id", "trip_id", "state", "channel", "total_minor", "currency", "created_at", "confirmed_at"]
    list_filter = ["state", "channel"]
    # pay_reference: what a payer quotes when asking about a payment
    search_fields = ["id", "trip_id", "payment_ref", "pay_reference", "passengers__name", "passengers__phone",
                     "tickets__number"]
    date_hierarchy = "created_at"
    inlines = [PassengerInline, TicketInline, SeatHoldInline]
    change_list_template = "admin/ticketing/booking_change_list.html"

    def get_urls(self) -> list:
        report = path("sales/", self.admin_site.admin_view(self.sales_report), name="ticketing_sales_report")
        return [report, *super().get_urls()]

    def sales_report(self, request: HttpRequest) -> HttpResponse:
        principal = admin_principal(request)
        mine = sorted(principal.company_ids, key=str)
        companies = company_api.company_ids() if principal.global_permissions else mine
        return admin_sales.sales_view(request, principal, companies)


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "trip_id", "seat_label", "state", "issued_at"]
    list_filter = ["state"]
    search_fields = ["number", "passenger__name", "passenger__phone"]


@admin.register(Boarding)
class BoardingAdmin(ReadOnlyAdmin):
    """Who boarded when, from which device: written only by scans, through the API."""

    list_display = ["ticket", "trip_id", "scanned_at", "device_id", "source", "recorded_at"]
    list_filter = ["source"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number", "trip_id", "device_id"]
    date_hierarchy = "scanned_at"


@admin.register(BoardingScan)
class BoardingScanAdmin(ReadOnlyAdmin):
    """Every scan drivers' devices reported, accepted or not (the outcome says why)."""

    list_display = ["id", "trip_id", "ticket", "device_id", "scanned_at", "source", "outcome", "recorded_at"]
    list_filter = ["source", "outcome"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number", "trip_id", "device_id"]
    date_hierarchy = "scanned_at"


class FaresAdmin(CompanyScopedAdmin):
    """Editable by holders of ticketing.manage_fares, for rows of their own companies only."""

    def _may_manage(self, request: HttpRequest, obj=None) -> bool:
        principal = admin_principal(request)
        if obj is None:
            return principal.has(MANAGE_FARES)
        return principal.has(MANAGE_FARES, company_id=obj.company_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not admin_principal(request).has(MANAGE_FARES, company_id=obj.company_id):
            raise PermissionDenied("You may not set fares for this company.")
        super().save_model(request, obj, form, change)


class FareForm(forms.ModelForm):
    """A fare only for a route of the fare's own company, between two of its stops in travel order."""

    class Meta:
        model = Fare
        fields = ["company_id", "route_id", "from_stop_id", "to_stop_id", "seat_class", "amount_minor", "currency"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        values = self.cleaned_data
        route_id, company_id = values.get("route_id"), values.get("company_id")
        if not route_id or not company_id:
            return values
        try:
            route = company_api.route_stops(route_id=route_id)
        except NotFound:
            route = None
        if route is None or route.company_id != company_id:
            raise forms.ValidationError({"route_id": "No such route in this company."})
        board, alight = values.get("from_stop_id"), values.get("to_stop_id")
        if board not in route.stop_ids or alight not in route.stop_ids or \
                route.stop_ids.index(board) >= route.stop_ids.index(alight):
            raise forms.ValidationError({"to_stop_id": "The stops must be on the route, boarding first."})
        return values


@admin.register(Fare)
class FareAdmin(FaresAdmin):
    form = FareForm
    list_display = ["route_id", "from_stop_id", "to_stop_id", "seat_class", "amount_minor", "currency"]
    list_filter = ["seat_class", "currency"]


@admin.register(FareRule)
class FareRuleAdmin(FaresAdmin):
    list_display = ["name", "percent", "weekdays", "departs_from", "departs_until", "min_hours_before",
                    "max_hours_before", "is_active"]
    list_filter = ["is_active"]


@admin.register(PromoCode)
class PromoCodeAdmin(FaresAdmin):
    list_display = ["code", "kind", "value", "valid_from", "valid_until", "max_uses", "used"]
    readonly_fields = ["used"]
    search_fields = ["code"]

    def save_model(self, request: HttpRequest, obj: PromoCode, form, change: bool) -> None:
        obj.code = obj.code.strip().upper()
        super().save_model(request, obj, form, change)


class AllotmentSeatHoldInline(ReadOnlyInline):
    model = SeatHold
    fk_name = "allotment"
    fields = readonly_fields = ("seat_label", "stretch", "state", "expires_at")


@admin.register(SeatAllotment)
class SeatAllotmentAdmin(ReadOnlyAdmin):
    """Seats set aside for POS devices: allotted and released through the API (the inventory guard)."""

    list_display = ["id", "trip_id", "device_id", "state", "created_at", "released_at"]
    list_filter = ["state"]
    search_fields = ["id", "trip_id", "device_id"]
    date_hierarchy = "created_at"
    inlines = [AllotmentSeatHoldInline]


@admin.register(PosSale)
class PosSaleAdmin(ReadOnlyAdmin):
    """Cash sales of POS devices, online and synced, with the outcome each UUID got for good."""

    list_display = ["id", "device_id", "trip_id", "made_at", "received_at", "offline", "outcome", "reason",
                    "cash_minor", "booking"]
    list_filter = ["outcome", "offline", "reason"]
    list_select_related = ["booking"]
    search_fields = ["id", "device_id", "trip_id", "booking__id", "booking__tickets__number"]
    date_hierarchy = "made_at"
