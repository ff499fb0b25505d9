"""Django admin for company: each member sees only their companies' rows (a platform admin all of them).

Rows are read-only here: writes carry business rules (route freezes, overlap guards, events), so they
go through the REST API or, for trips, through admin actions that call the services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.company.models import (
    Bus,
    Company,
    DriverAssignment,
    Route,
    RouteStop,
    Schedule,
    ScheduleException,
    SeatLayout,
    SeatLayoutVersion,
    Stop,
    Trip,
    TripStop,
)
from apps.company.permissions import MANAGE_TRIPS
from apps.company.services import trips
from transport.errors import DomainError
from transport.scoped_admin import ReadOnlyAdmin, admin_principal


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    company_field = "id"
    list_display = ["name", "slug", "country", "currency", "timezone", "seat_hold_minutes", "payment_hold_minutes",
                    "sales_cutoff_minutes", "delay_alert_minutes"]
    list_filter = ["country", "currency"]
    search_fields = ["name", "slug", "contact_email", "contact_phone"]


class LayoutVersionInline(admin.TabularInline):
    model = SeatLayoutVersion
    fields = readonly_fields = ("number", "decks", "rows", "columns", "sellable_count", "created_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SeatLayout)
class SeatLayoutAdmin(ReadOnlyAdmin):
    list_display = ["name", "company", "current_version", "created_at"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    inlines = [LayoutVersionInline]


@admin.register(Bus)
class BusAdmin(ReadOnlyAdmin):
    list_display = ["plate", "company", "status", "layout", "created_at"]
    list_filter = ["status", ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["plate"]


@admin.register(Stop)
class StopAdmin(ReadOnlyAdmin):
    list_display = ["name", "town", "company", "latitude", "longitude", "timezone"]
    list_filter = ["timezone", ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "town"]


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    fields = readonly_fields = ("sequence", "stop", "distance_km", "minutes_from_origin")
    extra = 0
    can_delete = False


@admin.register(Route)
class RouteAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "company", "is_active", "created_at"]
    list_filter = ["is_active", ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    inlines = [RouteStopInline]


class ScheduleExceptionInline(admin.TabularInline):
    model = ScheduleException
    fields = readonly_fields = ("date", "kind", "departure_time")
    extra = 0
    can_delete = False


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["route", "departure_time", "weekdays", "bus", "valid_from", "valid_to", "is_active"]
    list_filter = ["is_active", ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["route__name", "route__code", "bus__plate"]
    inlines = [ScheduleExceptionInline]


class TripStopInline(admin.TabularInline):
    model = TripStop
    fields = readonly_fields = ("sequence", "stop", "arrive_at", "depart_at", "distance_km", "arrived_at",
                                "departed_at")
    extra = 0
    can_delete = False


@admin.register(Trip)
class TripAdmin(ReadOnlyAdmin):
    list_display = ["route", "departure_at", "arrival_at", "bus", "status", "delay_minutes", "company"]
    list_filter = ["status", ("company", admin.RelatedOnlyFieldListFilter), "service_date"]
    search_fields = ["route__name", "route__code", "bus__plate", "=id"]
    date_hierarchy = "departure_at"
    list_select_related = ["route", "bus", "company"]
    inlines = [TripStopInline]
    actions = ["cancel"]

    @admin.action(description="Cancel the selected trips (passengers are told)", permissions=["cancel"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Trip]) -> None:
        principal = admin_principal(request)
        done = 0
        for trip in queryset:
            try:
                trips.trip_cancel(principal=principal, trip_id=trip.pk, reason="Cancelled by the operator.")
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{trip}: {exc.detail}", messages.ERROR)
        self.message_user(request, f"{done} cancelled.", messages.SUCCESS)

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        principal = admin_principal(request)
        return bool(request.user.is_superuser or principal.has(MANAGE_TRIPS))


@admin.register(DriverAssignment)
class DriverAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["trip", "driver_id", "starts_at", "ends_at", "is_active"]
    list_filter = ["is_active", ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=driver_id", "=trip__id"]
    list_select_related = ["trip__route"]
