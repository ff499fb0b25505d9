"""Stored outcomes of requests made with an Idempotency-Key, per caller."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    RUNNING = "running"
    DONE = "done"

    scope = models.CharField(max_length=200, help_text="Who made the request (principal), and where.")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, default=RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "transport"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_once")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} ({self.state})"
