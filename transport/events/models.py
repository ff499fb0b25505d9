"""Outbox (events waiting for the broker), inbox (handlers that already ran), retries waiting for their
time, dead letters."""

from __future__ import annotations

import uuid

from django.db import models


class OutboxMessage(models.Model):
    """An event written in the sender's transaction; the relay publishes it after commit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="The event id.")
    event = models.CharField(max_length=200)
    payload = models.JSONField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        app_label = "transport"
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_unpublished_idx",
                condition=models.Q(published_at__isnull=True),
            ),
            # the sweep prunes rows published before the retention period every few seconds: an index range
            # scan that finds nothing, not a scan of the whole table
            models.Index(fields=["published_at"], name="outbox_published_idx",
                         condition=models.Q(published_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.id}"


class InboxRecord(models.Model):
    """(event, handler) pairs already applied: written in the handler's own transaction."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=200)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "transport"
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="inbox_event_handler_once"),
        ]
        # the sweep prunes rows older than the retention every few seconds: a range scan of this index
        indexes = [models.Index(fields=["processed_at"], name="inbox_processed_idx")]

    def __str__(self) -> str:
        return f"{self.handler} applied {self.event_id}"


class ScheduledRetry(models.Model):
    """A failed delivery whose next attempt is too far off to wait in the broker; the sweep sends it when due."""

    event_id = models.UUIDField()
    event = models.CharField(max_length=200)
    handler = models.CharField(max_length=200)
    payload = models.JSONField()
    headers = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(help_text="Attempts made so far.")
    due_at = models.DateTimeField()
    last_error = models.TextField(blank=True)

    class Meta:
        app_label = "transport"
        indexes = [models.Index(fields=["due_at"], name="scheduledretry_due_idx")]

    def __str__(self) -> str:
        return f"{self.handler} on {self.event} {self.event_id} at {self.due_at}"


class DeadLetter(models.Model):
    """An event a handler failed on after every retry; replayable from the admin."""

    event_id = models.UUIDField()
    event = models.CharField(max_length=200)
    handler = models.CharField(max_length=200)
    payload = models.JSONField()
    headers = models.JSONField(default=dict)
    error = models.TextField()
    attempts = models.PositiveIntegerField()
    failed_at = models.DateTimeField(auto_now_add=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "transport"
        indexes = [models.Index(fields=["event_id", "handler"], name="deadletter_event_handler_idx")]

    def __str__(self) -> str:
        return f"{self.handler} on {self.event} {self.event_id}"
