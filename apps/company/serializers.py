"""Shapes of company's operator API: input serializers check the form only; the services hold the rules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

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
from transport.http.serializers import CalendarDateField, LocalTimeField, StrictModelSerializer, StrictSerializer

# ---- out ----


# a company's profile and operating settings, as clients write and read them
COMPANY_FIELDS = ["name", "slug", "country", "currency", "timezone", "contact_email", "contact_phone", "website",
                  "address", "seat_hold_minutes", "sales_cutoff_minutes", "cancellation_cutoff_hours",
                  "refund_percent", "late_refund_percent", "no_refund_hours", "max_seats_per_booking",
                  "max_active_holds_per_user", "max_active_holds_per_device", "payment_hold_minutes",
                  "live_trips_public", "delay_alert_minutes", "language"]


class CompanyOut(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", *COMPANY_FIELDS, "created_at"]


class LayoutVersionOut(serializers.ModelSerializer):
    class Meta:
        model = SeatLayoutVersion
        fields = ["id", "number", "decks", "rows", "columns", "aisle_columns", "seats", "sellable_count",
                  "created_at"]


class LayoutOut(serializers.ModelSerializer):
    company_id = serializers.UUIDField(read_only=True)
    current_version = LayoutVersionOut(read_only=True)

    class Meta:
        model = SeatLayout
        fields = ["id", "company_id", "name", "current_version", "created_at"]


class BusOut(serializers.ModelSerializer):
    company_id = serializers.UUIDField(read_only=True)
    layout_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Bus
        fields = ["id", "company_id", "plate", "status", "amenities", "layout_id", "created_at"]


class StopOut(serializers.ModelSerializer):
    company_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Stop
        fields = ["id", "company_id", "name", "town", "latitude", "longitude", "timezone", "created_at"]


class RouteStopOut(serializers.ModelSerializer):
    stop_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = RouteStop
        fields = ["sequence", "stop_id", "distance_km", "minutes_from_origin"]


class RouteOut(serializers.ModelSerializer):
    company_id = serializers.UUIDField(read_only=True)
    replaces_id = serializers.UUIDField(read_only=True, allow_null=True)
    stops = RouteStopOut(source="route_stops", many=True, read_only=True)

    class Meta:
        model = Route
        fields = ["id", "company_id", "name", "code", "is_active", "replaces_id", "stops", "created_at"]


class ScheduleExceptionOut(serializers.ModelSerializer):
    departure_time = LocalTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ScheduleException
        fields = ["id", "date", "kind", "departure_time"]


class ScheduleOut(serializers.ModelSerializer):
    company_id = serializers.UUIDField(read_only=True)
    route_id = serializers.UUIDField(read_only=True)
    bus_id = serializers.UUIDField(read_only=True)
    exceptions = ScheduleExceptionOut(many=True, read_only=True)
    departure_time = LocalTimeField(read_only=True)

    class Meta:
        model = Schedule
        fields = ["id", "company_id", "route_id", "bus_id", "departure_time", "weekdays", "valid_from", "valid_to",
                  "is_active", "exceptions", "created_at"]


class TripStopOut(serializers.ModelSerializer):
    stop_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = TripStop
        fields = ["sequence", "stop_id", "arrive_at", "depart_at", "distance_km", "arrived_at", "departed_at"]


class TripOut(serializers.ModelSerializer):
    company_id = serializers.UUIDField(read_only=True)
    route_id = serializers.UUIDField(read_only=True)
    schedule_id = serializers.UUIDField(read_only=True, allow_null=True)
    bus_id = serializers.UUIDField(read_only=True)
    layout_version_id = serializers.UUIDField(read_only=True)
    stops = TripStopOut(source="trip_stops", many=True, read_only=True)

    class Meta:
        model = Trip
        fields = ["id", "company_id", "route_id", "schedule_id", "bus_id", "layout_version_id", "service_date",
                  "departure_at", "arrival_at", "status", "delay_minutes", "delay_reason", "cancel_reason", "stops"]


class AssignmentOut(serializers.ModelSerializer):
    company_id = serializers.UUIDField(read_only=True)
    trip_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = DriverAssignment
        fields = ["id", "company_id", "trip_id", "driver_id", "starts_at", "ends_at", "is_active", "created_at"]


# ---- in ----


class CompanyIn(StrictModelSerializer):
    class Meta:
        model = Company
        fields = COMPANY_FIELDS
        # uniqueness is the service's answer (409)
        extra_kwargs: dict[str, dict[str, Any]] = {"slug": {"validators": []}}


class CompanyChange(CompanyIn):
    class Meta(CompanyIn.Meta):
        fields = [f for f in CompanyIn.Meta.fields if f != "slug"]
        extra_kwargs = {f: {"required": False} for f in fields}


class SeatIn(StrictSerializer):
    label = serializers.CharField(max_length=8)  # type: ignore[assignment]  # a field, not Field.label
    deck = serializers.IntegerField(min_value=1, default=1)
    row = serializers.IntegerField(min_value=1)
    col = serializers.IntegerField(min_value=1)
    seat_class = serializers.CharField(max_length=20, default="standard")
    sellable = serializers.BooleanField(default=True)


class PlanIn(StrictSerializer):
    decks = serializers.IntegerField(min_value=1, max_value=2)
    rows = serializers.IntegerField(min_value=1, max_value=30)
    columns = serializers.IntegerField(min_value=1, max_value=8)
    aisle_columns = serializers.ListField(child=serializers.IntegerField(min_value=1), default=list, max_length=8)
    seats = SeatIn(many=True, max_length=120)  # type: ignore[call-arg]  # ListSerializer takes max_length


class LayoutIn(StrictSerializer):
    company_id = serializers.UUIDField()
    name = serializers.CharField(max_length=80)
    plan = PlanIn()


class LayoutChange(StrictSerializer):
    name = serializers.CharField(max_length=80, required=False)
    plan = PlanIn(required=False)


class BusIn(StrictSerializer):
    company_id = serializers.UUIDField()
    plate = serializers.CharField(max_length=20)
    layout_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Bus.Status.choices, default=Bus.Status.ACTIVE)
    amenities = serializers.ListField(child=serializers.CharField(max_length=30), default=list, max_length=20)


class BusChange(StrictSerializer):
    plate = serializers.CharField(max_length=20, required=False)
    layout_id = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=Bus.Status.choices, required=False)
    amenities = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=20)


class StopIn(StrictSerializer):
    company_id = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    town = serializers.CharField(max_length=80)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    timezone = serializers.CharField(max_length=64)


class StopChange(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    town = serializers.CharField(max_length=80, required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                         required=False)
    timezone = serializers.CharField(max_length=64, required=False)


class RouteStopIn(StrictSerializer):
    stop_id = serializers.UUIDField()
    distance_km = serializers.DecimalField(max_digits=7, decimal_places=1, min_value=0)
    minutes_from_origin = serializers.IntegerField(min_value=0, max_value=7 * 24 * 60)


class RouteIn(StrictSerializer):
    company_id = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    code = serializers.CharField(max_length=20)
    stops = RouteStopIn(many=True, max_length=100)  # type: ignore[call-arg]  # ListSerializer takes max_length
    replaces_id = serializers.UUIDField(required=False, allow_null=True)


class RouteChange(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    code = serializers.CharField(max_length=20, required=False)
    is_active = serializers.BooleanField(required=False)
    stops = RouteStopIn(many=True, max_length=100, required=False)  # type: ignore[call-arg]  # ListSerializer takes max_length


class ScheduleIn(StrictSerializer):
    company_id = serializers.UUIDField()
    route_id = serializers.UUIDField()
    bus_id = serializers.UUIDField()
    departure_time = LocalTimeField()
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), max_length=7)
    valid_from = CalendarDateField()
    valid_to = CalendarDateField(required=False, allow_null=True)


class ScheduleChange(StrictSerializer):
    route_id = serializers.UUIDField(required=False)
    bus_id = serializers.UUIDField(required=False)
    departure_time = LocalTimeField(required=False)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), max_length=7,
                                     required=False)
    valid_from = CalendarDateField(required=False)
    valid_to = CalendarDateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class ScheduleExceptionIn(StrictSerializer):
    date = CalendarDateField()
    kind = serializers.ChoiceField(choices=ScheduleException.Kind.choices)
    departure_time = LocalTimeField(required=False, allow_null=True)


class TripIn(StrictSerializer):
    company_id = serializers.UUIDField()
    route_id = serializers.UUIDField()
    bus_id = serializers.UUIDField()
    service_date = CalendarDateField()
    departure_time = LocalTimeField(
        help_text="HH:MM[:SS], the company's local time at the route's first stop, without an offset")


class TripCancelIn(StrictSerializer):
    reason = serializers.CharField(max_length=200)


class TripDelayIn(StrictSerializer):
    minutes = serializers.IntegerField(min_value=0, max_value=24 * 60)
    reason = serializers.CharField(max_length=200, allow_blank=True, default="")


class TripBusIn(StrictSerializer):
    bus_id = serializers.UUIDField()


class TripMoveIn(StrictSerializer):
    move = serializers.ChoiceField(choices=["board", "depart", "arrive"])


class AssignmentIn(StrictSerializer):
    trip_id = serializers.UUIDField()
    driver_id = serializers.UUIDField()
