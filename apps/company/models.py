"""Company's tables: companies (tenants), seat layouts and buses, stops, routes, schedules, trips, rosters.

Inside the app, rows point at each other with foreign keys; rows of other apps (drivers are identity
users) are referred to by id columns only. Every tenant-owned row carries `company_id`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.db.models.functions import Lower


class TsTzRange(Func):
    """tstzrange(start, end, '[)'): the half-open time a trip occupies, for the overlap constraints."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Company(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. KE")
    currency = models.CharField(max_length=3, help_text="ISO 4217, e.g. KES")
    timezone = models.CharField(max_length=64, help_text="IANA zone, e.g. Africa/Nairobi")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=16, blank=True)
    website = models.URLField(blank=True)
    address = models.CharField(max_length=255, blank=True)
    # operating settings other apps read through company.api
    seat_hold_minutes = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(1)])
    # a hold whose payment is started runs at least this long from then (at most PAYMENT_HOLD_MAX_MINUTES,
    # checked by the service: the platform's bound may change without a migration)
    payment_hold_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1)],
        help_text="A hold lasts at least this long once its payment is started")
    # a trip's expected lateness is announced (trip_delayed) once it reaches this, and again only when it moves
    # by this much more (services/progress.py states the rule)
    delay_alert_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="Announce a trip's delay once the bus runs this many minutes late")
    sales_cutoff_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Sales close this many minutes before departure")
    live_trips_public = models.BooleanField(
        default=False, help_text="Anyone may follow the company's buses live on a trip's websocket, not only the "
                                 "trip's ticket holders and the company's staff")
    language = models.CharField(max_length=5, default="en", choices=settings.LANGUAGES,
                                help_text="What its messages are written in, unless a passenger asked otherwise")
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(default=24)
    refund_percent = models.PositiveSmallIntegerField(default=90, validators=[MaxValueValidator(100)])
    late_refund_percent = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    no_refund_hours = models.PositiveSmallIntegerField(
        default=2, help_text="No refund when cancelled this close to departure")
    # sales limits; empty: the platform's default
    max_seats_per_booking = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    max_active_holds_per_user = models.PositiveSmallIntegerField(null=True, blank=True,
                                                                 validators=[MinValueValidator(1)])
    max_active_holds_per_device = models.PositiveSmallIntegerField(null=True, blank=True,
                                                                   validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        permissions = [
            ("manage_company", "Edit the company's profile and operating settings"),
            ("manage_fleet", "Manage buses and seat layouts"),
            ("manage_network", "Manage stops, routes and schedules"),
            ("manage_trips", "Create, change and cancel trips"),
            ("manage_rosters", "Assign drivers to trips"),
            ("view_trips", "See every trip of the company"),
            ("view_own_trips", "See the trips one is assigned to drive"),
            ("record_progress", "Record the stop times and delays a trip's bus is observed at (the tracking system)"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(refund_percent__lte=100) & Q(late_refund_percent__lte=100),
                                   name="company_refund_percent_range"),
            models.CheckConstraint(condition=Q(seat_hold_minutes__gte=1), name="company_seat_hold_positive"),
            models.CheckConstraint(condition=Q(payment_hold_minutes__gte=1), name="company_payment_hold_positive"),
            models.CheckConstraint(condition=Q(delay_alert_minutes__gte=1, delay_alert_minutes__lte=240),
                                   name="company_delay_alert_range"),
            models.CheckConstraint(condition=Q(no_refund_hours__lte=models.F("cancellation_cutoff_hours")),
                                   name="company_no_refund_within_cutoff"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def company_id(self) -> uuid.UUID:
        """A company is its own tenant: tenancy checks treat it like any company-owned row."""
        return self.id


class SeatLayout(models.Model):
    """A named seat plan of a company; its seats live in immutable versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="layouts")
    name = models.CharField(max_length=80)
    current_version = models.ForeignKey("SeatLayoutVersion", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="company_layout_name_unique")]

    def __str__(self) -> str:
        return self.name


class SeatLayoutVersion(models.Model):
    """One immutable edition of a layout: trips keep the version they were sold on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    layout = models.ForeignKey(SeatLayout, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    decks = models.PositiveSmallIntegerField()
    rows = models.PositiveSmallIntegerField()
    columns = models.PositiveSmallIntegerField()
    aisle_columns = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    # [{"label": "1A", "deck": 1, "row": 1, "col": 1, "seat_class": "standard", "sellable": true}, ...]
    seats = models.JSONField()
    sellable_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["layout", "number"], name="company_layout_version_unique")]

    def __str__(self) -> str:
        return f"{self.layout} v{self.number}"


class Bus(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        MAINTENANCE = "maintenance"
        RETIRED = "retired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="buses")
    plate = models.CharField(max_length=20, help_text="Registration plate, unique within the company")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    amenities = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    layout = models.ForeignKey(SeatLayout, on_delete=models.PROTECT, related_name="buses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "buses"
        constraints = [models.UniqueConstraint(fields=["company", "plate"], name="company_bus_plate_unique")]

    def __str__(self) -> str:
        return self.plate


class Stop(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="stops")
    name = models.CharField(max_length=120)
    town = models.CharField(max_length=80)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    timezone = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(Lower("town"), "company", name="company_stop_town_idx")]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="company_stop_name_unique"),
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90), name="company_stop_latitude"),
            models.CheckConstraint(condition=Q(longitude__gte=-180, longitude__lte=180),
                                   name="company_stop_longitude"),
        ]

    def __str__(self) -> str:
        return self.name


class Route(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="routes")
    name = models.CharField(max_length=120)
    code = models.CharField(max_length=20, help_text="Short name shown to passengers, e.g. NBI-KSM")
    is_active = models.BooleanField(default=True)
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="company_route_name_unique")]

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="route_stops")
    sequence = models.PositiveSmallIntegerField()
    stop = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="+")
    distance_km = models.DecimalField(max_digits=7, decimal_places=1)
    minutes_from_origin = models.PositiveIntegerField()

    class Meta:
        ordering = ["route", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["route", "sequence"], name="company_route_stop_sequence_unique"),
            models.UniqueConstraint(fields=["route", "stop"], name="company_route_visits_stop_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id} #{self.sequence}"


class Schedule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="schedules")
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="schedules")
    bus = models.ForeignKey(Bus, on_delete=models.PROTECT, related_name="schedules")
    departure_time = models.TimeField(help_text="Local time at the route's first stop")
    weekdays = ArrayField(models.PositiveSmallIntegerField(), help_text="ISO weekdays, 1 = Monday ... 7 = Sunday")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="company_schedule_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.departure_time:%H:%M}"


class ScheduleException(models.Model):
    class Kind(models.TextChoices):
        NO_SERVICE = "no_service"
        EXTRA = "extra"

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    departure_time = models.TimeField(null=True, blank=True, help_text="For an extra departure")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "date", "kind", "departure_time"],
                                    nulls_distinct=False, name="company_schedule_exception_unique"),
            models.CheckConstraint(condition=Q(kind="no_service", departure_time__isnull=True)
                                   | Q(kind="extra", departure_time__isnull=False),
                                   name="company_schedule_exception_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class Trip(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        BOARDING = "boarding"
        DEPARTED = "departed"
        ARRIVED = "arrived"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="trips")
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="trips")
    schedule = models.ForeignKey(Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="trips")
    bus = models.ForeignKey(Bus, on_delete=models.PROTECT, related_name="trips")
    layout_version = models.ForeignKey(SeatLayoutVersion, on_delete=models.PROTECT, related_name="trips")
    service_date = models.DateField(help_text="Local date at the first stop")
    departure_at = models.DateTimeField()
    arrival_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    delay_minutes = models.PositiveIntegerField(default=0)
    delay_reason = models.CharField(max_length=200, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["company", "departure_at"], name="company_trip_departure_idx"),
            models.Index(fields=["route", "departure_at"], name="company_trip_route_idx"),
        ]
        constraints = [
            # materialisation inserts with ON CONFLICT DO NOTHING: a departure exists once
            models.UniqueConstraint(fields=["schedule", "service_date", "departure_at"],
                                    name="company_trip_schedule_departure_unique"),
            models.CheckConstraint(condition=Q(arrival_at__gt=models.F("departure_at")),
                                   name="company_trip_arrives_after_departure"),
            # a bus is never on two live trips whose times overlap
            ExclusionConstraint(
                name="company_trip_bus_no_overlap",
                expressions=[("bus", RangeOperators.EQUAL),
                             (TsTzRange("departure_at", "arrival_at"), RangeOperators.OVERLAPS)],
                condition=~Q(status="cancelled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.departure_at:%Y-%m-%d %H:%M}Z"


class TripStop(models.Model):
    """A trip's time at one stop (UTC instants); the stop's timezone renders them. `arrive_at`/`depart_at` are
    the timetable's; `arrived_at`/`departed_at` what the bus was observed to do (empty until then, and for a
    stop it passed unseen)."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="trip_stops")
    sequence = models.PositiveSmallIntegerField()
    stop = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="+")
    arrive_at = models.DateTimeField()
    depart_at = models.DateTimeField()
    distance_km = models.DecimalField(max_digits=7, decimal_places=1)
    arrived_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["trip", "sequence"]
        indexes = [models.Index(fields=["stop", "depart_at"], name="company_tripstop_search_idx")]
        constraints = [
            models.UniqueConstraint(fields=["trip", "sequence"], name="company_tripstop_sequence_unique"),
            models.CheckConstraint(condition=Q(departed_at__isnull=True) | Q(arrived_at__isnull=True)
                                   | Q(departed_at__gte=models.F("arrived_at")),
                                   name="company_tripstop_departs_after_arrival"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id} #{self.sequence}"


class DriverAssignment(models.Model):
    """A driver (an identity user, by id) on a trip; the trip's times are copied here for the guard."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="assignments")
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="assignments")
    driver_id = models.UUIDField(db_index=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_active = models.BooleanField(default=True, help_text="False once removed or the trip is cancelled")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="company_driver_no_overlap",
                expressions=[("driver_id", RangeOperators.EQUAL),
                             (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS)],
                condition=Q(is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return f"driver {self.driver_id} on {self.trip_id}"
