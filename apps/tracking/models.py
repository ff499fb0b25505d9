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
    live = models.BooleanField()  # did the fix become the bus's live position (late or filtered ones do not)

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
