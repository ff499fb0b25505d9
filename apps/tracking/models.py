"""Tracking's tables. The position history is a PostgreSQL table partitioned by day on `fixed_at`
(history/partitions.py keeps the partitions); migration 0001 creates it, Django only reads and maps it."""

from __future__ import annotations

import uuid

from django.db import models

HISTORY_TABLE = "tracking_position_record"


class PositionRecord(models.Model):
    """One position fix as it was received, kept for the trip's track and replay.

    Unmanaged: Django cannot create a partitioned table. The real primary key is (id, fixed_at), as a
    partitioned table's must hold its partition key; `id` comes from an identity column and is unique on its
    own, so Django treats it as the primary key for reads.
    """

    id = models.BigAutoField(primary_key=True)
    company_id = models.UUIDField()
    bus_id = models.UUIDField()
    trip_id = models.UUIDField(null=True)
    source = models.CharField(max_length=64)
    latitude = models.FloatField()
    longitude = models.FloatField()
    fixed_at = models.DateTimeField()
    received_at = models.DateTimeField()
    speed_kmh = models.FloatField(null=True)
    heading = models.FloatField(null=True)
    altitude_m = models.FloatField(null=True)
    accuracy_m = models.FloatField(null=True)
    battery_percent = models.FloatField(null=True)
    # offered as the live position: the newest accepted fix of its report (late or refused ones are not); a
    # concurrent report with a newer fix may still win the live store
    live = models.BooleanField()

    class Meta:
        managed = False
        db_table = HISTORY_TABLE
        default_permissions = ()
        permissions = [("view_fleet", "See the company's buses: live positions and trip tracks")]

    def __str__(self) -> str:
        return f"{self.bus_id} at {self.fixed_at:%Y-%m-%d %H:%M:%S}"


class TrackerDevice(models.Model):
    """A tracker app on a bus (Traccar Client, OsmAnd, a GPS box) reporting by the OsmAnd protocol. The
    `identifier` it sends is its only credential: it names the bus its fixes are for."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    bus_id = models.UUIDField(db_index=True)
    identifier = models.CharField(max_length=64, unique=True,
                                  help_text="The `id` the tracker app sends (its device identifier)")
    name = models.CharField(max_length=80, blank=True)
    active = models.BooleanField(default=True, help_text="An inactive tracker's reports are refused")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        permissions = [
            # view_fleet, which the fleet map also needs, is declared on PositionRecord
            ("manage_trackers", "Register and change the company's tracker devices"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.identifier} ({self.identifier})"


class DispatchMessage(models.Model):
    """A dispatcher's message to a driver (a re-route, a delay, an instruction). It reaches the driver's websocket
    at once when connected, and again on every connection until the driver acknowledges it."""

    class Kind(models.TextChoices):
        REROUTE = "reroute", "Re-route"
        DELAY = "delay", "Delay"
        INSTRUCTION = "instruction", "Instruction"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField()
    driver_id = models.UUIDField(help_text="The driver's user id")
    trip_id = models.UUIDField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=500)
    sent_by_id = models.UUIDField(help_text="The dispatcher's user id")
    created_at = models.DateTimeField(auto_now_add=True)
    first_delivered_at = models.DateTimeField(null=True, blank=True,
                                              help_text="When a websocket of the driver first carried it")
    delivery_count = models.PositiveIntegerField(default=0, help_text="Websocket deliveries so far")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ("view",)
        permissions = [("send_dispatch", "Send the company's drivers dispatch messages")]
        indexes = [
            models.Index(fields=["company_id", "created_at"], name="tracking_dispatch_company"),
            models.Index(fields=["driver_id", "created_at"], name="tracking_dispatch_unacked",
                         condition=models.Q(acknowledged_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.driver_id}: {self.text[:40]}"
