"""Tracking's tables."""

from __future__ import annotations

import uuid

from django.db import models


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
            ("manage_trackers", "Register and change the company's tracker devices"),
            ("view_fleet", "See where the company's buses are"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.identifier} ({self.identifier})"
